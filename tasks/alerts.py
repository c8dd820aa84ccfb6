"""The periodic alert check."""

from __future__ import annotations

from celery import shared_task

from contactpro.models import utcnow
from contactpro.observability import alerts
from tasks import runtime


@shared_task(name="contactpro.alerts.check", acks_late=True)
def check_alerts() -> list[str]:
    """Raise, update or clear alerts; return the keys of the open ones."""
    rt = runtime()
    with rt.db.session() as session:
        return [alert.key for alert in alerts.check(session, rt.settings, utcnow())]

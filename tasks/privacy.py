"""The daily retention run: archive, then delete, personal data past its period."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from contactpro.models import utcnow
from contactpro.privacy.retention import apply_retention
from contactpro.providers.telephony import telephony_for
from tasks import runtime


@shared_task(name="contactpro.privacy.retention", acks_late=True)
def apply_retention_task() -> dict[str, Any]:
    """Apply every retention period once; return what was archived and removed."""
    rt = runtime()
    with rt.db.session() as session:
        result = apply_retention(session, rt.settings, telephony_for(rt.settings), utcnow())
    return result.as_dict()

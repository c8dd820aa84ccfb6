"""Tasks that close interactions."""

from __future__ import annotations

import logging

from celery import shared_task

from contactpro import interactions
from contactpro.errors import NotFoundError
from contactpro.models import utcnow
from tasks import runtime

log = logging.getLogger(__name__)


@shared_task(name="contactpro.interactions.close", acks_late=True)
def close_interaction(interaction_id: int, reason: str = "call_ended") -> str | None:
    """Close one interaction with its outcome and duration (idempotent)."""
    rt = runtime()
    try:
        with rt.db.session() as session:
            return interactions.close_interaction(session, interaction_id, reason).outcome
    except NotFoundError:
        log.warning("close: no such interaction", extra={"interaction_id": interaction_id})
        return None


@shared_task(name="contactpro.interactions.close_idle", acks_late=True)
def close_idle_interactions() -> int:
    """Close quiet SMS conversations and calls whose end was never reported."""
    rt = runtime()
    with rt.db.session() as session:
        ids = interactions.idle_interactions(session, rt.settings, utcnow())
    for interaction_id in ids:
        with rt.db.session() as session:
            interactions.close_interaction(session, interaction_id, "inactive")
    return len(ids)

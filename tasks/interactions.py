"""Tasks that close interactions, sweep quiet ones, and send the satisfaction survey."""

from __future__ import annotations

import logging

from celery import shared_task

from contactpro.conversations import idle, interactions
from contactpro.dialog import survey
from contactpro.errors import NotFoundError
from contactpro.models import utcnow
from contactpro.providers.telephony import telephony_for
from tasks import runtime, send
from tasks.improve import index_interaction

log = logging.getLogger(__name__)


@shared_task(name="contactpro.interactions.close", acks_late=True)
def close_interaction(interaction_id: int, reason: str = "call_ended") -> str | None:
    """Close one interaction with its outcome and duration (idempotent), then survey it."""
    rt = runtime()
    try:
        with rt.db.session() as session:
            outcome = interactions.close_interaction(session, interaction_id, reason).outcome
    except NotFoundError:
        log.warning("close: no such interaction", extra={"interaction_id": interaction_id})
        return None
    send(index_interaction, interaction_id)
    if outcome == "auto_resolved" and rt.settings.survey_enabled:
        send(send_survey, interaction_id)
    return outcome


@shared_task(name="contactpro.interactions.survey", acks_late=True)
def send_survey(interaction_id: int) -> bool:
    """Text the one-question satisfaction survey (once per interaction)."""
    rt = runtime()
    with rt.db.session() as session:
        sent = survey.send_survey(session, rt.settings, telephony_for(rt.settings), interaction_id)
    return sent is not None


@shared_task(name="contactpro.interactions.close_idle", acks_late=True)
def close_idle_interactions() -> int:
    """Warn quiet SMS conversations, close those past their limit and calls never ended."""
    rt = runtime()
    ids = idle.sweep(rt.db, rt.settings, telephony_for(rt.settings), utcnow())
    for interaction_id in ids:
        close_interaction.run(interaction_id, "inactive")
    return len(ids)

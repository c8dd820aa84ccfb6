"""Hand-offs on the phone: queue, dial or voicemail, and what happened once handed over."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.conversations import interactions
from contactpro.models import Escalation, Interaction
from contactpro.voice.hours import is_open

log = logging.getLogger(__name__)

ENQUEUE, DIAL, VOICEMAIL = "enqueue", "dial", "voicemail"
# QueueResult values that mean a person took the call.
ANSWERED_QUEUE_RESULTS = frozenset({"bridged", "redirected", "redirected-from-bridged"})
# QueueResult values that mean the queue itself failed the caller.
FAILED_QUEUE_RESULTS = frozenset({"queue-full", "system-error", "error"})
# QueueResult values after which the caller is offered voicemail: they chose it, or the queue
# failed them.
VOICEMAIL_QUEUE_RESULTS = FAILED_QUEUE_RESULTS | {"leave"}
ANSWERED_DIAL_STATUSES = frozenset({"completed", "answered"})


def choose_handoff(settings: Settings, now: datetime) -> str:
    """Return how to reach a person now: voicemail outside business hours, else the mode."""
    if not is_open(settings.voice_business_hours, settings.voice_timezone, now):
        return VOICEMAIL
    return settings.voice_handoff


def offer_voicemail(settings: Settings, queue_time: int | None, avg_queue_time: int | None) -> bool:
    """Return True when a queued caller has waited, or will wait, longer than configured."""
    limit = settings.voice_max_queue_wait_seconds
    if limit <= 0:
        return False
    return (queue_time or 0) >= limit or (avg_queue_time or 0) >= limit


def escalation_of(session: Session, interaction: Interaction | None) -> Escalation | None:
    """Return the interaction's escalation, if any."""
    if interaction is None:
        return None
    return session.scalars(
        select(Escalation).where(Escalation.interaction_id == interaction.id)
    ).first()


def record_queue_result(
    session: Session, call_sid: str, queue_result: str, queue_time: int | None
) -> Interaction | None:
    """Store how the caller left the agent queue and how long they waited (a repeated or
    replayed result changes nothing more)."""
    interaction = interactions.find_by_sid(session, "voice", call_sid)
    escalation = escalation_of(session, interaction)
    if escalation is None:
        log.warning("queue result without an escalation", extra={"call_sid": call_sid})
    else:
        escalation.queue_result = queue_result[:20]
        escalation.queue_seconds = queue_time
        if queue_result == "hangup" and escalation.status == "open":
            escalation.status = "abandoned"
    _refresh_close_reason(session, interaction)
    return interaction


def record_dial_result(
    session: Session, call_sid: str, dial_status: str, dial_seconds: int | None
) -> Interaction | None:
    """Store how a dialled hand-off ended (``dial-<DialCallStatus>``) and the talk time."""
    interaction = interactions.find_by_sid(session, "voice", call_sid)
    escalation = escalation_of(session, interaction)
    if escalation is not None:
        escalation.queue_result = f"dial-{dial_status}"[:20]
        context = dict(escalation.context or {})
        context["dial"] = {"status": dial_status, "seconds": dial_seconds}
        escalation.context = context
    _refresh_close_reason(session, interaction)
    return interaction


def _refresh_close_reason(session: Session, interaction: Interaction | None) -> None:
    """A result that arrives after the call was closed still decides its close reason."""
    from contactpro.voice.outcomes import refresh_close_reason  # outcomes imports this module

    if interaction is not None:
        refresh_close_reason(session, interaction)

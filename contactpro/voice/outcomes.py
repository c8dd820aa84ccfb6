"""How a call ended, in more detail than the interaction's outcome: the results of a hand-off
(queue, dialled agent) as Twilio reports them, and the call's close reason.

The interaction's ``outcome`` stays one of auto_resolved / escalated / abandoned (what analytics
count); its ``close_reason`` says what happened on the phone.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.conversations import interactions
from contactpro.dialog.engine import HANGUP
from contactpro.models import Interaction, Recording, Turn
from contactpro.voice import handoff, waiting
from contactpro.voice.handoff import (
    ANSWERED_DIAL_STATUSES,
    ANSWERED_QUEUE_RESULTS,
    escalation_of,
)

log = logging.getLogger(__name__)

CLOSE_REASONS = (
    "auto_resolved",  # the bot answered and the caller left satisfied
    "bot_hung_up",  # the bot ended the call (goodbye) without resolving anything
    "hung_up_mid_flow",  # the caller hung up while talking to the bot
    "escalated_answered",  # handed over and a person took the call
    "abandoned_in_queue",  # handed over, the caller hung up before a person answered
    "escalated_unanswered",  # handed over, no person answered (dial failed, queue error...)
    "voicemail",  # the caller left a voicemail
    "voicemail_empty",  # the caller reached voicemail and left nothing
)


def call_end_reason(session: Session, interaction: Interaction, call_status: str) -> str:
    """Return what happened on a finished call (one of CLOSE_REASONS or ``call_<status>``)."""
    if call_status != "completed":
        return f"call_{call_status}"
    escalation = escalation_of(session, interaction)
    if escalation is not None:
        result = escalation.queue_result or ""
        dialled = result.removeprefix("dial-") if result.startswith("dial-") else None
        if result in ANSWERED_QUEUE_RESULTS or dialled in ANSWERED_DIAL_STATUSES:
            return "escalated_answered"
        voicemail = (escalation.context or {}).get("voicemail") or {}
        left = session.scalars(
            select(Recording.id).where(
                Recording.interaction_id == interaction.id, Recording.kind == "voicemail"
            )
        ).first()
        if left is not None and not voicemail.get("empty"):
            return "voicemail"
        if voicemail:
            return "voicemail_empty"
        if result == "hangup":
            return "abandoned_in_queue"
        return "escalated_unanswered"
    if (interaction.state or {}).get("resolved"):
        return "auto_resolved"
    last = session.scalars(
        select(Turn).where(Turn.interaction_id == interaction.id).order_by(Turn.sequence.desc())
    ).first()
    if last is not None and last.action == HANGUP:
        return "bot_hung_up"
    return "hung_up_mid_flow"


def close_reason(session: Session, interaction_id: int, call_status: str) -> str:
    """Return the close reason of a finished call (NotFoundError for an unknown id)."""
    interaction = interactions.get_interaction(session, interaction_id)
    return call_end_reason(session, interaction, call_status)


def refresh_close_reason(session: Session, interaction: Interaction) -> None:
    """Recompute a closed call's reason when a hand-off result arrives after the status."""
    if interaction.status == "closed" and interaction.twilio_status:
        interaction.close_reason = call_end_reason(session, interaction, interaction.twilio_status)


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


def queue_left(
    session: Session,
    settings: Settings,
    call_sid: str,
    queue_result: str,
    queue_time: int | None,
    language: str | None,
) -> Interaction | None:
    """Store how the caller left the agent queue and, as the bot's turn, the voicemail
    invitation they hear next (:func:`handoff.after_queue_prompt`) in ``language`` (None: the
    call's own), once."""
    interaction = record_queue_result(session, call_sid, queue_result, queue_time)
    prompt = handoff.after_queue_prompt(queue_result)
    waiting.store_prompt(session, settings, call_sid, prompt, language)
    return interaction


def dial_ended(
    session: Session,
    settings: Settings,
    call_sid: str,
    dial_status: str,
    dial_seconds: int | None,
    language: str | None,
) -> Interaction | None:
    """Store how the dialled hand-off ended and, as the bot's turn, what the caller hears next
    in ``language`` (None: the call's own): goodbye or the voicemail invitation
    (:func:`handoff.after_dial_prompt`), once."""
    interaction = record_dial_result(session, call_sid, dial_status, dial_seconds)
    prompt = handoff.after_dial_prompt(dial_status)
    waiting.store_prompt(session, settings, call_sid, prompt, language)
    return interaction


def _refresh_close_reason(session: Session, interaction: Interaction | None) -> None:
    """A result that arrives after the call was closed still decides its close reason."""
    if interaction is not None:
        refresh_close_reason(session, interaction)

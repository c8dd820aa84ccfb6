"""How a call ended, in more detail than the interaction's outcome.

The interaction's ``outcome`` stays one of auto_resolved / escalated / abandoned (what analytics
count); its ``close_reason`` says what happened on the phone.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.conversations import interactions
from contactpro.dialog.engine import HANGUP
from contactpro.models import Interaction, Recording, Turn
from contactpro.voice.handoff import (
    ANSWERED_DIAL_STATUSES,
    ANSWERED_QUEUE_RESULTS,
    escalation_of,
)

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

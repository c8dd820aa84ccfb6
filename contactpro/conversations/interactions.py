"""The life of an interaction: open, add turns, replay retries, close with an outcome."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from contactpro.config import Settings
from contactpro.dialog.handlers import cancellation
from contactpro.errors import NotFoundError
from contactpro.models import Customer, Escalation, Interaction, Turn, utcnow
from contactpro.models.interactions import MESSAGING_CHANNELS
from contactpro.phone import mask_phone, to_e164

log = logging.getLogger(__name__)

FINAL_CALL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
# The entity of a bot turn holding the question its reply asks, when the reply says more.
QUESTION = "question"
# The entity of a bot turn holding words a call played beyond the dialog's replies (the
# recording notice, a queue announcement); its value names the prompt.
PROMPT = "prompt"
# The entity of a turn whose stored reply ends with the keypad hint the call added to its
# question ("Si usas el teclado, termina con numeral."): the hint's words.
KEYPAD_HINT = "keypad_hint"
# How far along a message each of Twilio's statuses is: a callback that arrives late (Twilio
# does not promise their order; the journal replays them after an outage) never moves it back.
DELIVERY_PROGRESS = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "canceled": 4,
    "read": 5,
}


def find_customer(session: Session, number: str | None) -> Customer | None:
    """Return the customer whose phone is ``number`` (any formatting), if any."""
    e164 = to_e164(number)
    if e164 is None:
        return None
    return session.scalars(select(Customer).where(Customer.phone == e164)).first()


def find_by_sid(session: Session, channel: str, sid: str) -> Interaction | None:
    """Return the interaction Twilio knows by ``sid`` on ``channel``."""
    return session.scalars(
        select(Interaction).where(Interaction.channel == channel, Interaction.twilio_sid == sid)
    ).first()


def get_interaction(session: Session, interaction_id: int) -> Interaction:
    """Return an interaction by id or raise NotFoundError."""
    interaction = session.get(Interaction, interaction_id)
    if interaction is None:
        raise NotFoundError(f"no interaction {interaction_id}")
    return interaction


def open_interaction(
    session: Session,
    settings: Settings,
    *,
    channel: str,
    sid: str,
    from_number: str,
    to_number: str,
    now: datetime | None = None,
) -> Interaction:
    """Create an interaction, identifying the customer by the caller's number."""
    now = now or utcnow()
    customer = find_customer(session, from_number)
    interaction = Interaction(
        channel=channel,
        twilio_sid=sid,
        customer=customer,
        from_number=from_number,
        to_number=to_number,
        started_at=now,
        last_activity_at=now,
        status="active",
        language=customer.preferred_language if customer else None,
        state={},
    )
    session.add(interaction)
    session.flush()
    log.info(
        "interaction opened",
        extra={
            "interaction_id": interaction.id,
            "channel": channel,
            "twilio_sid": sid,
            "from": mask_phone(from_number),
            "known_customer": customer is not None,
        },
    )
    return interaction


def current_conversation(
    session: Session, channel: str, from_number: str, to_number: str
) -> Interaction | None:
    """Return the latest open SMS or WhatsApp conversation between these numbers, if any."""
    return session.scalars(
        select(Interaction)
        .options(joinedload(Interaction.customer))
        .where(
            Interaction.channel == channel,
            Interaction.from_number == from_number,
            Interaction.to_number == to_number,
            Interaction.status == "active",
        )
        .order_by(Interaction.last_activity_at.desc())
        .limit(1)
    ).first()


def find_turn(session: Session, twilio_key: str) -> Turn | None:
    """Return the turn stored for a Twilio request key (a retry of that request)."""
    return session.scalars(select(Turn).where(Turn.twilio_key == twilio_key)).first()


def last_question(session: Session, interaction: Interaction) -> str | None:
    """Return what the bot last asked the caller, leaving out its reprompts to silence, the
    prompts a call played on its own (``PROMPT``), the keypad hint a call added to it
    (``KEYPAD_HINT``) and the greeting around a question a call picked up again (its
    ``QUESTION`` entity)."""
    replies = session.execute(
        select(Turn.reply, Turn.entities)
        .where(Turn.interaction_id == interaction.id, Turn.reply.is_not(None), Turn.reply != "")
        .order_by(Turn.sequence.desc())
        .limit(10)
    )
    return next(
        (
            _asked(reply, entities or {})
            for reply, entities in replies
            if not (entities or {}).get("reprompt") and not (entities or {}).get(PROMPT)
        ),
        None,
    )


def _asked(reply: str, entities: dict[str, Any]) -> str:
    """Return the question a stored reply asked, without the keypad hint said after it."""
    asked: str = entities.get(QUESTION) or reply
    return asked.removesuffix(entities.get(KEYPAD_HINT) or "").strip()


def add_turn(session: Session, interaction: Interaction, **fields: object) -> Turn:
    """Append a turn with the next sequence number and touch the interaction.

    Two requests racing on one interaction pick the same sequence; the unique constraint makes
    the loser fail and the webhook runs it again on fresh state.
    """
    interaction.turn_count = (interaction.turn_count or 0) + 1
    turn = Turn(interaction_id=interaction.id, sequence=interaction.turn_count, **fields)
    session.add(turn)
    interaction.last_activity_at = utcnow()
    session.flush()
    return turn


def record_delivery_status(
    session: Session,
    message_sid: str,
    status: str,
    error_code: str | None,
    *,
    turn_id: int | None = None,
) -> Turn | None:
    """Store the delivery status of a reply we sent (turn ``turn_id``, else by MessageSid).

    Returns the turn, or None for a message we do not know.
    """
    turn = session.get(Turn, turn_id) if turn_id else None
    if turn is None:
        turn = find_turn(session, message_sid)
    if turn is None:
        log.warning("status for unknown message", extra={"message_sid": message_sid})
        return None
    new, old = DELIVERY_PROGRESS.get(status), DELIVERY_PROGRESS.get(turn.delivery_status or "")
    if new is not None and old is not None and new < old:
        return turn
    turn.delivery_status = status
    if error_code:
        turn.entities = {**(turn.entities or {}), "delivery_error": error_code}
    return turn


def call_ended(interaction: Interaction) -> bool:
    """Return True when Twilio reported the interaction's call finished (hung up, failed...)."""
    return interaction.channel == "voice" and interaction.twilio_status in FINAL_CALL_STATUSES


def record_call_status(
    session: Session, call_sid: str, status: str, duration_seconds: int | None
) -> Interaction | None:
    """Store Twilio's CallStatus; on a final status stamp the end and duration.

    Status callbacks may arrive out of order: a ``ringing`` or ``in-progress`` delivered after
    the final status never replaces it (the close reason is computed from it).
    Returns the interaction when the call has ended (so it can be closed), else None.
    """
    interaction = find_by_sid(session, "voice", call_sid)
    if interaction is None:
        log.warning("status for unknown call", extra={"call_sid": call_sid, "status": status})
        return None
    if status not in FINAL_CALL_STATUSES and interaction.twilio_status in FINAL_CALL_STATUSES:
        log.info("late call status ignored", extra={"call_sid": call_sid, "status": status})
        return None
    interaction.twilio_status = status
    if status not in FINAL_CALL_STATUSES:
        return None
    if interaction.ended_at is None:
        interaction.ended_at = utcnow()
    if duration_seconds is not None and duration_seconds >= 0:
        interaction.duration_seconds = duration_seconds
    return interaction


def outcome_of(session: Session, interaction: Interaction) -> str:
    """Decide the outcome: escalated, auto_resolved, or abandoned."""
    escalated = session.scalar(
        select(func.count(Escalation.id)).where(Escalation.interaction_id == interaction.id)
    )
    if escalated:
        return "escalated"
    if (interaction.state or {}).get("resolved"):
        return "auto_resolved"
    return "abandoned"


def close_interaction(
    session: Session, interaction_id: int, reason: str, now: datetime | None = None
) -> Interaction:
    """Close an interaction with its outcome and duration; closing twice changes nothing. A
    cancellation left waiting on its offer or confirmation is recorded abandoned."""
    interaction = get_interaction(session, interaction_id)
    if interaction.status == "closed":
        return interaction
    now = now or utcnow()
    ended = interaction.ended_at or (
        interaction.last_activity_at if interaction.channel in MESSAGING_CHANNELS else now
    )
    interaction.ended_at = ended
    if interaction.duration_seconds is None:
        interaction.duration_seconds = max(0, int((ended - interaction.started_at).total_seconds()))
    interaction.outcome = outcome_of(session, interaction)
    if interaction.outcome == "abandoned":
        # Left at the retention offer or the confirmation: the request is still the team's.
        cancellation.record_abandoned(session, interaction)
    interaction.status = "closed"
    interaction.close_reason = reason
    log.info(
        "interaction closed",
        extra={
            "interaction_id": interaction.id,
            "outcome": interaction.outcome,
            "duration_seconds": interaction.duration_seconds,
            "close_reason": reason,
        },
    )
    return interaction


def stale_calls(session: Session, settings: Settings, now: datetime) -> list[int]:
    """Return ids of open calls that ended, or whose end Twilio never reported."""
    voice_cutoff = now - timedelta(minutes=settings.voice_stale_minutes)
    rows = session.scalars(
        select(Interaction.id).where(
            Interaction.channel == "voice",
            Interaction.status == "active",
            (Interaction.last_activity_at < voice_cutoff) | Interaction.ended_at.is_not(None),
        )
    )
    return list(rows)

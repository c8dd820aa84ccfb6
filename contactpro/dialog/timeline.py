"""One timeline per customer: inactivity limits by segment, and continuing across channels.

An SMS conversation stays open while the customer keeps answering within their segment's limit
(12 h standard, 24 h premium, 48 h VIP by default); a warning goes out before it closes. A new
call or SMS from a customer whose last conversation was waiting for an answer picks that
conversation's flow up, so an SMS an hour after a call can continue it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.dialog.context import DialogState
from contactpro.dialog.templates import templates_for
from contactpro.messaging import outbound
from contactpro.models import Customer, Interaction
from contactpro.models.interactions import MESSAGING_CHANNELS
from contactpro.providers.telephony import Telephony

log = logging.getLogger(__name__)
CARRIED = ("flow", "awaiting", "pending_intent", "slots", "customer_id", "account_id")


def inactivity_limit(settings: Settings, segment: str | None) -> timedelta:
    """Return how long a conversation of this segment may stay quiet before it closes."""
    hours = {
        "premium": settings.inactivity_hours_premium,
        "vip": settings.inactivity_hours_vip,
    }.get(segment or "", settings.inactivity_hours_standard)
    return timedelta(hours=hours)


def segment_of(interaction: Interaction) -> str | None:
    """Return the segment of the interaction's customer, if known."""
    return interaction.customer.segment if interaction.customer else None


def is_fresh(settings: Settings, interaction: Interaction, now: datetime) -> bool:
    """Return True while the interaction is within its inactivity limit."""
    limit = inactivity_limit(settings, segment_of(interaction))
    return interaction.last_activity_at >= now - limit


def continue_timeline(
    session: Session, settings: Settings, interaction: Interaction, now: datetime
) -> Interaction | None:
    """Carry over an unfinished flow from the customer's previous conversation, if recent."""
    owner = (
        Interaction.customer_id == interaction.customer_id
        if interaction.customer_id is not None
        else Interaction.from_number == interaction.from_number
    )
    # The new interaction's pending state cannot change which earlier one is found: it is
    # written with the turn instead of in a flush of its own.
    with session.no_autoflush:
        previous = session.scalars(
            select(Interaction)
            .where(owner, Interaction.id != interaction.id)
            .order_by(Interaction.last_activity_at.desc())
            .limit(1)
        ).first()
    if previous is None or not is_fresh(settings, previous, now):
        return None
    earlier = DialogState.load(previous.state)
    if earlier.awaiting is None or earlier.escalated or earlier.awaiting == "confirm_resolution":
        return None
    state = DialogState.load(interaction.state)
    for name in CARRIED:
        setattr(state, name, getattr(earlier, name))
    # Verification carries over only to the same phone number.
    state.verified = earlier.verified and previous.from_number == interaction.from_number
    state.continued_from = previous.id
    interaction.state = state.dump()
    if interaction.customer_id is None and earlier.customer_id is not None:
        interaction.customer_id = earlier.customer_id
    if interaction.language is None:
        interaction.language = previous.language
    log.info(
        "conversation continued",
        extra={"interaction_id": interaction.id, "continued_from": previous.id},
    )
    return previous


def _time_left_to_warn(
    settings: Settings, interaction: Interaction, now: datetime
) -> timedelta | None:
    """Time left before an unwarned quiet SMS conversation closes, once it is due a warning."""
    state = DialogState.load(interaction.state)
    limit = inactivity_limit(settings, segment_of(interaction))
    quiet = now - interaction.last_activity_at
    warning = timedelta(minutes=settings.inactivity_warning_minutes)
    if state.warned or state.escalated or not (limit - warning <= quiet < limit):
        return None
    return limit - quiet


def conversations_to_warn(session: Session, settings: Settings, now: datetime) -> list[int]:
    """Return the open SMS conversations about to close for inactivity and not yet warned."""
    rows = session.scalars(
        select(Interaction).where(
            Interaction.channel.in_(MESSAGING_CHANNELS), Interaction.status == "active"
        )
    )
    return [i.id for i in rows if _time_left_to_warn(settings, i, now) is not None]


def warn_quiet_conversation(
    session: Session, settings: Settings, telephony: Telephony, interaction_id: int, now: datetime
) -> bool:
    """Message one customer that their conversation is about to close (once); True when sent.

    Checked again here, so a warning sent and committed before a worker died is not sent again
    when the task is redelivered; the caller commits each warning on its own.
    """
    interaction = session.get(Interaction, interaction_id)
    if interaction is None or interaction.status != "active":
        return False
    left = _time_left_to_warn(settings, interaction, now)
    if left is None:
        return False
    minutes = int(left.total_seconds() // 60)
    text = templates_for(settings).render(
        "inactivity_warning",
        interaction.language or settings.default_language,
        company=settings.company_name,
        minutes=minutes,
    )
    sent = outbound.send(
        session,
        settings,
        telephony,
        interaction,
        text,
        purpose="inactivity_warning",
        variables={"1": str(minutes)},
        now=now,
    )
    if sent.status == "failed":
        log.warning(
            "inactivity warning not sent",
            extra={"interaction_id": interaction.id, "reason": sent.reason},
        )
        return False
    # Sent, or not allowed outside WhatsApp's window (recorded): either way, warned once.
    state = DialogState.load(interaction.state)
    state.warned = True
    interaction.state = state.dump()
    return sent.status == "sent"


def quiet_sms_conversations(session: Session, settings: Settings, now: datetime) -> list[int]:
    """Return the open SMS conversations past their segment's inactivity limit."""
    shortest = min(
        settings.inactivity_hours_standard,
        settings.inactivity_hours_premium,
        settings.inactivity_hours_vip,
    )
    rows = session.execute(
        select(Interaction.id, Interaction.last_activity_at, Customer.segment)
        .outerjoin(Customer, Customer.id == Interaction.customer_id)
        .where(
            Interaction.channel.in_(MESSAGING_CHANNELS),
            Interaction.status == "active",
            Interaction.last_activity_at < now - timedelta(hours=shortest),
        )
    )
    return [
        row.id
        for row in rows
        if row.last_activity_at < now - inactivity_limit(settings, row.segment)
    ]

"""One timeline per customer: inactivity limits by segment, and continuing across channels.

An SMS conversation stays open while the customer keeps answering within their segment's limit
(12 h standard, 24 h premium, 48 h VIP by default); a warning goes out before it closes. A new
call or SMS from a customer whose last conversation was waiting for an answer picks that
conversation's flow up, so an SMS an hour after a call can continue it.

Picked up, the question left waiting is asked again before any answer counts: a call opens with
it, and a message that answers a confirmation nobody repeated gets it back instead of booking.
A new request made instead drops it. What the earlier conversation reached past the second
factor (debts, offers, an account) waits for that factor again when verification did not carry.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.dialog import identity
from contactpro.dialog.context import Decision, DialogState, TurnContext
from contactpro.dialog.engine import CLAIMS, CONFIRMATIONS, START, SWITCH_MIN_CONFIDENCE
from contactpro.dialog.templates import templates_for
from contactpro.messaging import outbound
from contactpro.models import Customer, Interaction
from contactpro.models.interactions import MESSAGING_CHANNELS
from contactpro.nlu.result import Understanding
from contactpro.providers.telephony import Telephony, telephony_for

log = logging.getLogger(__name__)
CARRIED = ("flow", "awaiting", "pending_intent", "slots", "customer_id", "account_id")
# Flows that go on past the second factor, and the request each starts afresh as once a caller
# whose verification did not carry over gives that factor again.
VERIFIED_FLOWS = {
    "debt": "debt_negotiation",
    "payment": "payment_made",
    "cancellation": "cancellation",
    "billing": "billing_inquiry",
}
# How many of the customer's latest conversations are looked at for one to continue.
LOOK_BACK = 5


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
        candidates = session.scalars(
            select(Interaction)
            .where(owner, Interaction.id != interaction.id)
            .order_by(Interaction.last_activity_at.desc())
            .limit(LOOK_BACK)
        ).all()
    # A conversation from another number that never passed the second factor may be anyone's
    # who typed the customer's id: it is never picked up on the customer's own call.
    previous = next(
        (
            c
            for c in candidates
            if c.from_number == interaction.from_number or DialogState.load(c.state).verified
        ),
        None,
    )
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
    if earlier.verified and not state.verified and (resumed := _resumed_as(earlier)):
        # Debts, offers and accounts were told to a verified caller: this one gives the second
        # factor before the request starts again (see :func:`reopen`).
        state.flow, state.awaiting, state.slots, state.pending_intent = None, None, {}, resumed
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


def superseded(session: Session, settings: Settings, thread: Interaction, now: datetime) -> bool:
    """Return True when a conversation of the customer on another channel, newer than this
    open message thread, still waits an answer: a text then answers that newer question (a
    call's "¿Lo acepto?"), not the one the thread asked hours before."""
    owner = (
        Interaction.customer_id == thread.customer_id
        if thread.customer_id is not None
        else Interaction.from_number == thread.from_number
    )
    newer = session.scalars(
        select(Interaction)
        .where(
            owner,
            Interaction.id != thread.id,
            Interaction.channel != thread.channel,
            Interaction.last_activity_at > thread.last_activity_at,
        )
        .order_by(Interaction.last_activity_at.desc())
        .limit(1)
    ).first()
    if newer is None or not is_fresh(settings, newer, now):
        return False
    if newer.from_number != thread.from_number and not DialogState.load(newer.state).verified:
        return False  # someone else's call with the customer's id is never picked up here
    waiting = DialogState.load(newer.state)
    return not (
        waiting.awaiting is None or waiting.escalated or waiting.awaiting == "confirm_resolution"
    )


def _resumed_as(state: DialogState) -> str | None:
    """Return the request a verified flow left waiting starts afresh as, if it is one."""
    if state.flow not in VERIFIED_FLOWS:
        return None
    if state.flow == "payment":
        return str(state.slots.get("purpose") or VERIFIED_FLOWS["payment"])
    return VERIFIED_FLOWS[state.flow]


def _must_verify(state: DialogState) -> bool:
    """Return True while a carried-over request waits for a second factor not yet asked for."""
    return state.awaiting is None and state.pending_intent is not None and not state.verified


def _ask_again(ctx: TurnContext, asked: str | None) -> str | None:
    """Return the question a carried-over conversation waits an answer to, asked again: the
    second factor when it is due, else the earlier conversation's last question (``asked``).
    With no question to repeat, nothing is left waiting silently."""
    state = ctx.state
    if (intent := state.pending_intent) is not None and _must_verify(state):
        question = identity.require(ctx, identity.VERIFIED, intent)
        if question is not None:
            return question.text
    if (identity_question := identity.ask_again(ctx)) is not None:
        return identity_question  # said afresh: the earlier words belong to its channel
    if state.awaiting and asked:
        return asked
    state.finish()
    return None


def reopen(
    session: Session,
    settings: Settings,
    interaction: Interaction,
    asked: str | None,
    now: datetime,
) -> str | None:
    """Return the question a carried-over call opens with (``asked`` is the last one the earlier
    conversation asked), or None when nothing waits an answer; the state is updated."""
    state = DialogState.load(interaction.state)
    if state.continued_from is None:
        return None
    language = interaction.language or settings.default_language
    silent = Understanding("out_of_scope", 0.0, "none", language)  # nothing was said yet
    ctx = TurnContext(
        session=session,
        settings=settings,
        interaction=interaction,
        state=state,
        understood=silent,
        text="",
        telephony=telephony_for(settings),
        now=now,
    )
    question = _ask_again(ctx, asked)
    interaction.state = state.dump()
    return question


def _new_request(ctx: TurnContext) -> bool:
    """Return True when the turn makes a request instead of answering what was left waiting.

    A weak reading of a request is enough before a confirmation: a yes to the earlier question
    must never book what the customer has moved on from.
    """
    state, understood = ctx.state, ctx.understood
    if understood.intent not in START or (state.awaiting is None and not _must_verify(state)):
        return False
    claims = CLAIMS.get(state.flow or "")
    if claims is not None and claims(ctx):
        return False
    sure = understood.tier in ("rules", "llm") or understood.confidence >= SWITCH_MIN_CONFIDENCE
    return sure or state.awaiting in CONFIRMATIONS  # a yes counts once asked here


def first_turn(ctx: TurnContext, asked: str | None, said: str | None) -> Decision | None:
    """Pick a carried-over conversation up on its first caller turn; None lets the dialog go on.

    A new request drops the step left waiting, and the dialog serves the request. When this
    conversation has not said the earlier one's last question (``asked``) again (``said`` is
    what it said last: nothing in a message thread, a language menu on a call), an answer to a
    confirmation or a request waiting for the second factor gets the question asked again
    rather than acted on.
    """
    state = ctx.state
    if state.continued_from is None or state.caller_turns or state.escalated:
        return None
    if _new_request(ctx):
        state.finish()
        return None
    repeated = bool(asked and said and asked in said)
    if repeated or not (_must_verify(state) or state.awaiting in CONFIRMATIONS):
        return None
    question = _ask_again(ctx, asked)
    if question is None:
        return None
    state.caller_turns += 1  # the dialog engine, which counts turns, is not asked this one
    state.steps.append("repeated_pending_question")
    return Decision(ctx.say("greeting_continue", prompt=question))


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

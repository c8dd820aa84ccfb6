"""Call-backs: the agents' list, the reminder of those due, and keeping one.

Two kinds are listed: those an agent scheduled (``callbacks`` rows), and those the bot promised
a caller who reached voicemail (an open escalation whose packet says ``voicemail.callback``),
due from the moment the caller hung up until an agent schedules one or resolves the escalation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpro.config import Settings, company_timezone
from contactpro.console.agent_queue import QUEUE_STATUSES, callback_requested, voicemail_of
from contactpro.console.settings import record_audit
from contactpro.console.users import has_role
from contactpro.dialog.localtime import zone_of
from contactpro.errors import ContactProError, NotFoundError
from contactpro.models import Agent, Callback, Customer, Escalation, Interaction, utcnow

# A call-back is "due" this long before its time, so the agent can get ready.
DUE_AHEAD_MINUTES = 15
STATUSES = ("scheduled", "done", "missed")


class CallbackError(ContactProError):
    """A call-back cannot change from its current state."""

    reason = "callback_closed"


class CallbackRefused(ContactProError):
    """Only the holder of the call-back's escalation (or a manager) may mark it done."""

    reason = "callback_not_holder"


@dataclass(frozen=True)
class CallbackRow:
    """One line of the call-back list."""

    id: int
    escalation_id: int
    scheduled_for: datetime
    phone: str
    customer: str | None
    agent: str | None
    note: str | None
    status: str
    due: bool
    # The time on the customer's clock and their zone, when it is not the company's.
    customer_time: datetime | None = None
    customer_zone: str | None = None


def due_by(now: datetime | None = None) -> datetime:
    """Return the time up to which a scheduled call-back counts as due."""
    return (now or utcnow()) + timedelta(minutes=DUE_AHEAD_MINUTES)


def scheduled(
    session: Session, now: datetime | None = None, settings: Settings | None = None
) -> list[CallbackRow]:
    """Return every scheduled call-back, soonest first, marking those due (or overdue); with
    ``settings``, each with the time on the customer's clock where it is not the company's."""
    limit = due_by(now)
    rows = session.execute(
        select(Callback, Customer, Agent.name)
        .join(Escalation, Escalation.id == Callback.escalation_id)
        .outerjoin(Customer, Customer.id == Escalation.customer_id)
        .outerjoin(Agent, Agent.id == Callback.agent_id)
        .where(Callback.status == "scheduled")
        .order_by(Callback.scheduled_for, Callback.id)
    ).all()
    company = company_timezone(settings) if settings is not None else None
    found = []
    for cb, customer, agent in rows:
        zone = zone_of(settings, customer, cb.phone) if settings is not None else None
        if zone is not None and zone.key == company:
            zone = None  # the company's clock is shown already
        found.append(
            CallbackRow(
                id=cb.id,
                escalation_id=cb.escalation_id,
                scheduled_for=cb.scheduled_for,
                phone=cb.phone,
                customer=customer.name if customer is not None else None,
                agent=agent,
                note=cb.note,
                status=cb.status,
                due=cb.scheduled_for <= limit,
                customer_time=cb.scheduled_for.astimezone(zone) if zone else None,
                customer_zone=zone.key if zone else None,
            )
        )
    return found


@dataclass(frozen=True)
class RequestedCallback:
    """A call back the bot promised a caller at voicemail, not yet scheduled by an agent."""

    escalation_id: int
    since: datetime
    phone: str
    customer: str | None
    agent: str | None
    voicemail: str
    transcript: str | None


def requested(session: Session) -> list[RequestedCallback]:
    """Return the call-backs promised at voicemail and still waiting, oldest first: open work
    (open, claimed or abandoned) for which no agent has scheduled a call-back yet."""
    rows = session.execute(
        select(Escalation, Interaction.from_number, Customer.name, Agent.name)
        .join(Interaction, Interaction.id == Escalation.interaction_id)
        .outerjoin(Customer, Customer.id == Escalation.customer_id)
        .outerjoin(Agent, Agent.id == Escalation.agent_id)
        .where(
            Escalation.status.in_(QUEUE_STATUSES),
            Interaction.channel == "voice",
            ~select(Callback.id).where(Callback.escalation_id == Escalation.id).exists(),
        )
        .order_by(Escalation.created_at, Escalation.id)
    ).all()
    found = []
    for escalation, phone, customer, agent in rows:
        if not callback_requested(escalation):
            continue
        voicemail = voicemail_of(escalation) or {}
        found.append(
            RequestedCallback(
                escalation_id=escalation.id,
                since=escalation.created_at,
                phone=phone,
                customer=customer,
                agent=agent,
                voicemail="empty" if voicemail.get("empty") else "left",
                transcript=voicemail.get("transcript") or None,
            )
        )
    return found


def due_count(session: Session, now: datetime | None = None) -> int:
    """Return how many call-backs are due within the reminder window or overdue, the ones
    promised at voicemail included."""
    scheduled_due = session.scalar(
        select(func.count(Callback.id)).where(
            Callback.status == "scheduled", Callback.scheduled_for <= due_by(now)
        )
    )
    return int(scheduled_due or 0) + len(requested(session))


def mark_done(session: Session, callback_id: int, agent: Agent) -> Callback:
    """Record that the promised call was made (the escalation's holder, or a manager)."""
    callback = session.get(Callback, callback_id)
    if callback is None:
        raise NotFoundError(f"no call-back {callback_id}")
    escalation = session.get(Escalation, callback.escalation_id)
    holder = escalation.agent_id if escalation is not None else None
    if holder != agent.id and not has_role(agent, "manager"):
        raise CallbackRefused("only the agent holding the escalation may mark its call-back done")
    if callback.status != "scheduled":
        raise CallbackError(f"the call-back is already {callback.status}")
    callback.status = "done"
    record_audit(
        session,
        agent.id,
        "callback.done",
        f"escalation:{callback.escalation_id}",
        before={"callback_id": callback.id, "status": "scheduled"},
        after={"callback_id": callback.id, "status": "done"},
    )
    return callback

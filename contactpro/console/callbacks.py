"""Scheduled call-backs: the agents' list, the reminder of those due, and keeping one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpro.console.settings import record_audit
from contactpro.errors import ContactProError, NotFoundError
from contactpro.models import Agent, Callback, Customer, Escalation, utcnow

# A call-back is "due" this long before its time, so the agent can get ready.
DUE_AHEAD_MINUTES = 15
STATUSES = ("scheduled", "done", "missed")


class CallbackError(ContactProError):
    """A call-back cannot change from its current state."""

    reason = "callback_closed"


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


def due_by(now: datetime | None = None) -> datetime:
    """Return the time up to which a scheduled call-back counts as due."""
    return (now or utcnow()) + timedelta(minutes=DUE_AHEAD_MINUTES)


def scheduled(session: Session, now: datetime | None = None) -> list[CallbackRow]:
    """Return every scheduled call-back, soonest first, marking those due (or overdue)."""
    limit = due_by(now)
    rows = session.execute(
        select(Callback, Customer.name, Agent.name)
        .join(Escalation, Escalation.id == Callback.escalation_id)
        .outerjoin(Customer, Customer.id == Escalation.customer_id)
        .outerjoin(Agent, Agent.id == Callback.agent_id)
        .where(Callback.status == "scheduled")
        .order_by(Callback.scheduled_for, Callback.id)
    ).all()
    return [
        CallbackRow(
            id=cb.id,
            escalation_id=cb.escalation_id,
            scheduled_for=cb.scheduled_for,
            phone=cb.phone,
            customer=customer,
            agent=agent,
            note=cb.note,
            status=cb.status,
            due=cb.scheduled_for <= limit,
        )
        for cb, customer, agent in rows
    ]


def due_count(session: Session, now: datetime | None = None) -> int:
    """Return how many scheduled call-backs are due within the reminder window or overdue."""
    return int(
        session.scalar(
            select(func.count(Callback.id)).where(
                Callback.status == "scheduled", Callback.scheduled_for <= due_by(now)
            )
        )
        or 0
    )


def mark_done(session: Session, callback_id: int, agent: Agent) -> Callback:
    """Record that the promised call was made."""
    callback = session.get(Callback, callback_id)
    if callback is None:
        raise NotFoundError(f"no call-back {callback_id}")
    if callback.status != "scheduled":
        raise CallbackError(f"the call-back is already {callback.status}")
    callback.status = "done"
    record_audit(
        session,
        agent.id,
        "callback.done",
        f"escalation:{callback.escalation_id}",
        after={"callback_id": callback.id},
    )
    return callback

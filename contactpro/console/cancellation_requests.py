"""The team's work list of cancellation requests: offers to apply, cancellations to process.

The bot records each request (:class:`~contactpro.models.CancellationRequest`) and promises
the customer that the team applies the accepted offer or processes the cancellation; this list
is how the team keeps that promise. A retained request with an offer waits to be *applied*, a
cancelled one to be *processed*; escalated and withdrawn ones need nothing here (an escalation
is worked in the queue). Marking one done records who and when, in the audit log too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from contactpro.console.settings import record_audit
from contactpro.errors import ContactProError, NotFoundError
from contactpro.models import Account, Agent, CancellationRequest, Customer, Escalation, utcnow
from contactpro.privacy.display import mask_identifier

Translate = Callable[[str], str]

OUTCOMES = ("retained", "cancelled", "escalated", "withdrawn", "abandoned")
STATUSES = ("pending", "done")
# The words of each outcome, and of a done request by outcome ("applied" / "processed").
OUTCOME_KEYS = {outcome: f"creq_outcome_{outcome}" for outcome in OUTCOMES}
DONE_KEYS = {"retained": "creq_status_applied", "cancelled": "creq_status_processed"}


class RequestClosedError(ContactProError):
    """The request needs no work, or was already marked done."""

    reason = "request_closed"


@dataclass(frozen=True)
class RequestRow:
    """One line of the list."""

    id: int
    customer: str | None
    account: str
    quadrant: str
    offer: str | None
    outcome: str
    created_at: datetime
    interaction_id: int | None
    escalation_id: int | None
    processed_at: datetime | None
    processed_by: str | None

    @property
    def actionable(self) -> bool:
        """Return True when the team has something to do: apply an offer or cancel."""
        return actionable(self.outcome, self.offer)

    @property
    def status(self) -> str | None:
        """Return ``pending`` or ``done`` for actionable requests, else None."""
        if not self.actionable:
            return None
        return "done" if self.processed_at else "pending"


def actionable(outcome: str, offer: str | None) -> bool:
    """Return True for an accepted offer to apply or a cancellation to process."""
    return outcome == "cancelled" or (outcome == "retained" and bool(offer))


def status_key(row: RequestRow) -> str:
    """Return the words key of a row's status: pending, applied, processed, or nothing to do."""
    if row.status is None:
        return "creq_status_none"
    if row.status == "pending":
        return "creq_status_pending"
    return DONE_KEYS[row.outcome]


def requests(
    session: Session, outcome: str | None = None, status: str | None = None
) -> list[RequestRow]:
    """Return the cancellation requests newest first, optionally of one outcome and status
    (``pending`` or ``done``: requests with nothing to do match neither)."""
    processor = aliased(Agent)
    query = (
        select(CancellationRequest, Customer.name, Account.number, Escalation.id, processor.name)
        .join(Account, Account.id == CancellationRequest.account_id)
        .outerjoin(Customer, Customer.id == Account.customer_id)
        .outerjoin(Escalation, Escalation.interaction_id == CancellationRequest.interaction_id)
        .outerjoin(processor, processor.id == CancellationRequest.processed_by)
        .order_by(CancellationRequest.created_at.desc(), CancellationRequest.id.desc())
    )
    if outcome:
        query = query.where(CancellationRequest.outcome == outcome)
    rows = [
        RequestRow(
            id=req.id,
            customer=customer,
            account=mask_identifier(account),
            quadrant=req.quadrant,
            offer=req.offer,
            outcome=req.outcome,
            created_at=req.created_at,
            interaction_id=req.interaction_id,
            escalation_id=escalation_id,
            processed_at=req.processed_at,
            processed_by=by,
        )
        for req, customer, account, escalation_id, by in session.execute(query).all()
    ]
    # An interaction has at most one escalation; keep one line per request regardless.
    seen: set[int] = set()
    unique = []
    for row in rows:
        if row.id not in seen:
            seen.add(row.id)
            unique.append(row)
    return [row for row in unique if status is None or row.status == status]


def mark_done(session: Session, request_id: int, agent: Agent) -> CancellationRequest:
    """Record that the team applied the offer or processed the cancellation (audited)."""
    row = session.get(CancellationRequest, request_id)
    if row is None:
        raise NotFoundError(f"no cancellation request {request_id}")
    if not actionable(row.outcome, row.offer) or row.processed_at is not None:
        raise RequestClosedError(f"cancellation request {request_id} needs nothing more")
    row.processed_at, row.processed_by = utcnow(), agent.id
    record_audit(
        session,
        agent.id,
        "cancellation.done",
        f"cancellation:{row.id}",
        {"processed": False},
        {"processed": True, "outcome": row.outcome, "offer": row.offer},
    )
    return row

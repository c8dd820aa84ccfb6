"""An access request: everything ContactPro holds about one customer, as one JSON document."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.models import (
    Account,
    Base,
    Callback,
    CancellationRequest,
    Customer,
    CustomerScore,
    Escalation,
    Interaction,
    InteractionScore,
    Invoice,
    MessageMedia,
    OutboundMessage,
    Payment,
    PaymentAgreement,
    Recording,
    SurveyResponse,
    Turn,
)
from contactpro.privacy import files
from contactpro.privacy.subjects import interaction_ids

FORMAT_VERSION = 1


def row_dict(row: Base) -> dict[str, Any]:
    """Return a row's columns as JSON-ready values."""
    out: dict[str, Any] = {}
    for column in inspect(row).mapper.column_attrs:
        value = getattr(row, column.key)
        out[column.key] = (
            value
            if isinstance(value, (str, int, float, bool, dict, list)) or (value is None)
            else str(value)
        )
    return out


def export_customer(session: Session, settings: Settings, customer: Customer) -> dict[str, Any]:
    """Return every row about ``customer``, table by table, plus their archived conversations."""
    ids = interaction_ids(session, customer)
    accounts = session.scalars(select(Account).where(Account.customer_id == customer.id)).all()
    account_ids = [a.id for a in accounts]
    of_account = {
        "invoices": select(Invoice).where(Invoice.account_id.in_(account_ids)),
        "payments": select(Payment).where(Payment.account_id.in_(account_ids)),
        "payment_agreements": select(PaymentAgreement).where(
            PaymentAgreement.account_id.in_(account_ids)
        ),
        "cancellation_requests": select(CancellationRequest).where(
            CancellationRequest.account_id.in_(account_ids)
        ),
    }
    of_conversation = {
        "interactions": select(Interaction).where(Interaction.id.in_(ids)),
        "turns": select(Turn).where(Turn.interaction_id.in_(ids)),
        "escalations": select(Escalation).where(
            or_(Escalation.interaction_id.in_(ids), Escalation.customer_id == customer.id)
        ),
        "callbacks": select(Callback).where(
            or_(
                Callback.phone == customer.phone,
                Callback.escalation_id.in_(
                    select(Escalation.id).where(Escalation.interaction_id.in_(ids))
                ),
            )
        ),
        "recordings": select(Recording).where(Recording.interaction_id.in_(ids)),
        "message_media": select(MessageMedia).where(MessageMedia.interaction_id.in_(ids)),
        "outbound_messages": select(OutboundMessage).where(OutboundMessage.interaction_id.in_(ids)),
        "survey_responses": select(SurveyResponse).where(
            or_(SurveyResponse.customer_id == customer.id, SurveyResponse.phone == customer.phone)
        ),
        "interaction_scores": select(InteractionScore).where(
            InteractionScore.interaction_id.in_(ids)
        ),
        "customer_scores": select(CustomerScore).where(CustomerScore.customer_id == customer.id),
    }
    tables: dict[str, list[dict[str, Any]]] = {
        "customers": [row_dict(customer)],
        "accounts": [row_dict(a) for a in accounts],
    }
    for name, query in {**of_account, **of_conversation}.items():
        tables[name] = [row_dict(r) for r in session.scalars(query)]
    return {
        "format": FORMAT_VERSION,
        "customer_id": customer.id,
        "tables": tables,
        "archives": archived_rows(settings, customer, ids),
    }


def archived_rows(settings: Settings, customer: Customer, ids: list[int]) -> list[dict[str, Any]]:
    """Return the rows of the retention archives that belong to the customer."""
    wanted = set(ids)
    rows: list[dict[str, Any]] = []
    for path in files.personal_files(settings):
        if not path.name.endswith(".jsonl.gz"):
            continue
        for row in files.read_archive(path):
            if row.get("interaction_id") in wanted or row.get("customer_id") == customer.id:
                rows.append({"file": path.name, **row})
    return rows

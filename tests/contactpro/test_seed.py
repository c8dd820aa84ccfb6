"""Synthetic customers look real and add up."""

from decimal import Decimal

from sqlalchemy import func, select

from contactpro.models import Account, Customer, Invoice, Payment
from contactpro.phone import to_e164
from devtools.seed import seed_customers


def test_seed_creates_consistent_billing(session):
    summary = seed_customers(session, 40, seed=3)
    session.commit()
    assert summary.customers == session.scalar(select(func.count(Customer.id))) == 40
    assert summary.accounts == session.scalar(select(func.count(Account.id)))
    assert summary.payments == session.scalar(select(func.count(Payment.id)))
    customers = session.scalars(select(Customer)).all()
    assert all(to_e164(c.phone) == c.phone for c in customers)
    assert {c.preferred_language for c in customers} == {"es", "en"}
    for invoice in session.scalars(select(Invoice)).all():
        assert sum(Decimal(item["amount"]) for item in invoice.items) == invoice.total
    delinquent = session.scalars(select(Account).where(Account.status == "delinquent")).all()
    assert delinquent and all(a.debt_amount > 0 or a.days_past_due == 0 for a in delinquent)
    again = seed_customers(session, 5, seed=3)
    session.commit()
    assert again.customers == 5 and session.scalar(select(func.count(Customer.id))) == 45

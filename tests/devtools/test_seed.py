"""Synthetic customers look real and add up."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
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


@pytest.mark.parametrize("today", [date(2026, 12, 1), date(2026, 12, 3), date(2027, 3, 15)])
def test_seed_dates_no_payment_after_today(session, today):
    seed_customers(session, 60, seed=11, today=today)
    session.commit()
    payments = session.scalars(select(Payment)).all()
    assert payments
    start_of_today = datetime.combine(today, time(), tzinfo=UTC)
    assert all(p.paid_at.replace(tzinfo=UTC) < start_of_today for p in payments)
    for payment in payments:
        assert payment.paid_at.date() > payment.invoice.period_end
    customers = session.scalars(select(Customer)).all()
    assert len({c.email for c in customers}) == len(customers) == 60


@pytest.mark.parametrize("today", [date(2026, 12, 5), date(2026, 12, 20), date(2027, 3, 1)])
def test_seeded_accounts_state_what_their_invoices_and_payments_say(session, today):
    """Balance, debt, days past due and status are the invoices' and payments' own figures."""
    seed_customers(session, 60, seed=7, today=today)
    session.commit()
    accounts = session.scalars(select(Account)).all()
    for account in accounts:
        paid = {p.invoice_id: p.amount for p in account.payments}
        unpaid = [i for i in account.invoices if i.status != "paid"]
        assert all(paid[i.id] == i.total for i in account.invoices if i.status == "paid")
        owed = sum((i.total - paid.get(i.id, Decimal(0)) for i in unpaid), Decimal(0))
        assert account.balance == owed, account.number
        late = [i for i in unpaid if i.due_date < today]
        assert all(i.status == "overdue" for i in late)
        assert all(i.status == "open" for i in unpaid if i.due_date >= today)
        assert account.debt_amount == sum((i.total for i in late), Decimal(0))
        oldest = min((i.due_date for i in late), default=today)
        assert account.days_past_due == (today - oldest).days, account.number
        assert account.status == ("delinquent" if late else "active")
        assert account.due_date == account.invoices[-1].due_date
    assert any(a.days_past_due > 0 for a in accounts)
    # Until the 15th last month's bill is owed but not yet due: a balance above the debt.
    assert any(a.balance > a.debt_amount for a in accounts) == (today.day <= 15)

"""Conversation tests: the SMS thread and phone call drivers, customers, and the rows to check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from contactpro.models import (
    Customer,
    Escalation,
    Interaction,
    Payment,
    PaymentAgreement,
)
from devtools.conversations import PhoneCall, SmsThread
from devtools.seed import add_two_bills
from tests.conftest import TwilioClient


def all_rows(session, model: type) -> list:
    """Return every row of ``model`` as the database holds it now."""
    session.expire_all()
    return list(session.scalars(select(model)))


def agreements(session) -> list[PaymentAgreement]:
    """Return every payment agreement booked."""
    return all_rows(session, PaymentAgreement)


def escalations(session) -> list[Escalation]:
    """Return every escalation written."""
    return all_rows(session, Escalation)


def nothing_booked_or_escalated(session) -> bool:
    """Return True when no agreement was booked and nobody was handed over."""
    return agreements(session) == [] and escalations(session) == []


def latest_interaction(session) -> Interaction:
    """Return the conversation written last."""
    session.expire_all()
    return session.scalars(select(Interaction).order_by(Interaction.id.desc())).first()


def latest_state(session) -> dict:
    """Return the dialog state of the conversation written last."""
    return latest_interaction(session).state


@pytest.fixture
def sms(twilio: TwilioClient) -> Callable[[str], SmsThread]:
    """Open an SMS thread from a number."""
    return lambda phone: SmsThread(twilio, phone)


@pytest.fixture
def call(twilio: TwilioClient) -> Callable[[str], PhoneCall]:
    """Place a call from a number."""
    return lambda phone: PhoneCall(twilio, phone)


@pytest.fixture
def debtor(session, customer_factory) -> Customer:
    """A Colombian customer 75 days past due on 450.000 pesos."""
    customer = customer_factory(phone="+573001112233", balance="540000")
    account = customer.accounts[0]
    account.debt_amount, account.days_past_due, account.status = Decimal("450000"), 75, "delinquent"
    session.commit()
    return customer


@pytest.fixture
def cedula_holder(session, customer_factory) -> Customer:
    """A debtor (cédula 1019673750, born 1990, contract 80000001230), 75 days past due on
    450.000 pesos, who may write from another number."""
    customer = customer_factory(phone="+573001112233", balance="540000")
    customer.national_id, customer.birth_year = "1019673750", 1990
    account = customer.accounts[0]
    account.debt_amount, account.days_past_due, account.status = Decimal("450000"), 75, "delinquent"
    account.contract_number = "80000001230"
    session.commit()
    return customer


@pytest.fixture
def billed(session, customer_factory) -> Callable[..., Customer]:
    """A customer with two invoices (the last one higher) and a recent payment."""

    def make(phone: str = "+573001112233", language: str = "es") -> Customer:
        currency = "COP" if language == "es" else "USD"
        customer = customer_factory(
            phone=phone,
            language=language,
            currency=currency,
            balance="107000" if language == "es" else "64.00",
            name="Camila Rojas Pérez" if language == "es" else "Grace Miller",
        )
        account = customer.accounts[0]
        base = add_two_bills(session, account, language, phone[-6:])
        session.add(
            Payment(
                account=account,
                amount=base,
                method="pse",
                reference=f"P{phone[-6:]}",
                paid_at=datetime.now(UTC) - timedelta(days=3),
            )
        )
        session.commit()
        return customer

    return make

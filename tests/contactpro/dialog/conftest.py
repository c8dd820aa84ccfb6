"""Conversation tests: the SMS thread and phone call drivers, customers, and the rows to check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from contactpro.console.users import find_by_email
from contactpro.dialog.localtime import local_today, zone_of
from contactpro.models import (
    Account,
    Customer,
    CustomerScore,
    Escalation,
    Interaction,
    Payment,
    PaymentAgreement,
    utcnow,
)
from contactpro.providers.telephony import telephony_for
from devtools.conversations import PhoneCall, SmsThread
from devtools.seed import add_two_bills
from tests.conftest import TwilioClient
from tests.webhooks.console.conftest import add_users, login

SPANISH = "+573001112233"
ENGLISH = "+13055550123"


def bot_today(app) -> date:
    """Return today on the bot's calendar, the company's (from 00:00 to 05:00 UTC it is still
    yesterday in America/Bogota): dates the bot says count from it."""
    return local_today(zone_of(app.extensions["contactpro"].settings, None))


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


def one_agreement(session) -> PaymentAgreement:
    """Return the one payment agreement booked (there must be exactly one)."""
    [agreement] = agreements(session)
    return agreement


def sent_sms(app) -> list[dict[str, str]]:
    """Return the text messages sent through the telephony provider."""
    return telephony_for(app.extensions["contactpro"].settings).sent


def make_overdue(session, customer: Customer, debt: str, days: int) -> Customer:
    """Put the customer's first account ``days`` past due on ``debt``."""
    account = customer.accounts[0]
    account.debt_amount, account.days_past_due, account.status = Decimal(debt), days, "delinquent"
    session.commit()
    return customer


def add_account(
    session,
    customer: Customer,
    number: str,
    debt: str = "0",
    days: int = 0,
    *,
    currency: str = "COP",
    plan: str = "Móvil 20 GB",
    charge: str = "59900",
    balance: str | None = None,
    due_in: int = 5,
) -> Account:
    """Add an account (a mobile line by default) due in ``due_in`` days: delinquent ``days``
    past due on ``debt`` when it owes, else active; its balance is the debt plus the charge
    unless given."""
    account = Account(
        customer=customer,
        number=number,
        plan=plan,
        monthly_charge=Decimal(charge),
        currency=currency,
        balance=Decimal(balance) if balance is not None else Decimal(debt) + Decimal(charge),
        due_date=date.today() + timedelta(days=due_in),
        status="delinquent" if Decimal(debt) else "active",
        debt_amount=Decimal(debt),
        days_past_due=days,
    )
    session.add(account)
    session.commit()
    return account


def add_us_account(
    session, customer: Customer, number: str, debt: str = "0", days: int = 0, balance: str = "35.00"
) -> Account:
    """Add an American mobile line billing 35 dollars a month, due in 9 days."""
    return add_account(
        session,
        customer,
        number,
        debt,
        days,
        currency="USD",
        plan="Mobile 20 GB",
        charge="35",
        balance=balance,
        due_in=9,
    )


def add_payment(
    session, account: Account, amount: Decimal | str, reference: str = "P1", days_ago: int = 2
) -> Payment:
    """Record a PSE payment on ``account`` made ``days_ago`` days ago."""
    payment = Payment(
        account=account,
        amount=Decimal(amount),
        method="pse",
        reference=reference,
        paid_at=datetime.now(UTC) - timedelta(days=days_ago),
    )
    session.add(payment)
    session.commit()
    return payment


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
    return make_overdue(session, customer_factory(phone=SPANISH, balance="540000"), "450000", 75)


@pytest.fixture
def english_debtor(session, customer_factory) -> Customer:
    """An American customer 200 days past due on 240 dollars."""
    customer = customer_factory(
        phone=ENGLISH, language="en", currency="USD", balance="300", name="Grace Miller"
    )
    return make_overdue(session, customer, "240.00", 200)


@pytest.fixture
def cedula_holder(session, customer_factory) -> Customer:
    """A debtor (cédula 1019673750, born 1990, contract 80000001230), 75 days past due on
    450.000 pesos, who may write from another number."""
    customer = customer_factory(phone=SPANISH, balance="540000")
    customer.national_id, customer.birth_year = "1019673750", 1990
    customer.accounts[0].contract_number = "80000001230"
    return make_overdue(session, customer, "450000", 75)


@pytest.fixture
def billed(session, customer_factory) -> Callable[..., Customer]:
    """A customer with two invoices (the last one higher) and a recent payment."""

    def make(phone: str = SPANISH, language: str = "es") -> Customer:
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
        add_payment(session, account, base, reference=f"P{phone[-6:]}", days_ago=3)
        return customer

    return make


def place(session, customer: Customer, quadrant: str, conformity: float) -> None:
    """Put ``customer`` in a quadrant of the priority matrix, as an analysis run would; commit."""
    session.add(
        CustomerScore(
            customer_id=customer.id,
            conformity=conformity,
            billing=Decimal("200"),
            interactions=3,
            quadrant=quadrant,
            computed_at=utcnow(),
        )
    )
    session.commit()


def agent_views(app, session, escalation_id: int) -> tuple[str, str, dict]:
    """Return the agent's escalation page in Spanish and English, and its JSON."""
    if find_by_email(session, "ana@example.com") is None:
        add_users(session)
    agent = app.test_client()
    login(agent, "ana@example.com")
    spanish = agent.get(f"/console/escalations/{escalation_id}?lang=es").text
    english = agent.get(f"/console/escalations/{escalation_id}?lang=en").text
    return spanish, english, agent.get(f"/console/api/escalations/{escalation_id}").json


def gathered(page: str) -> str:
    """Return the text of the page's list of gathered facts."""
    start = page.index('id="handoff-details"')
    return page[start : page.index("</ul>", start)]

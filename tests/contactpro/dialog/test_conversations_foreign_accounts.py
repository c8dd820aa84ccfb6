"""Customers with money questions over SMS: another customer's account named, and "why is my
bill so high?" asked by a customer with several accounts.

A verified customer who names an account that is not theirs is told so, is never served on
that account nor told anything of it, and is answered on their own accounts. A customer with
several accounts who asks why the bill went up hears, account by account, how the last bill
compares with the one before (what grew) and the overdue debt each balance carries.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from decimal import Decimal

from contactpro.models import Account, Customer, Invoice
from devtools.seed import add_two_bills
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_account,
    add_us_account,
    agreements,
    make_overdue,
    sent_sms,
)

OWN, OWN_LINE = "0000120451", "3104447654"
# Another customer's account (Julián's), owing 333.333 pesos or 77.77 dollars.
OTHERS = "0000777001"


def plain(text: str) -> str:
    """Return ``text`` without accents (a long SMS goes out in GSM-7 letters)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def someone_else(session, currency: str = "COP") -> Account:
    """Add another customer (another phone, another id) whose account is 0000777001, overdue."""
    customer = Customer(
        name="Julián Pardo Ríos",
        phone="+573009998877",
        national_id="79555123",
        national_id_type="CC",
        birth_year=1970,
        preferred_language="es",
        segment="standard",
        city="Cali",
    )
    owed = Decimal("333333") if currency == "COP" else Decimal("77.77")
    account = Account(
        customer=customer,
        number=OTHERS,
        plan="Hogar Internet 100 Mb",
        monthly_charge=Decimal("89900"),
        currency=currency,
        balance=owed,
        due_date=date.today() + timedelta(days=5),
        status="delinquent",
        debt_amount=owed,
        days_past_due=64,
    )
    session.add_all([customer, account])
    session.commit()
    return account


def same_bills(session, account: Account, amount: str, tag: str) -> None:
    """Give ``account`` an October and a November bill of the same ``amount``."""
    for month in (10, 11):
        session.add(
            Invoice(
                account=account,
                number=f"S{tag}{month}",
                period_start=date(2026, month, 1),
                period_end=date(2026, month, 28),
                issued_on=date(2026, month, 28),
                due_date=date(2026, month, 28) + timedelta(days=14),
                total=Decimal(amount),
                status="open",
                items=[{"description": "Plan", "amount": amount}],
            )
        )
    session.commit()


# --- another customer's account named ------------------------------------------------------------


def test_balance_of_someone_elses_account_is_refused_and_own_accounts_told(
    sms, customer_factory, session
):
    customer = customer_factory(phone=SPANISH)
    add_account(session, customer, OWN_LINE)
    someone_else(session)
    reply = plain(sms(SPANISH).send_all("cuanto debo en la cuenta 0000777001", "4050"))
    assert "terminada en 7001 no esta a tu nombre" in reply
    assert "333.333" not in reply and "64 dias" not in reply and OTHERS not in reply
    assert OWN in reply and OWN_LINE in reply


def test_agreement_asked_on_someone_elses_account_is_offered_and_booked_on_own(
    sms, customer_factory, session
):
    debtor = make_overdue(session, customer_factory(phone=SPANISH), "450000", 75)
    theirs = someone_else(session)
    thread = sms(SPANISH)
    offered = plain(
        thread.send_all("quiero un acuerdo de pago para la cuenta 0000777001 en 6 cuotas", "4050")
    )
    assert "terminada en 7001 no esta a tu nombre" in offered
    assert f"para la cuenta {OWN}" in offered and "333.333" not in offered
    assert agreements(session) == []
    thread.send("si")
    [agreement] = agreements(session)
    assert agreement.account_id == debtor.accounts[0].id != theirs.id
    assert agreement.instalments == 6 and agreement.total == Decimal("450000")


def test_english_payment_link_for_someone_elses_account_asks_which_of_theirs(
    app, sms, customer_factory, session
):
    grace = customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")
    add_us_account(session, grace, OWN_LINE)
    someone_else(session, "USD")
    thread = sms(ENGLISH)
    asked = thread.send_all("send me a payment link for account 0000777001", "4050")
    assert "account ending in 7001 is not in your name" in asked
    assert OWN in asked and OWN_LINE in asked and "77.77" not in asked
    assert sent_sms(app) == []
    thread.send("the second one")
    [message] = sent_sms(app)
    assert f"/p/{OWN_LINE}?t=" in message["body"] and OTHERS not in message["body"]


def test_own_account_named_gets_no_notice(sms, customer_factory, session):
    customer = customer_factory(phone=SPANISH)
    add_account(session, customer, OWN_LINE)
    someone_else(session)
    reply = plain(sms(SPANISH).send_all("cuanto debo en la cuenta 3104447654", "4050"))
    assert "no esta a tu nombre" not in reply and OWN_LINE in reply


# --- why the bill went up, with several accounts -------------------------------------------------


def test_why_so_expensive_with_several_accounts_says_what_changed_on_each(
    sms, customer_factory, session
):
    customer = customer_factory(phone=SPANISH, balance="107000")
    add_two_bills(session, customer.accounts[0], "es", "233001")
    line = add_account(session, customer, OWN_LINE, "59900", 40, balance="119800")
    same_bills(session, line, "59900", "233002")
    reply = plain(sms(SPANISH).send_all("hola por q me llego tan cara la factura??", "4050"))
    assert "Llamadas a larga distancia" in reply
    assert "17.100 pesos mas que la anterior" in reply
    assert "59.900 pesos, igual que la anterior" in reply
    assert "incluye 59.900 pesos vencidos hace 40 dias" in reply
    # the account whose bill went up comes first
    assert reply.index(OWN) < reply.index(OWN_LINE)


def test_english_why_is_my_bill_so_high_with_several_accounts(sms, customer_factory, session):
    grace = customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")
    add_two_bills(session, grace.accounts[0], "en", "305001")
    line = add_us_account(session, grace, OWN_LINE, "35.00", 33, balance="70.00")
    same_bills(session, line, "35.00", "305002")
    reply = sms(ENGLISH).send_all("why is my bill so high this month??", "4050")
    assert "Long-distance calls" in reply and "9.00 dollars more than the previous one" in reply
    assert "35.00 dollars, the same as the previous one" in reply
    assert "includes 35.00 dollars 33 days past due" in reply


def test_why_so_expensive_with_one_unchanged_bill_says_it_did_not_change(
    sms, customer_factory, session
):
    customer = make_overdue(session, customer_factory(phone=SPANISH), "89900", 35)
    same_bills(session, customer.accounts[0], "89900", "233003")
    reply = plain(sms(SPANISH).send_all("xq me llego tan cara la factura", "4050"))
    assert "89.900 pesos, igual que la anterior" in reply
    assert "89.900 pesos vencidos" in reply


# --- money said as a bare number -----------------------------------------------------------------


def test_english_bare_monthly_budget_is_money_not_a_number_of_payments(
    sms, english_debtor, session
):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    reply = thread.send("what about 30 a month")
    assert "30 payments" not in reply and "30.00 dollars a month" in reply
    assert "12 instalments of 20.00 dollars" in reply
    lump = thread.send("i can pay 60 today and thats it")
    assert "60.00 dollars" in lump and "below" in lump
    assert agreements(session) == []


def test_mexican_bare_monthly_budget_mid_offer_gets_the_plan_that_fits(
    sms, customer_factory, session
):
    customer = customer_factory(phone="+5218180352657", currency="MXN", balance="2400")
    make_overdue(session, customer, "1800", 40)
    thread = sms("+5218180352657")
    thread.send_all("quiero negociar mi deuda", "4050")
    reply = plain(thread.send("y si le doy 350 al mes?"))
    assert "350 pesos mexicanos al mes" in reply and "6 cuotas de 300 pesos mexicanos" in reply
    assert "350 cuotas" not in reply and agreements(session) == []
    thread.send("si")
    [agreement] = agreements(session)
    assert agreement.instalments == 6 and agreement.instalment_amount == Decimal("300")


def test_account_number_nobody_holds_is_told_not_theirs(sms, customer_factory, session):
    customer_factory(phone=SPANISH)
    reply = plain(sms(SPANISH).send_all("cuanto debo en la cuenta 0000999999", "4050"))
    assert "terminada en 9999 no esta a tu nombre" in reply and OWN in reply

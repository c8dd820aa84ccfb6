"""Debtors' follow-up questions and counter-requests over SMS.

After a balance answer, "¿y de la cuenta 0000111800?", a bare account number, "¿y la otra?" and
"and the other account?" ask the same about another of the customer's accounts. A number of
payments or a monthly budget said in the opening request is answered as it would be mid-offer.
"La más vieja" / "the newer one" pick an account by the age of its debt. Colombian pesos said
without "mil" ("80 al mes") are thousands, and the answer writes them out.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_account,
    add_us_account,
    agreements,
    escalations,
    make_overdue,
)

OWN, LINE = "0000120451", "0000111800"
MEXICO = "+5218180352657"


def plain(text: str) -> str:
    """Return ``text`` without accents (a long SMS goes out in GSM-7 letters)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def two_debts(session, customer_factory):
    """A Colombian customer owing 450.000 pesos 75 days and, on a line, 120.000 pesos 40 days."""
    customer = make_overdue(session, customer_factory(phone=SPANISH), "450000", 75)
    add_account(session, customer, LINE, "120000", 40)
    return customer


# --- follow-up questions after a balance answer --------------------------------------------------


def test_follow_up_on_another_own_account_is_answered_for_it(sms, customer_factory, session):
    customer = customer_factory(phone=SPANISH)
    add_account(session, customer, LINE, "120000", 40)
    thread = sms(SPANISH)
    first = plain(thread.send_all("cuanto debo en la cuenta 0000120451", "4050"))
    assert "cuenta 0000120451" in first and LINE not in first
    other = plain(thread.send("y de la cuenta 0000111800?"))
    assert "cuenta 0000111800 es de 179.900 pesos" in other and "120.000 pesos vencidos" in other
    assert "no entendi" not in other.lower() and OWN not in other
    back = plain(thread.send("y la otra?"))
    assert "cuenta 0000120451 es de 125.000 pesos" in back and LINE not in back
    bare = plain(thread.send("0000111800"))
    assert "cuenta 0000111800 es de 179.900 pesos" in bare
    assert escalations(session) == []


def test_english_and_the_other_account_answers_the_account_not_told(sms, customer_factory, session):
    grace = customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")
    add_us_account(session, grace, LINE, "20.00", 33, balance="55.00")
    thread = sms(ENGLISH)
    first = thread.send_all("how much do I owe on account 0000111800", "4050")
    assert "account 0000111800" in first and "55.00 dollars" in first
    other = thread.send("and the other account?")
    assert "account 0000120451" in other and LINE not in other
    assert "Glad to hear it" not in other and "didn't understand" not in other
    assert escalations(session) == []


def test_follow_up_naming_someone_elses_account_is_refused(sms, customer_factory, session):
    customer = customer_factory(phone=SPANISH)
    add_account(session, customer, LINE, "120000", 40)
    thread = sms(SPANISH)
    thread.send_all("cuanto debo en la cuenta 0000120451", "4050")
    reply = plain(thread.send("y de la cuenta 0000999999?"))
    assert "terminada en 9999 no esta a tu nombre" in reply
    assert escalations(session) == []


# --- a number of payments or a budget in the opening message -------------------------------------


def test_opening_lone_number_with_instalments_gets_the_nearest_plan(sms, debtor, session):
    thread = sms(SPANISH)
    reply = plain(thread.send_all("quiero pagar lo q debo en cuotas, me lo dejan en 4?", "4050"))
    assert "No puedo ofrecerte 4 pagos" in reply and "3 cuotas de 150.000 pesos" in reply
    assert "Cual opcion prefieres" not in reply and agreements(session) == []
    thread.send("si")
    [agreement] = agreements(session)
    assert agreement.instalments == 3 and agreement.instalment_amount == Decimal("150000")


def test_english_opening_count_allowed_is_offered(sms, english_debtor, session):
    thread = sms(ENGLISH)
    reply = thread.send_all("I want to pay my debt in installments, can you do 6?", "4050")
    assert "6 instalments of 40.00 dollars" in reply and agreements(session) == []
    thread.send("yes")
    [agreement] = agreements(session)
    assert agreement.instalments == 6 and agreement.total == Decimal("240.00")


def test_mexican_opening_monthly_budget_gets_the_plan_that_fits(sms, customer_factory, session):
    customer = customer_factory(phone=MEXICO, currency="MXN", balance="2400")
    make_overdue(session, customer, "1800", 40)
    thread = sms(MEXICO)
    reply = plain(thread.send_all("puedo dar 300 al mes", "4050"))
    assert "300 pesos mexicanos al mes" in reply and "6 cuotas de 300 pesos mexicanos" in reply
    assert agreements(session) == []
    thread.send("si")
    [agreement] = agreements(session)
    assert agreement.instalments == 6 and agreement.instalment_amount == Decimal("300")


# --- which account, by the age of its debt -------------------------------------------------------


def test_the_oldest_debt_picked_by_words(sms, customer_factory, session):
    customer = two_debts(session, customer_factory)
    thread = sms(SPANISH)
    asked = plain(thread.send_all("quiero negociar mi deuda", "4050"))
    assert "Sobre cual quieres hacer el acuerdo" in asked
    offered = plain(thread.send("la mas vieja"))
    assert "cuenta 0000120451 tiene una deuda de 450.000 pesos" in offered
    thread.send("la 3")
    thread.send("si")
    [agreement] = agreements(session)
    assert agreement.account_id == customer.accounts[0].id and agreement.total == Decimal("450000")
    assert escalations(session) == []


def test_english_the_newer_one_picks_the_most_recent_debt(sms, customer_factory, session):
    grace = customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")
    make_overdue(session, grace, "240.00", 200)
    add_us_account(session, grace, LINE, "60.00", 35, balance="95.00")
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    offered = thread.send("the newer one")
    assert "0000111800" in offered and "60.00 dollars" in offered
    thread.send("1")
    thread.send("yes")
    [agreement] = agreements(session)
    assert agreement.account_id == grace.accounts[1].id
    assert agreement.debt_amount == Decimal("60.00") and escalations(session) == []


def test_la_primera_picks_the_first_listed(sms, customer_factory, session):
    two_debts(session, customer_factory)
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    offered = plain(thread.send("la primera"))
    assert "cuenta 0000120451 tiene una deuda de 450.000 pesos" in offered


# --- Colombian thousands said without "mil" ------------------------------------------------------


def test_colombian_80_a_month_is_80_thousand(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    reply = plain(thread.send("puedo 80 mensual"))
    assert "80.000 pesos al mes" in reply and "6 cuotas de 75.000 pesos" in reply
    assert "80 pesos" not in reply
    thread.send("si")
    [agreement] = agreements(session)
    assert agreement.instalments == 6 and agreement.instalment_amount == Decimal("75000")


def test_colombian_opening_budget_in_thousands(sms, debtor, session):
    reply = plain(sms(SPANISH).send_all("puedo dar 40 al mes", "4050"))
    assert "40.000 pesos al mes" in reply and "12 cuotas de 37.500 pesos" in reply
    assert agreements(session) == []


def test_mexican_small_amounts_stay_as_said(sms, customer_factory, session):
    customer = customer_factory(phone=MEXICO, currency="MXN", balance="2400")
    make_overdue(session, customer, "1800", 40)
    thread = sms(MEXICO)
    thread.send_all("quiero negociar mi deuda", "4050")
    reply = plain(thread.send("puedo 80 al mes"))
    assert "80 pesos mexicanos al mes" in reply and "80.000" not in reply

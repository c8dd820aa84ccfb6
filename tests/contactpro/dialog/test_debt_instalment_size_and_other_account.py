"""Debtors over SMS: the size of each instalment said in the opening request, and a question
about another of their own accounts in the middle of the negotiation.

"Quiero pagar en cuotas de 80" / "I can pay in instalments of 80" is a monthly budget (never 80
payments, never ignored): the plan that fits it is restated, and only a yes books it. A sum at
once in the opening request ("tengo 400 mil, pago todo de una vez") is answered the same way as
mid-offer, never read as a payment already made. "¿Y la otra
cuenta cuánto debe?" / "and how much is on the other account?" is answered for that account,
and the negotiation on the first one goes on where it was.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_account,
    add_us_account,
    agreements,
    escalations,
    latest_state,
    make_overdue,
)

LINE = "0000111800"


def plain(text: str) -> str:
    """Return ``text`` without accents (a long SMS goes out in GSM-7 letters)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


# --- the size of each instalment in the opening request ------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "quiero pagar en cuotas de 80",
        "quiero pagar en cuotas de a 80",
        "cuotas de ochenta mil",
        "kiero pagar en cuotas d 80",
    ],
)
def test_opening_instalments_of_80_are_a_monthly_budget(sms, debtor, session, said):
    thread = sms(SPANISH)
    reply = plain(thread.send_all(said, "4050"))
    assert "Con 80.000 pesos al mes te sirve el plan de 6 cuotas" in reply
    assert "6 cuotas de 75.000 pesos" in reply and "Cual opcion prefieres" not in reply
    assert "80 cuotas" not in reply and agreements(session) == []
    thread.send("si")
    [agreement] = agreements(session)
    assert (agreement.instalments, agreement.instalment_amount) == (6, Decimal("75000"))
    assert agreement.total == Decimal("450000") and escalations(session) == []


@pytest.mark.parametrize(
    "said", ["I can pay in instalments of 80", "can I pay in installments of 40?"]
)
def test_english_opening_instalments_of_an_amount_are_a_monthly_budget(
    sms, english_debtor, session, said
):
    thread = sms(ENGLISH)
    reply = thread.send_all(said, "4050")
    count = 3 if "80" in said else 6
    amount = "80.00" if "80" in said else "40.00"
    assert f"With {amount} dollars a month, the {count}-instalment plan fits" in reply
    assert f"{count} instalments of {amount} dollars" in reply
    assert "Which option works for you" not in reply and agreements(session) == []
    thread.send("yes")
    [agreement] = agreements(session)
    assert (agreement.instalments, agreement.instalment_amount) == (count, Decimal(amount))


# --- another of the customer's accounts asked about mid-negotiation ------------------------------


def _two_debts(session, customer_factory):
    """A Colombian customer owing 450.000 pesos 75 days and, on a line, 120.000 pesos 40 days."""
    customer = make_overdue(session, customer_factory(phone=SPANISH), "450000", 75)
    add_account(session, customer, LINE, "120000", 40)
    return customer


@pytest.mark.parametrize(
    "asked", ["y la otra cuenta cuánto debe?", "y cuanto debo en la otra", "¿y la 0000111800?"]
)
def test_other_account_asked_among_the_options_is_answered_and_the_options_stay(
    sms, customer_factory, session, asked
):
    customer = _two_debts(session, customer_factory)
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    offered = plain(thread.send("la 1"))
    assert "cuenta 0000120451 tiene una deuda de 450.000 pesos" in offered
    told = plain(thread.send(asked))
    assert "Tu cuenta 0000111800 tiene una deuda de 120.000 pesos con 40 dias de mora" in told
    assert "Sigamos con la cuenta 0000120451" in told and "Tus opciones son" in told
    assert latest_state(session)["awaiting"] == "offer_choice"
    thread.send("la 3")
    thread.send("si")
    [agreement] = agreements(session)
    assert agreement.account_id == customer.accounts[0].id
    assert agreement.total == Decimal("450000") and escalations(session) == []


def test_other_account_asked_at_the_restated_offer_restates_it_again(
    sms, customer_factory, session
):
    customer = _two_debts(session, customer_factory)
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la mas vieja", "la 3")
    told = plain(thread.send("y la otra cuenta cuanto debe?"))
    assert "Tu cuenta 0000111800 tiene una deuda de 120.000 pesos" in told
    assert "Te confirmo el acuerdo para la cuenta 0000120451" in told
    assert agreements(session) == []
    thread.send("si")
    [agreement] = agreements(session)
    assert agreement.account_id == customer.accounts[0].id and agreement.instalments == 3


def test_english_other_account_asked_mid_negotiation(sms, customer_factory, session):
    grace = customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")
    make_overdue(session, grace, "240.00", 200)
    add_us_account(session, grace, LINE, "0", 0, balance="35.00")
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    told = thread.send("and how much do I owe on the other account?")
    assert "Your account 0000111800 has no overdue debt; its balance is 35.00 dollars" in told
    assert "Let's carry on with account 0000120451" in told and "Your options are" in told
    assert "saldo" not in told and agreements(session) == []
    thread.send("3")
    thread.send("yes")
    [agreement] = agreements(session)
    assert agreement.account_id == grace.accounts[0].id and escalations(session) == []


def test_the_other_option_is_no_other_account(sms, customer_factory, session):
    _two_debts(session, customer_factory)
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la 1")
    reply = plain(thread.send("y la otra opcion?"))
    assert "0000111800" not in reply


# --- a sum at once in the opening request --------------------------------------------------------


def test_opening_sum_at_once_below_the_single_payment_is_answered(sms, debtor, session):
    thread = sms(SPANISH)
    reply = plain(thread.send_all("quiero saldar la deuda, tengo 300 mil de una", "4050"))
    assert "Con 300.000 pesos no puedo dar la deuda por saldada" in reply
    assert "El pago unico mas bajo es de 382.500 pesos" in reply
    assert "3 cuotas de 150.000 pesos" in reply and "Cual opcion prefieres" not in reply
    assert agreements(session) == [] and escalations(session) == []


def test_opening_sum_at_once_that_reaches_the_single_payment_restates_it(sms, debtor, session):
    thread = sms(SPANISH)
    reply = plain(thread.send_all("tengo 400 mil, pago todo de una vez", "4050"))
    assert "Con 400.000 pesos alcanzas a saldar la deuda en un pago unico" in reply
    assert "pago unico de 382.500 pesos" in reply and agreements(session) == []
    thread.send("si")
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.total) == ("settlement", Decimal("382500"))


def test_a_payment_already_made_in_the_opening_is_no_offer(sms, debtor, session):
    reply = plain(sms(SPANISH).send_all("ya pague 100 mil, quiero saldar el resto", "4050"))
    assert "Con 100.000 pesos no puedo dar la deuda por saldada" not in reply
    assert "alcanzas a saldar" not in reply and agreements(session) == []


def test_english_opening_sum_to_settle_is_answered(sms, english_debtor, session):
    thread = sms(ENGLISH)
    reply = thread.send_all("I can pay 200 dollars to settle my debt", "4050")
    assert "With 200.00 dollars you can settle the debt in a single payment" in reply
    assert "Shall I record it" in reply and "I can offer" not in reply
    thread.send("yes")
    [agreement] = agreements(session)
    assert agreement.kind == "settlement" and agreement.total <= Decimal("200")


def test_both_accounts_settled_in_one_conversation(sms, customer_factory, session):
    customer = _two_debts(session, customer_factory)
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la 1", "la 3", "si", "si")
    again = plain(thread.send("ahora quiero negociar la deuda de la cuenta 0000111800"))
    assert "cuenta 0000111800 tiene una deuda de 120.000 pesos" in again
    thread.send("la 3")
    done = plain(thread.send("si"))
    assert "registre tu acuerdo para la cuenta 0000111800" in done
    booked = {a.account_id: a for a in agreements(session)}
    first, line = customer.accounts
    assert set(booked) == {first.id, line.id}
    assert booked[first.id].total == Decimal("450000") and booked[line.id].total == Decimal(
        "120000"
    )
    assert booked[first.id].interaction_id == booked[line.id].interaction_id
    assert escalations(session) == []


def test_other_account_told_with_its_agreement_in_force(sms, customer_factory, session):
    _two_debts(session, customer_factory)
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la 2", "la 3", "si", "si")
    thread.send("ahora quiero negociar la deuda de la cuenta 0000120451")
    told = plain(thread.send("y la otra cuenta cuanto debe?"))
    assert "Tu cuenta 0000111800 tiene una deuda de 120.000 pesos con 40 dias de mora" in told
    assert "con un acuerdo de pago activo: 3 cuotas de 40.000 pesos" in told
    assert "Sigamos con la cuenta 0000120451" in told


def test_other_account_up_to_date_is_told_so(sms, debtor, session):
    add_account(session, debtor, LINE, "0", 0, balance="0")
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    told = plain(thread.send("y la otra linea cuanto debe?"))
    assert "Tu cuenta 0000111800 esta al dia: no tiene saldo pendiente" in told
    assert "saldo es de 0 pesos" not in told and "Tus opciones son" in told


@pytest.mark.parametrize(
    "opening",
    [
        "no he pagado nada, tengo 400 mil y pago todo de una vez",
        "no pagué el mes pasado pero tengo 400 mil, pago todo de una vez",
    ],
)
def test_a_payment_denied_in_the_opening_leaves_the_sum_an_offer(sms, debtor, session, opening):
    """ "No pagué" says no payment was made: the sum is an offer to settle, not a payment to
    look for (it was handed over as a payment not found)."""
    thread = sms(SPANISH)
    reply = plain(thread.send_all(opening, "4050"))
    assert "Con 400.000 pesos alcanzas a saldar la deuda en un pago unico" in reply, reply
    assert "No encuentro un pago" not in reply and escalations(session) == []
    thread.send("si")
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.total) == ("settlement", Decimal("382500"))


@pytest.mark.parametrize(
    "opening",
    [
        "I haven't paid anything, but I can pay 200 dollars to settle my debt",
        "never paid, I can pay 200 dollars at once to settle it",
    ],
)
def test_english_payment_denied_in_the_opening_leaves_the_sum_an_offer(
    sms, english_debtor, session, opening
):
    thread = sms(ENGLISH)
    reply = thread.send_all(opening, "4050")
    assert "With 200.00 dollars you can settle the debt in a single payment" in reply, reply
    thread.send("yes")
    [agreement] = agreements(session)
    assert agreement.kind == "settlement" and agreement.total <= Decimal("200")

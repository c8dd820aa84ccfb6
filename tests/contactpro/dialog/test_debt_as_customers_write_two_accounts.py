"""Two overdue accounts, as debtors write and say it: what they ask for with the account they
pick, both accounts in one message, and what they owe asked in the middle.

"La del celular en 6 cuotas" picks the account and asks for that plan at once. "La de internet en
3 y la del celular de contado" takes one account at a time: the first with its request, then,
once it is booked, the other with its own; each agreement is booked on the account it names.
"¿Y cuánto debo en total?" while the accounts are listed or an offer is restated is told, and the
negotiation goes on where it was.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from contactpro.models import Customer
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_account,
    add_us_account,
    agreements,
    escalations,
    make_overdue,
)
from tests.contactpro.dialog.test_conversations_debt_answers import plain

HOME, MOBILE = "0000120451", "3104447654"
US_MOBILE = "3054447654"
YES = {"es": "si", "en": "yes"}


@pytest.fixture
def two_debts(session, customer_factory):
    """Make a debtor of ``language`` owing on a home internet account (75 or 200 days) and a
    mobile line (40 days)."""

    def make(language: str) -> Customer:
        if language == "es":
            customer = customer_factory(phone=SPANISH, balance="540000")
            make_overdue(session, customer, "450000", 75)
            add_account(session, customer, MOBILE, "180000", 40)
            return customer
        customer = customer_factory(
            phone=ENGLISH, language="en", currency="USD", balance="300", name="Grace Miller"
        )
        make_overdue(session, customer, "240.00", 200)
        add_us_account(session, customer, US_MOBILE, "90.00", 40, balance="125.00")
        return customer

    return make


def listed(sms, two_debts, language: str):
    """Text as the debtor of ``language`` with two debts, verify, and get the accounts listed."""
    customer = two_debts(language)
    thread = sms(customer.phone)
    thread.send("quiero negociar mi deuda" if language == "es" else "I want to negotiate my debt")
    answer = thread.send("4050")
    assert ("Tienes deuda en 2 cuentas" if language == "es" else "debt on 2 accounts") in answer
    return thread, customer


def booked(session, customer: Customer) -> dict[str, tuple[str, int, Decimal]]:
    """Return each agreement booked as (kind, payments, total), by its account's number."""
    number = {a.id: a.number for a in customer.accounts}
    return {number[a.account_id]: (a.kind, a.instalments, a.total) for a in agreements(session)}


# --- 1. a plan asked with the account picked ---------------------------------------------------


@pytest.mark.parametrize(
    ("language", "said", "words", "mobile", "count", "plan"),
    [
        ("es", "la del celular en 6 cuotas", "6 cuotas de 30.000 pesos", MOBILE, 6, "180000"),
        ("es", "la 2, a 3 meses", "3 cuotas de 60.000 pesos", MOBILE, 3, "180000"),
        ("en", "the mobile one, 6 payments", "6 instalments of 15.00 dollars", US_MOBILE, 6, "90"),
        (
            "en",
            "the second one in 3 payments",
            "3 instalments of 30.00 dollars",
            US_MOBILE,
            3,
            "90",
        ),
    ],
)
def test_a_plan_asked_with_the_account_is_restated_on_that_account(
    sms, two_debts, session, language, said, words, mobile, count, plan
):
    thread, customer = listed(sms, two_debts, language)
    answer = plain(thread.send(said))
    assert words in answer and mobile in answer
    assert "pago unico" not in answer and "single payment" not in answer
    assert agreements(session) == []
    thread.send(YES[language])
    assert booked(session, customer) == {mobile: ("instalments", count, Decimal(plan))}


# --- 2. both accounts in one message -----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "said", "first", "then"),
    [
        (
            "es",
            "la de internet en 3 y la del celular de contado",
            (HOME, "3 cuotas de 150.000 pesos"),
            (MOBILE, "un pago unico de 153.000 pesos"),
        ),
        (
            "es",
            "la del celular en 6 cuotas y la de internet en 12",
            (MOBILE, "6 cuotas de 30.000 pesos"),
            (HOME, "12 cuotas de 37.500 pesos"),
        ),
        (
            "en",
            "the home one in 6 payments and the mobile one in full",
            (HOME, "6 instalments of 40.00 dollars"),
            (US_MOBILE, "a single payment of 76.50 dollars"),
        ),
    ],
)
def test_both_accounts_in_one_message_are_booked_one_after_the_other(
    sms, two_debts, session, language, said, first, then
):
    thread, customer = listed(sms, two_debts, language)
    answer = plain(thread.send(said))
    assert ("una cuenta a la vez" if language == "es" else "one account at a time") in answer
    assert f"{first[0]}: {first[1]}" in answer and then[1] not in answer
    assert escalations(session) == []
    answer = plain(thread.send(YES[language]))
    assert first[1] in answer
    assert (
        "Seguimos con la otra cuenta" if language == "es" else "Now the other account"
    ) in answer
    assert f"{then[0]}: {then[1]}" in answer
    assert list(booked(session, customer)) == [first[0]]
    done = plain(thread.send(YES[language]))
    assert ("registre tu acuerdo" if language == "es" else "recorded your agreement") in done
    rows = booked(session, customer)
    assert set(rows) == {first[0], then[0]}
    single = "pago unico" in then[1] or "single payment" in then[1]
    assert rows[then[0]][0] == ("settlement" if single else "instalments")
    assert rows[first[0]][0] == "instalments"
    assert escalations(session) == []


def test_spoken_both_accounts_in_words_are_booked_one_after_the_other(call, two_debts, session):
    customer = two_debts("es")
    line = call(SPANISH)
    line.start()
    line.say("quiero negociar mi deuda")
    line.say("cuatro cero cinco cero")
    answer, _ = line.say("la del celular en seis cuotas y la de internet de contado")
    assert "una cuenta a la vez" in answer and "6 cuotas de 30000 pesos" in answer
    answer, _ = line.say("sí")
    assert "Seguimos con la otra cuenta" in answer and "pago único de 382500 pesos" in answer
    line.say("sí")
    assert booked(session, customer) == {
        MOBILE: ("instalments", 6, Decimal("180000")),
        HOME: ("settlement", 1, Decimal("382500")),
    }


# --- 3. what they owe, asked in the middle -----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "asked", "pick"),
    [
        ("es", "¿y cuánto debo en total?", "la 1"),
        ("en", "how much do I owe in total?", "the first one"),
    ],
)
def test_balance_asked_at_the_account_list_is_told_and_the_list_asked_again(
    sms, two_debts, session, language, asked, pick
):
    thread, customer = listed(sms, two_debts, language)
    answer = plain(thread.send(asked))
    if language == "es":
        assert "saldo de 540.000 pesos" in answer and "saldo de 239.900 pesos" in answer
        assert "¿Sobre cual cuenta quieres hacer el acuerdo?" in answer
        assert "resolvi tu consulta" not in answer
    else:
        assert "a balance of 300.00 dollars" in answer and "a balance of 125.00 dollars" in answer
        assert "Which account would you like the agreement for?" in answer
        assert "Did that answer" not in answer
    offers = plain(thread.send(pick))
    assert HOME in offers and ("Te ofrezco" in offers or "I can offer" in offers)
    thread.send("la 3" if language == "es" else "option 3")
    thread.send(YES[language])
    assert list(booked(session, customer)) == [HOME]


@pytest.mark.parametrize(
    ("language", "pick", "asked", "told", "restated"),
    [
        (
            "es",
            "la 1",
            "¿y cuánto debo en total?",
            "Cuenta 0000120451: saldo de 540.000 pesos",
            "3 cuotas de 150.000 pesos",
        ),
        (
            "en",
            "the first one",
            "how much do I owe in total?",
            "Account 0000120451: a balance of 300.00 dollars",
            "3 instalments of 80.00 dollars",
        ),
    ],
)
def test_balance_asked_at_a_restated_offer_is_told_and_the_offer_kept(
    sms, two_debts, session, language, pick, asked, told, restated
):
    thread, customer = listed(sms, two_debts, language)
    thread.send_all(pick, "la 3" if language == "es" else "option 3")
    answer = plain(thread.send(asked))
    assert told in answer and restated in answer
    assert ("¿Lo acepto y lo registro?" if language == "es" else "Shall I record it?") in answer
    thread.send(YES[language])
    assert booked(session, customer) == {
        HOME: ("instalments", 3, Decimal("450000") if language == "es" else Decimal("240"))
    }


# --- 4. the other account asked right after one was booked -------------------------------------


@pytest.mark.parametrize(
    ("language", "other", "then"),
    [
        ("es", "y la otra?", (HOME, "3 cuotas de 150.000 pesos", "3")),
        ("es", "listo y de la otra cuenta", (HOME, "3 cuotas de 150.000 pesos", "3")),
        ("en", "and the other one?", (HOME, "3 instalments of 80.00 dollars", "3")),
    ],
)
def test_the_other_account_asked_after_booking_one_is_negotiated(
    sms, two_debts, session, language, other, then
):
    """ "¿Y la otra?" after the mobile line's plan was booked: the home account's offers, never
    "¡Me alegra!" to the question of whether that solved it."""
    thread, customer = listed(sms, two_debts, language)
    mobile = MOBILE if language == "es" else US_MOBILE
    thread.send("la del celular en 6 cuotas" if language == "es" else "the mobile one, 6 payments")
    thread.send(YES[language])
    assert set(booked(session, customer)) == {mobile}
    answer = plain(thread.send(other))
    assert "Me alegra" not in answer and "Glad to hear" not in answer, answer
    assert then[0] in answer, answer
    assert plain(thread.send(then[2]))
    thread.send(YES[language])
    plans = booked(session, customer)
    assert set(plans) == {mobile, then[0]}, plans
    assert plans[then[0]][:2] == ("instalments", 3)
    assert escalations(session) == []


def test_the_other_account_with_none_left_owing_is_not_negotiated_again(sms, two_debts, session):
    """Both accounts booked: "¿y la otra?" starts nothing new and books nothing more."""
    thread, customer = listed(sms, two_debts, "es")
    thread.send("la de internet en 3 y la del celular de contado")
    thread.send(YES["es"])
    thread.send(YES["es"])
    assert set(booked(session, customer)) == {HOME, MOBILE}
    thread.send("y la otra?")
    assert set(booked(session, customer)) == {HOME, MOBILE}
    assert len(agreements(session)) == 2

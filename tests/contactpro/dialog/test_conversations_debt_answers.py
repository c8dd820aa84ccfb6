"""Debt conversations: how the customer's answers to the offers are read, from their side.

A question or a hesitation at the restated offer never books, and its words ("first", "la
primera cuota", "de una") never switch the offer; only a clear yes books ("no hay problema,
dale" is one). A refusal that mentions months shows the other options. A requested date is
compared as a date. Accounts are picked by position however many there are, or named in the
opening request. Each test asserts the rows written and the words the customer receives (long
SMS replies go out without accents, so some assertions carry none).
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from decimal import Decimal

import pytest

from contactpro.models import Account, Customer
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_account,
    add_us_account,
    agreements,
    bot_today,
    escalations,
    one_agreement,
    sent_sms,
)

ES_MONTHS = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
).split()
EN_MONTHS = (
    "January February March April May June July August September October November December"
).split()


def plain(text: str) -> str:
    """Return ``text`` without accents (long SMS replies are sent in GSM-7 letters)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def es_date(day: date) -> str:
    return f"{day.day} de {ES_MONTHS[day.month - 1]}"


def en_date(day: date) -> str:
    return f"{EN_MONTHS[day.month - 1]} {day.day}"


# --- 1. a question after the restated offer books nothing ----------------------------------------


@pytest.mark.parametrize(
    "question",
    ["can you confirm the amount?", "what's the deal with the discount, is it real?"],
)
def test_english_question_at_the_restated_offer_restates_it(
    app, sms, english_debtor, session, question
):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    assert "Shall I record it" in thread.send("the second one")
    texts_before = len(sent_sms(app))
    answer = thread.send(question)
    assert "198.00 dollars" in answer and "Shall I record it" in answer
    assert "recorded your agreement" not in answer
    assert agreements(session) == [] and len(sent_sms(app)) == texts_before
    done = thread.send("yes")
    assert "recorded your agreement" in done
    agreement = one_agreement(session)
    assert (agreement.kind, agreement.total, agreement.instalments) == (
        "settlement",
        Decimal("198.00"),
        1,
    )


@pytest.mark.parametrize(
    "question",
    ["¿de acuerdo a qué se calcula el descuento?", "y si no pago a tiempo qué pasa, dale?"],
)
def test_spanish_question_at_the_restated_offer_books_nothing(sms, debtor, session, question):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la segunda")
    answer = plain(thread.send(question))
    assert "416.250 pesos" in answer and "¿Lo acepto y lo registro?" in answer
    assert "registre tu acuerdo" not in answer
    assert agreements(session) == [] and escalations(session) == []


def test_spoken_question_without_its_mark_books_nothing(call, english_debtor, session):
    phone = call(ENGLISH)
    phone.start()
    phone.say("I want to negotiate my debt")
    phone.press("4050")
    phone.say("the second one")
    spoken, _ = phone.say("can you confirm the amount")
    assert "198 dollars" in spoken and "recorded your agreement" not in spoken
    assert agreements(session) == []


# --- 2. words inside a question never switch the offer under confirmation ------------------------


def test_first_instalment_question_keeps_the_plan_and_yes_books_the_plan(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    assert "3 cuotas de 150.000 pesos" in thread.send("la de 3 cuotas")
    asked = plain(thread.send("y cuándo tengo que pagar la primera cuota?"))
    assert "3 cuotas de 150.000 pesos, la primera el" in asked
    assert "382.500" not in asked and "pago unico" not in asked
    assert agreements(session) == []
    thread.send("sí")
    agreement = one_agreement(session)
    assert (agreement.kind, agreement.instalments, agreement.total) == (
        "instalments",
        3,
        Decimal("450000"),
    )
    assert agreement.instalment_amount == Decimal("150000")


def test_english_first_in_a_question_does_not_switch_to_option_one(sms, english_debtor, session):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050", "the second one")
    asked = thread.send("can you confirm the due date first?")
    assert "198.00 dollars" in asked and "156.00" not in asked
    thread.send("yes")
    agreement = one_agreement(session)
    assert (agreement.kind, agreement.total) == ("settlement", Decimal("198.00"))


def test_de_una_accepts_the_plan_restated_and_does_not_switch_to_a_single_payment(
    sms, debtor, session
):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la 3")
    done = thread.send("no pues sí, de una")
    assert "registré tu acuerdo" in done and "3 cuotas de 150.000 pesos" in done
    assert "382.500" not in done
    agreement = one_agreement(session)
    assert (agreement.kind, agreement.instalments) == ("instalments", 3)


# --- 8. a requested date is compared as a date ---------------------------------------------------


def _latest_and_later(app) -> tuple[date, date]:
    """Return the latest single payment (30 days from the bot's today) and a later day, in its
    month if possible."""
    latest = bot_today(app) + timedelta(days=30)
    later = latest + timedelta(days=1)
    return latest, (later if later.month == latest.month else latest + timedelta(days=11))


def test_a_day_after_the_latest_date_is_refused_and_the_latest_date_named(
    app, sms, debtor, session
):
    latest, asked_for = _latest_and_later(app)
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    answer = plain(thread.send(f"¿Me puede dar hasta el {es_date(asked_for)}?"))
    assert f"No puedo aplazar el pago hasta el {es_date(asked_for)}" in answer
    assert f"lo mas tarde que puedo ofrecerte un pago unico es el {es_date(latest)}" in answer
    assert "puedes pagar en esa fecha" not in answer and "Si, puedes" not in answer
    assert "416.250 pesos" in answer
    assert agreements(session) == []


def test_english_date_after_the_latest_is_refused_and_a_date_in_time_is_allowed(
    app, sms, english_debtor, session
):
    latest, asked_for = _latest_and_later(app)
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    late = thread.send(f"could I pay on {en_date(asked_for)}?")
    assert f"can't defer the payment to {en_date(asked_for)}" in late
    assert f"latest single payment I can offer is on {en_date(latest)}" in late
    assert "Yes, you can pay" not in late
    in_time = thread.send(f"could I pay on {en_date(latest - timedelta(days=2))}?")
    assert f"Yes, you can pay by {en_date(latest)}" in in_time and "198.00 dollars" in in_time
    assert agreements(session) == []


# --- 9. a refusal that mentions months shows the other options -----------------------------------


def test_refusal_mentioning_months_ago_shows_the_other_options(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    answer = plain(thread.send("perdí el trabajo hace 2 meses, ninguna me sirve"))
    assert "Otras opciones" in answer
    assert "6 cuotas de 75.000 pesos" in answer and "12 cuotas de 37.500 pesos" in answer
    assert "No puedo ofrecerte 2 pagos" not in answer and "Te confirmo" not in answer
    assert agreements(session) == [] and escalations(session) == []


def test_english_refusal_mentioning_months_ago_shows_the_other_options(
    sms, english_debtor, session
):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    answer = thread.send("I lost my job 3 months ago, none of those work for me")
    assert "Other options" in answer and "6 instalments of 40.00 dollars" in answer
    assert "I can offer you 3 instalments" not in answer and "Let me confirm" not in answer
    assert agreements(session) == []
    restated = thread.send("option 1")
    assert "6 instalments of 40.00 dollars" in restated
    refused = thread.send("I've been out of work for 3 months, that doesn't work for me")
    assert "Other options" in refused or "none of the options" in refused
    assert agreements(session) == []


# --- 10. an acceptance starting with "no" --------------------------------------------------------


def test_no_hay_problema_dale_books_the_restated_plan(app, sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la 3")
    done = thread.send("no hay problema, dale")
    assert "registré tu acuerdo" in done and "Otras opciones" not in done
    agreement = one_agreement(session)
    assert (agreement.instalments, agreement.total) == (3, Decimal("450000"))
    assert agreement.account_id == debtor.accounts[0].id
    assert "3 cuotas de 150.000 pesos" in sent_sms(app)[-1]["body"]


def test_no_problem_go_ahead_books_the_restated_plan(sms, english_debtor, session):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050", "option 3")
    done = thread.send("no problem, go ahead")
    assert "recorded your agreement" in done and "Shall I record" not in done
    agreement = one_agreement(session)
    assert (agreement.instalments, agreement.instalment_amount) == (3, Decimal("80.00"))


@pytest.mark.parametrize(
    ("language", "refusal"),
    [
        ("es", "no"),
        ("es", "no gracias"),
        ("es", "no me sirve"),
        ("en", "no"),
        ("en", "no thanks"),
        ("en", "no, that doesn't work"),
    ],
)
def test_plain_refusals_still_show_other_options(request, sms, session, language, refusal):
    phone, opening, pick, others, booked = {
        "es": (
            SPANISH,
            "quiero negociar mi deuda",
            "la 3",
            "Otras opciones",
            "registre tu acuerdo",
        ),
        "en": (
            ENGLISH,
            "I want to negotiate my debt",
            "option 3",
            "Other options",
            "recorded your agreement",
        ),
    }[language]
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    thread = sms(phone)
    thread.send_all(opening, "4050", pick)
    refused = plain(thread.send(refusal))
    assert others in refused and booked not in refused
    assert agreements(session) == []


# --- 14. any number of accounts, picked by position ----------------------------------------------


@pytest.fixture
def four_accounts(session, debtor) -> list[Account]:
    """The debtor with four overdue accounts, listed from the most days past due."""
    extra = [
        add_account(session, debtor, "3104447654", "180000", 40),
        add_account(session, debtor, "3104441111", "95000", 20),
        add_account(session, debtor, "3104443333", "60000", 10),
    ]
    return [debtor.accounts[0], *extra]


@pytest.mark.parametrize("pick", ["la 4", "la cuarta", "la número cuatro"])
def test_the_fourth_account_is_picked_by_position(sms, four_accounts, session, pick):
    thread = sms(SPANISH)
    thread.send("quiero un acuerdo de pago")
    asked = plain(thread.send("4050"))
    assert "Tienes deuda en 4 cuentas" in asked
    offers = thread.send(pick)
    assert "3104443333" in offers and "60.000 pesos" in offers
    thread.send_all("la 3", "sí")
    agreement = one_agreement(session)
    assert agreement.account_id == four_accounts[3].id
    assert (agreement.instalments, agreement.total) == (3, Decimal("60000"))
    assert escalations(session) == []


def test_unclear_account_answer_lists_every_choice(sms, four_accounts, session):
    thread = sms(SPANISH)
    thread.send_all("quiero un acuerdo de pago", "4050")
    again = thread.send("esa")
    assert "Responde 1, 2, 3 o 4" in again and "1 o 2," not in again
    assert agreements(session) == [] and escalations(session) == []


def _english_accounts(session, customer: Customer, count: int) -> list[Account]:
    extra = [
        add_us_account(session, customer, f"000055510{i}", f"{150 - 10 * i}.00", 100 - i, "180.00")
        for i in range(1, count)
    ]
    return [customer.accounts[0], *extra]


def test_english_fifth_account_picked_and_spoken_choices_on_a_call(call, english_debtor, session):
    accounts = _english_accounts(session, english_debtor, 5)
    phone = call(ENGLISH)
    phone.start()
    phone.say("I need a payment plan")
    listed, _ = phone.press("4050")
    assert "You have debt on 5 accounts" in listed
    again, _ = phone.say("hmm that one")
    assert "Say one, two, three, four or five" in again
    offers, _ = phone.say("the fifth one")
    assert "110 dollars" in offers
    phone.say("option 1")
    phone.say("yes")
    assert one_agreement(session).account_id == accounts[4].id


# --- 15. the account named in the opening message ------------------------------------------------


def test_account_named_in_the_opening_request_is_not_asked_again(sms, debtor, session):
    second = add_account(session, debtor, "3104447654", "180000", 40)
    thread = sms(SPANISH)
    thread.send("quiero negociar la deuda de la cuenta 3104447654")
    offers = plain(thread.send("4050"))
    assert "Tu cuenta 3104447654" in offers and "180.000 pesos" in offers
    assert "Tienes deuda en 2 cuentas" not in offers and "Sobre cual" not in offers
    thread.send_all("la segunda", "sí")
    agreement = one_agreement(session)
    assert agreement.account_id == second.id
    assert (agreement.kind, agreement.total) == ("settlement", Decimal("166500"))


def test_unknown_number_naming_the_account_by_its_last_digits(sms, debtor, session):
    second = add_account(session, debtor, "3104447654", "180000", 40)
    thread = sms("+573009998877")
    thread.send("hola, quiero un acuerdo de pago de mi cuenta 3104447654")
    offers = plain(thread.send("4050"))
    assert "Tu cuenta 3104447654" in offers and "Sobre cual" not in offers
    thread.send_all("la 3", "sí")
    agreement = one_agreement(session)
    assert agreement.account_id == second.id and agreement.instalments == 3


def test_english_account_named_by_last_digits_in_the_opening_request(sms, english_debtor, session):
    accounts = _english_accounts(session, english_debtor, 2)
    thread = sms(ENGLISH)
    thread.send("I want to negotiate my debt, the account ending in 5101")
    offers = thread.send("4050")
    assert "0000555101" in offers and "You have debt on 2 accounts" not in offers
    thread.send_all("option 3", "yes")
    agreement = one_agreement(session)
    assert agreement.account_id == accounts[1].id and agreement.total == Decimal("140.00")


# --- 16. the booking read on a call --------------------------------------------------------------


def test_voice_booking_reads_the_account_number_in_pairs(call, debtor, session):
    phone = call(SPANISH)
    phone.start()
    phone.say("quiero negociar mi deuda")
    phone.say("cuatro cero cinco cero")
    restated, _ = phone.say("la segunda")
    done, _ = phone.say("sí acepto")
    assert "registré tu acuerdo para la cuenta 0 0, 0 0, 1 2, 0 4, 5 1" in done
    assert "0000120451" not in done and "0000120451" not in restated
    assert one_agreement(session).total == Decimal("416250")


def test_english_voice_booking_reads_the_account_number_in_pairs(call, english_debtor, session):
    phone = call(ENGLISH)
    phone.start()
    phone.say("I want to negotiate my debt")
    phone.press("4050")
    phone.say("option 3")
    done, _ = phone.say("yes")
    assert "recorded your agreement for account 0 0, 0 0, 1 2, 0 4, 5 1" in done
    assert "0000120451" not in done
    assert one_agreement(session).instalments == 3

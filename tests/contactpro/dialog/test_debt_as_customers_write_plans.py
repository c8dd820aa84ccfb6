"""One overdue account, as debtors write and say it: the day of a plan's first payment, a lone
number with the instalments, and another amount after a counter-offer.

A day asked for the first payment of the plan restated ("¿puedo pagar la primera el 20?", "can I
start paying on the 20th?") is that plan's start: the plan stays on the table with its own first
due date, said to be out of reach or early enough, and never turns into a single payment. "¿Cuánto
queda cada cuota si lo hago a 12?" asks for 12 payments, never the plan listed due on the 12th.
"Entonces 300 mil", "what about 160?" after money offered is money of the same kind.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    agreements,
    bot_today,
    escalations,
    one_agreement,
)
from tests.contactpro.dialog.test_conversations_debt_answers import en_date, es_date, plain

OPEN = {
    "es": (SPANISH, "quiero negociar mi deuda", "4050"),
    "en": (ENGLISH, "I want to negotiate my debt", "4050"),
}
YES = {"es": "si", "en": "yes"}


def negotiating(sms, request, language: str, *before: str):
    """Text as the debtor of ``language``, ask to negotiate, verify and say ``before``."""
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    phone, opening, digits = OPEN[language]
    thread = sms(phone)
    thread.send_all(opening, digits, *before)
    return thread


# --- 1. a day for the first payment keeps the plan --------------------------------------------


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "¿puedo pagar la primera el {day}?"),
        ("es", "puedo empezar a pagar el {day}"),
        ("en", "can I start paying on the {day}th?"),
        ("en", "can I make the first payment on the {day}th?"),
    ],
)
def test_a_later_day_for_the_first_payment_keeps_the_plan_and_says_its_due_date(
    app, sms, request, session, language, said
):
    thread = negotiating(
        sms, request, language, "en 6 cuotas" if language == "es" else "6 payments"
    )
    later = next(
        d for d in (bot_today(app) + timedelta(days=n) for n in range(13, 28)) if d.day > 12
    )
    answer = plain(thread.send(said.format(day=later.day)))
    if language == "es":
        assert "La primera cuota de este plan vence el" in answer
        assert f"no puedo correrla al {es_date(later)}" in answer
        assert "6 cuotas de 75.000 pesos" in answer and "pago unico" not in answer
    else:
        assert "The first instalment of this plan is due on" in answer
        assert f"I can't move it to {en_date(later)}" in answer
        assert "6 instalments of 40.00 dollars" in answer and "single payment" not in answer
    assert agreements(session) == []
    thread.send(YES[language])
    agreement = one_agreement(session)
    assert (agreement.kind, agreement.instalments) == ("instalments", 6)
    assert agreement.first_due < later and agreement.discount_pct == 0
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "puedo pagar la primera cuota mañana?"),
        ("en", "can I pay the first payment tomorrow?"),
    ],
)
def test_an_earlier_day_for_the_first_payment_is_yes_with_its_due_date(
    sms, request, session, language, said
):
    thread = negotiating(sms, request, language, "la 3" if language == "es" else "option 3")
    answer = plain(thread.send(said))
    if language == "es":
        assert "Si: la primera cuota vence el" in answer and "puedes pagarla antes" in answer
        assert "3 cuotas de 150.000 pesos" in answer and "pago unico" not in answer
    else:
        assert "Yes: the first instalment is due on" in answer and "pay it earlier" in answer
        assert "3 instalments of 80.00 dollars" in answer and "single payment" not in answer
    thread.send(YES[language])
    assert (one_agreement(session).kind, one_agreement(session).instalments) == ("instalments", 3)


@pytest.mark.parametrize(
    ("language", "said"),
    [("es", "la 3 pero empezando el {when}"), ("en", "6 payments starting {when}")],
)
def test_a_plan_asked_with_a_later_start_says_the_start_cannot_move(
    app, sms, request, session, language, said
):
    thread = negotiating(sms, request, language)
    later = bot_today(app) + timedelta(days=40)
    when = es_date(later) if language == "es" else en_date(later)
    answer = plain(thread.send(said.format(when=when)))
    assert (
        f"no puedo correrla al {when}" if language == "es" else f"can't move it to {when}"
    ) in answer
    thread.send(YES[language])
    agreement = one_agreement(session)
    assert agreement.kind == "instalments" and agreement.first_due < later


# --- 2. a lone number with the instalments is a count -----------------------------------------


@pytest.mark.parametrize(
    ("language", "said", "words"),
    [
        ("es", "cuanto queda cada cuota si lo hago a 12", "12 cuotas de 37.500 pesos"),
        (
            "en",
            "how much would each payment be if I do it in 12",
            "12 instalments of 20.00 dollars",
        ),
    ],
)
def test_each_payment_over_a_number_asks_for_that_plan_not_the_one_due_that_day(
    sms, request, session, language, said, words
):
    thread = negotiating(sms, request, language)
    answer = plain(thread.send(said))
    assert words in answer
    assert "3 cuotas de" not in answer and "3 instalments of" not in answer
    thread.send(YES[language])
    agreement = one_agreement(session)
    assert (agreement.kind, agreement.instalments) == ("instalments", 12)
    assert agreement.total == (Decimal("450000") if language == "es" else Decimal("240"))


# --- 3. another amount after money offered ----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "first", "then", "words", "total"),
    [
        ("es", "te doy 200 mil y ya", "¿y 400 mil?", "Con 400.000 pesos alcanzas", "382500"),
        (
            "en",
            "I can pay 100 now and that's it",
            "how about 160?",
            "With 160.00 dollars you can",
            "156",
        ),
    ],
)
def test_a_second_sum_that_reaches_the_single_payment_restates_it(
    sms, request, session, language, first, then, words, total
):
    thread = negotiating(sms, request, language, first)
    answer = plain(thread.send(then))
    assert words in answer
    assert ("pago unico de" if language == "es" else "single payment of") in answer
    assert agreements(session) == []
    thread.send(YES[language])
    agreement = one_agreement(session)
    assert (agreement.kind, agreement.total) == ("settlement", Decimal(total))


@pytest.mark.parametrize(
    ("language", "first", "then", "words"),
    [
        ("es", "te doy 200 mil y ya", "entonces 300 mil", "Con 300.000 pesos tampoco alcanzas"),
        (
            "en",
            "I can pay 100 now and that's it",
            "what about 150",
            "150.00 dollars still doesn't reach",
        ),
    ],
)
def test_a_second_sum_below_everything_goes_to_a_person_with_nothing_booked(
    sms, request, session, language, first, then, words
):
    thread = negotiating(sms, request, language, first)
    answer = plain(thread.send(then))
    assert words in answer
    assert agreements(session) == []
    assert [e.reason for e in escalations(session)] == ["offer_refused"]


@pytest.mark.parametrize(
    ("language", "first", "then", "words"),
    [
        (
            "es",
            "puedo pagar 20 mil al mes",
            "entonces 40 mil",
            "Con 40.000 pesos al mes te sirve el plan de 12 cuotas",
        ),
        (
            "en",
            "I can do 15 a month",
            "and $25?",
            "With 25.00 dollars a month, the 12-instalment plan fits",
        ),
    ],
)
def test_a_second_monthly_budget_gets_the_plan_that_fits(
    sms, request, session, language, first, then, words
):
    thread = negotiating(sms, request, language, first)
    assert words in plain(thread.send(then))
    thread.send(YES[language])
    assert (one_agreement(session).kind, one_agreement(session).instalments) == ("instalments", 12)


def test_spoken_second_sum_in_words_is_money(call, debtor, session):
    line = call(SPANISH)
    line.start()
    line.say("quiero negociar mi deuda")
    line.say("cuatro cero cinco cero")
    line.say("le doy doscientos mil y ya")
    answer, _ = line.say("entonces cuatrocientos mil")
    assert "Con 400000 pesos alcanzas" in answer and "382500 pesos" in answer
    line.say("sí")
    assert (one_agreement(session).kind, one_agreement(session).total) == ("settlement", 382500)

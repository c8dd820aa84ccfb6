"""Debt refusals from the customer's side: a "no" shows the options left before a person.

A debt too small for instalments is never told to ask for a plan; a "no" to the one offer
restated shows the other settlement, never seen, before handing over. A refused offer is never
offered again as another option. Each test asserts the rows written (agreements, escalations)
and the words the customer must and must not receive.
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest

from contactpro.dialog.replies import format_date
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    agreements,
    bot_today,
    escalations,
    make_overdue,
    nothing_booked_or_escalated,
)


def plain(text: str) -> str:
    """Return ``text`` without accents (long SMS replies are sent in GSM-7 letters)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


# --- a debt too small for instalments ------------------------------------------------------------

SMALL = {
    # 50.000 pesos, 175 days past due: 25 % off within 3 days, 12,5 % within 30; three payments
    # of 16.667 would be under the 20.000 minimum, so no plan at all.
    "es": {
        "phone": SPANISH,
        "currency": "COP",
        "debt": "50000",
        "opening": "quiero pagar mi deuda en seis cuotas",
        "too_small": "muy pequena para pagarla en cuotas",
        "ask_date": "¿me puede dar hasta el {}?",
        "too_late": "No puedo aplazar el pago",
        "plan_hint": "plan en cuotas",
        "lone": "43.750 pesos",
        "other": "37.500 pesos",
        "others": "Otras opciones",
        "no": "no",
    },
    "en": {
        "phone": ENGLISH,
        "currency": "USD",
        "debt": "25.00",
        "opening": "I want to pay my debt in six instalments",
        "too_small": "too small to pay in instalments",
        "ask_date": "could you give me until {}?",
        "too_late": "can't defer the payment",
        "plan_hint": "instalment plan",
        "lone": "21.88 dollars",
        "other": "18.75 dollars",
        "others": "Other options",
        "no": "no",
    },
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_debt_too_small_for_a_plan_shows_the_other_settlement_before_a_person(
    app, sms, customer_factory, session, language
):
    case = SMALL[language]
    customer = customer_factory(
        phone=case["phone"], language=language, currency=case["currency"], balance=case["debt"]
    )
    make_overdue(session, customer, case["debt"], 175)
    thread = sms(case["phone"])
    thread.send(case["opening"])
    lone = plain(thread.send("4050"))
    assert case["too_small"] in lone and case["lone"] in lone and case["other"] not in lone
    later = format_date(bot_today(app) + timedelta(days=45), language)
    late = plain(thread.send(case["ask_date"].format(later)))
    assert case["too_late"] in late and case["lone"] in late
    assert case["plan_hint"] not in late  # no plan is possible: never suggest one
    others = plain(thread.send(case["no"]))
    assert case["others"] in others and case["other"] in others and case["lone"] not in others
    assert nothing_booked_or_escalated(session)
    thread.send(case["no"])
    assert agreements(session) == []
    assert [e.reason for e in escalations(session)] == ["offer_refused"]


def test_debt_too_small_for_a_plan_on_a_call_shows_the_other_settlement(
    call, customer_factory, session
):
    customer = customer_factory(phone=SPANISH, balance="50000")
    make_overdue(session, customer, "50000", 175)
    phone = call(SPANISH)
    phone.start()
    phone.say("quiero pagar mi deuda en seis cuotas")
    lone, _ = phone.press("4050")
    assert "43750 pesos" in lone and "37500" not in lone
    others, verb = phone.say("no")
    assert "37500 pesos" in others and "43750" not in others and verb != "Enqueue"
    assert nothing_booked_or_escalated(session)


# --- a refused offer is not offered again ---------------------------------------------------------

REFUSED_PLAN = {
    # 450.000 pesos 75 days past due: 382.500 now, 416.250 in 30 days, 3/6/12 cuotas.
    "es": {
        "phone": SPANISH,
        "fixture": "debtor",
        "opening": "quiero negociar mi deuda",
        "ask": "¿me lo puede dejar en 12 cuotas?",
        "restated": "12 cuotas de 37.500 pesos",
        "refused": "12 cuotas",
        "fresh": "6 cuotas de 75.000 pesos",
        "seen": "382.500",
    },
    # 240 dollars 200 days past due: 156.00 now, 198.00 in 30 days, 3/6/12 instalments.
    "en": {
        "phone": ENGLISH,
        "fixture": "english_debtor",
        "opening": "I want to negotiate my debt",
        "ask": "could you do 12 monthly payments?",
        "restated": "12 instalments of 20.00 dollars",
        "refused": "12 instalments",
        "fresh": "6 instalments of 40.00 dollars",
        "seen": "156.00",
    },
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_refused_plan_is_not_listed_among_the_other_options(request, sms, session, language):
    case = REFUSED_PLAN[language]
    request.getfixturevalue(case["fixture"])
    thread = sms(case["phone"])
    thread.send_all(case["opening"], "4050")
    assert case["restated"] in plain(thread.send(case["ask"]))
    others = plain(thread.send("no"))
    assert case["fresh"] in others
    assert case["refused"] not in others and case["seen"] not in others
    assert nothing_booked_or_escalated(session)
    thread.send("no")
    assert agreements(session) == []
    assert [e.reason for e in escalations(session)] == ["offer_refused"]


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_plan_asked_before_any_offer_then_refused_shows_every_other_offer(
    request, sms, session, language
):
    case = REFUSED_PLAN[language]
    request.getfixturevalue(case["fixture"])
    opening = (
        "quiero pagar mi deuda en 12 cuotas"
        if language == "es"
        else "I want to pay my debt in 12 monthly payments"
    )
    thread = sms(case["phone"])
    thread.send(opening)
    assert case["restated"] in plain(thread.send("4050"))
    others = plain(thread.send("no"))
    # The settlements and shorter plans were never said: they are the other options now.
    assert case["seen"] in others and case["fresh"] in others
    assert case["refused"] not in others
    assert nothing_booked_or_escalated(session)

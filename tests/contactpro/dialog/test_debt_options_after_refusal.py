"""Numbers said after the other options were listed anew, from the customer's side.

The opening list is 1) and 2) single payments and 3) the plan of 3; a refusal lists the plans of
6 and 12 as 1) and 2), "numbered anew". After "ninguna me sirve" every opening option is refused:
"la 2" is the new list's plan of 12, never the refused single payment of 416.250. After a no to
the plan of 3 alone, the opening single payments still stand, yet "la 1" is the new list's,
as the customer was told, restated before anything is booked; "la 1 de antes" is the opening
one. "La 3" of a list of two is never taken by its old number: the new list is said with what
option 3 was. "La primera que me ofreciste", "the first one you offered", an amount or "el pago
único" shown before name the earlier option, restated before anything is booked; "¿cuáles eran
las opciones?" lists them all under one numbering. Each test checks the agreement row booked and
the words read.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    agreements,
    escalations,
    latest_interaction,
)
from tests.contactpro.dialog.test_debt_affordability import negotiating, plain
from tests.contactpro.dialog.test_voice_debt_corrections import negotiating as calling

NONE = {"es": "ninguna me sirve", "en": "none of those work for me"}
YES = {"es": "sí", "en": "yes"}
CONFIRM = {"es": "Te confirmo", "en": "Let me confirm"}
ANEW = {"es": "Otras opciones, con nueva numeracion", "en": "Other options, numbered anew"}
# 450.000 pesos 75 days past due; 240 dollars 200 days past due.
TERMS = {
    "es": {
        "first": ("settlement", 1, Decimal("382500"), Decimal("382500")),
        "second": ("settlement", 1, Decimal("416250"), Decimal("416250")),
        3: ("instalments", 3, Decimal("450000"), Decimal("150000")),
        6: ("instalments", 6, Decimal("450000"), Decimal("75000")),
        12: ("instalments", 12, Decimal("450000"), Decimal("37500")),
    },
    "en": {
        "first": ("settlement", 1, Decimal("156.00"), Decimal("156.00")),
        "second": ("settlement", 1, Decimal("198.00"), Decimal("198.00")),
        3: ("instalments", 3, Decimal("240.00"), Decimal("80.00")),
        6: ("instalments", 6, Decimal("240.00"), Decimal("40.00")),
        12: ("instalments", 12, Decimal("240.00"), Decimal("20.00")),
    },
}
SAID = {
    "es": {
        "first": "pago unico de 382.500 pesos",
        "second": "pago unico de 416.250 pesos",
        3: "3 cuotas de 150.000 pesos",
        6: "6 cuotas de 75.000 pesos",
        12: "12 cuotas de 37.500 pesos",
    },
    "en": {
        "first": "single payment of 156.00 dollars",
        "second": "single payment of 198.00 dollars",
        3: "3 instalments of 80.00 dollars",
        6: "6 instalments of 40.00 dollars",
        12: "12 instalments of 20.00 dollars",
    },
}


def _booked(session, customer, language: str, meant: str | int) -> None:
    """Check the one agreement booked is the option ``meant``, on the debtor's account."""
    [agreement] = agreements(session)
    row = (agreement.kind, agreement.instalments, agreement.total, agreement.instalment_amount)
    assert row == TERMS[language][meant]
    assert agreement.account_id == customer.accounts[0].id
    assert escalations(session) == []


def _restated_only(answer: str, language: str, meant: str | int) -> None:
    """Check ``answer`` restates the option ``meant`` and no other."""
    assert CONFIRM[language] in answer and SAID[language][meant] in answer, answer
    others = [text for key, text in SAID[language].items() if key != meant]
    assert not any(text in answer for text in others), answer


def _customer(request, language: str):
    return request.getfixturevalue("debtor" if language == "es" else "english_debtor")


# --- after "ninguna": the opening options are refused, the numbers are the new list's ---------


@pytest.mark.parametrize(
    ("language", "said", "meant"),
    [
        ("es", "la 2", 12),
        ("es", "2", 12),
        ("es", "la segunda", 12),
        ("es", "la 1", 6),
        ("es", "la última", 12),
        ("es", "6 cuotas", 6),
        ("en", "2", 12),
        ("en", "option 1", 6),
        ("en", "the last one", 12),
        ("en", "6 payments", 6),
    ],
)
def test_after_none_a_number_is_the_new_lists(sms, request, session, language, said, meant):
    thread = negotiating(sms, request, language)
    others = plain(thread.send(NONE[language]))
    assert ANEW[language] in others and SAID[language][6] in others, others
    answer = plain(thread.send(said))
    _restated_only(answer, language, meant)
    assert agreements(session) == []
    thread.send(YES[language])
    _booked(session, _customer(request, language), language, meant)


@pytest.mark.parametrize(
    ("language", "said", "meant"),
    [
        ("es", "la primera que me ofreciste", "first"),
        ("es", "mejor la que me ofreciste primero", "first"),
        ("es", "la de 416 mil", "second"),
        ("es", "la de 150 mil", 3),
        ("es", "el pago único", "first"),
        ("en", "the first one you offered", "first"),
        ("en", "the 80 one", 3),
        ("en", "the single payment", "first"),
    ],
)
def test_after_none_an_earlier_option_named_is_restated_before_booking(
    sms, request, session, language, said, meant
):
    thread = negotiating(sms, request, language)
    thread.send(NONE[language])
    answer = plain(thread.send(said))
    _restated_only(answer, language, meant)
    assert agreements(session) == [] and escalations(session) == []
    thread.send(YES[language])
    _booked(session, _customer(request, language), language, meant)


@pytest.mark.parametrize(("language", "said"), [("es", "la 3"), ("en", "option 3")])
def test_a_place_only_the_old_list_has_is_never_taken_by_its_old_number(
    sms, request, session, language, said
):
    thread = negotiating(sms, request, language)
    thread.send(NONE[language])
    answer = plain(thread.send(said))
    told = {"es": "Esta lista tiene 2 opciones", "en": "This list has 2 options"}
    refused = {"es": "me dijiste que no te servia", "en": "you said did not work for you"}
    assert told[language] in answer and refused[language] in answer, answer
    assert SAID[language][3] in answer and CONFIRM[language] not in answer
    again = plain(thread.send(YES[language]))  # a yes to "which do you prefer?" picks nothing
    assert CONFIRM[language] not in again
    assert agreements(session) == [] and escalations(session) == []
    before = {"es": "la de antes", "en": "the one before"}
    _restated_only(plain(thread.send(before[language])), language, 3)
    thread.send(YES[language])
    _booked(session, _customer(request, language), language, 3)


@pytest.mark.parametrize(
    ("language", "asked"), [("es", "¿cuáles eran las opciones?"), ("en", "what were the options?")]
)
def test_asking_the_options_again_lists_them_under_one_numbering(
    sms, request, session, language, asked
):
    thread = negotiating(sms, request, language)
    thread.send(NONE[language])
    listed = plain(thread.send(asked))
    assert "5)" in listed and SAID[language]["first"] in listed and SAID[language][12] in listed
    _restated_only(plain(thread.send("2")), language, "second")  # 2 of the list just read
    thread.send(YES[language])
    _booked(session, _customer(request, language), language, "second")


# --- after a no to one plan: the opening single payments still stand ---------------------------


@pytest.mark.parametrize(
    ("language", "said", "meant"),
    [
        ("es", "la 1", 6),
        ("es", "la primera", 6),
        ("es", "2", 12),
        ("es", "la segunda", 12),
        ("es", "la 1 de antes", "first"),
        ("es", "la de 416 mil", "second"),
        ("en", "1", 6),
        ("en", "option 2", 12),
        ("en", "the first one you offered", "first"),
    ],
)
def test_a_number_in_both_lists_is_the_new_lists(sms, request, session, language, said, meant):
    thread = negotiating(sms, request, language)
    thread.send("la 3" if language == "es" else "option 3")
    assert ANEW[language] in plain(thread.send("no"))
    _restated_only(plain(thread.send(said)), language, meant)
    assert agreements(session) == [] and escalations(session) == []
    thread.send(YES[language])
    _booked(session, _customer(request, language), language, meant)


def test_a_number_said_with_its_list_is_taken(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la 3", "no")
    _restated_only(plain(thread.send("la 1 de esta lista")), "es", 6)
    thread.send("dale")
    _booked(session, debtor, "es", 6)


def test_the_first_one_offered_instead_of_the_one_restated(sms, english_debtor, session):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050", "option 3", "no", "1")
    answer = plain(thread.send("no, the first one you offered"))
    _restated_only(answer, "en", "first")
    thread.send("yes")
    _booked(session, english_debtor, "en", "first")


# --- WhatsApp and a call --------------------------------------------------------------------


def test_whatsapp_after_none_two_is_the_new_lists(sms, debtor, session):
    thread = sms(f"whatsapp:{SPANISH}")
    thread.send_all("quiero negociar mi deuda", "4050")
    assert ANEW["es"] in plain(thread.send("ninguna me sirve"))
    _restated_only(plain(thread.send("la 2")), "es", 12)
    thread.send("sí")
    _booked(session, debtor, "es", 12)
    assert latest_interaction(session).channel == "whatsapp"


SPOKEN = {
    "es": {6: "6 cuotas de 75000 pesos", "first": "pago unico de 382500 pesos"},
    "en": {6: "6 instalments of 40 dollars", "first": "single payment of 156 dollars"},
}


@pytest.mark.parametrize(
    ("language", "said", "meant"),
    [
        ("es", "la primera", 6),
        ("es", "la primera que me ofreciste", "first"),
        ("en", "the first one you offered", "first"),
    ],
)
def test_on_a_call_after_none(call, request, session, language, said, meant):
    line = calling(call, request, language)
    others, _ = line.say(NONE[language])
    assert ANEW[language] in plain(others)
    answer = plain(line.say(said)[0])
    assert CONFIRM[language] in answer and SPOKEN[language][meant] in answer, answer
    assert agreements(session) == []
    line.say(YES[language])
    _booked(session, _customer(request, language), language, meant)


def test_on_a_call_a_number_in_both_lists_is_the_new_lists(call, request, session):
    line = calling(call, request, "es", "la tres", "no")
    answer = plain(line.say("uno")[0])
    assert CONFIRM["es"] in answer and SPOKEN["es"][6] in answer, answer
    assert "382500" not in answer and agreements(session) == []
    line.say("sí")
    _booked(session, _customer(request, "es"), "es", 6)

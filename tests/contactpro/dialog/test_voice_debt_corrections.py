"""Corrections on a call, as the transcript spells them: without commas, numbers as words.

A count taken back and another said at once ("no en seis cuotas", "no doce no seis", "not twelve
six payments", "no wait six payments") asks for the one said instead: two numbers said one after
the other are never the digits of one ("twelve six" is no 126). A plan refused by its number ("no
puedo pagar en seis cuotas", "I can't do six payments") is neither restated nor offered again,
and a refusal of every option then hands over with nothing booked.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, agreements, escalations

SPANISH_CALL = (SPANISH, "quiero negociar mi deuda", "cuatro cero cinco cero")
ENGLISH_CALL = (ENGLISH, "I want to negotiate my debt", "four zero five zero")
SIX = {"es": ("6 cuotas de 75000 pesos", "75000"), "en": ("6 instalments of 40 dollars", "40")}
TWELVE = {"es": "12 cuotas de 37500 pesos", "en": "12 instalments of 20 dollars"}


def negotiating(call, request, language: str, *before: str):
    """Ring as the debtor of ``language``, ask to negotiate, verify by voice, say ``before``."""
    phone, opening, digits = SPANISH_CALL if language == "es" else ENGLISH_CALL
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    line = call(phone)
    line.start()
    line.say(opening)
    offers, _ = line.say(digits)
    assert "1)" in offers and "3)" in offers, offers
    for said in before:
        line.say(said)
    return line


@pytest.mark.parametrize(
    ("language", "before", "said"),
    [
        ("es", (), "no en seis cuotas"),
        ("es", ("doce cuotas",), "no en seis cuotas"),
        ("es", ("doce cuotas",), "no doce no seis"),
        ("es", ("doce cuotas",), "doce no seis"),
        ("es", ("doce cuotas",), "no doce seis"),
        ("en", (), "not twelve six payments"),
        ("en", ("twelve payments",), "not twelve six payments"),
        ("en", ("twelve payments",), "no wait six payments"),
        ("en", ("twelve payments",), "no I want six payments"),
        ("en", ("twelve payments",), "twelve no six"),
    ],
)
def test_a_correction_without_commas_books_the_plan_said_instead(
    call, request, session, language, before, said
):
    line = negotiating(call, request, language, *before)
    restated, verb = line.say(said)
    six, amount = SIX[language]
    assert verb == "Gather" and six in restated, restated
    assert TWELVE[language] not in restated and "126" not in restated
    assert "Otras opciones" not in restated and "Other options" not in restated
    assert "12 cuotas" not in restated and "12 instalments" not in restated
    assert agreements(session) == []
    done, _ = line.say("sí" if language == "es" else "yes")
    assert ("registré tu acuerdo" if language == "es" else "recorded your agreement") in done
    assert six in done, done
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.instalments) == ("instalments", 6)
    assert agreement.instalment_amount == Decimal(amount)
    assert agreement.total == Decimal(amount) * 6
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "refused", "none"),
    [
        ("es", "no puedo pagar en seis cuotas", "ninguna"),
        ("es", "no quiero pagar en seis cuotas", "no me sirve ninguna"),
        ("en", "I can't do six payments", "none"),
        ("en", "I don't want six payments", "none of them"),
    ],
)
def test_a_plan_refused_by_its_number_is_not_offered_then_a_person_takes_over(
    call, request, session, language, refused, none
):
    line = negotiating(call, request, language)
    other, verb = line.say(refused)
    six, _ = SIX[language]
    assert verb == "Gather" and TWELVE[language] in other, other
    assert ("Otras opciones" if language == "es" else "Other options") in other
    assert six not in other and "puedo ofrecerte" not in other and "I can offer you" not in other
    assert "Te confirmo" not in other and "Let me confirm" not in other
    assert agreements(session) == [] and escalations(session) == []
    handed, verb = line.say(none)
    nothing_booked = "no registré ningún" if language == "es" else "have not recorded any"
    assert verb == "Enqueue" and nothing_booked in handed, handed
    assert agreements(session) == []
    assert [e.reason for e in escalations(session)] == ["offer_refused"]

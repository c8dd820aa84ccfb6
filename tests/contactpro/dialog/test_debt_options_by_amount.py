"""Options named by their amount or place, taken or refused.

"La de 382.500", "la de 382 mil", "the 80 one", "la de 150 lucas" take the option of that amount
(to the half percent: "382 mil" is the 382.500 one). An option named and refused ("la de 382.500
no me alcanza", "el de 382 mil no puedo", "no quiero la 1", "the second one is too much") is
never picked, restated or booked: it is refused like a plan too dear, every option as large goes
with it, and the cheaper ones left are shown, else a person takes over. "La 3 no, la 2" takes
the one said instead.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.contactpro.dialog.conftest import agreements, escalations
from tests.contactpro.dialog.test_debt_affordability import negotiating, plain
from tests.contactpro.dialog.test_voice_debt_corrections import negotiating as calling

OTHER = {"es": "Otras opciones", "en": "Other options"}
SIX = {"es": "6 cuotas de 75.000 pesos", "en": "6 instalments of 40.00 dollars"}
TWELVE = {"es": "12 cuotas de 37.500 pesos", "en": "12 instalments of 20.00 dollars"}
CONFIRM = {"es": "Te confirmo", "en": "Let me confirm"}
BOOKED = {"es": "registre tu acuerdo", "en": "recorded your agreement"}
YES = {"es": "sí", "en": "yes"}
NOTHING_BOOKED = {"es": "no registre ningun", "en": "have not recorded any"}
# What the opening options say (the single payments, the shortest plan).
FIRST = {"es": "382.500", "en": "156.00"}
SECOND = {"es": "416.250", "en": "198.00"}
THIRD = {"es": "3 cuotas de 150.000", "en": "3 instalments of 80.00"}


def debt_account(request, language: str) -> int:
    """Return the id of the overdue account of the debtor of ``language``."""
    debtor = request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    return debtor.accounts[0].id


@pytest.mark.parametrize(
    ("language", "said", "refused"),
    [
        ("es", "la de 382.500 no me alcanza", FIRST),
        ("es", "el de 382 mil no puedo", FIRST),
        ("es", "la de 382500 no me alcanza", FIRST),
        ("es", "la de $382.500 no puedo", FIRST),
        ("es", "382.500 no puedo", FIRST),
        ("es", "no tengo 382 mil", FIRST),
        ("es", "pago único de 382.500 pesos no puedo", FIRST),
        ("es", "lo de 150 lucas es mucho", THIRD),
        ("es", "la de 150k es mucha plata", THIRD),
        ("es", "no puedo pagar 150 mil al mes", THIRD),
        ("es", "no quiero la 1", FIRST),
        ("es", "la 1 no me alcanza", FIRST),
        ("es", "la primera no me alcanza", FIRST),
        ("es", "la última no", THIRD),
        ("es", "ni la 1 ni la 2", SECOND),
        ("en", "the 156 one is too much for me", FIRST),
        ("en", "I can't afford the 156 dollars one", FIRST),
        ("en", "the first one is too much", FIRST),
        ("en", "the second one is too much", SECOND),
        ("en", "the 80 one is too much for me", THIRD),
        ("en", "I can't pay 80 a month", THIRD),
    ],
)
def test_an_option_named_and_refused_is_never_picked(
    sms, request, session, language, said, refused
):
    thread = negotiating(sms, request, language)
    other = plain(thread.send(said))
    assert OTHER[language] in other and SIX[language] in other, other
    assert TWELVE[language] in other and refused[language] not in other
    assert CONFIRM[language] not in other and "fits" not in other and "te sirve el" not in other
    assert agreements(session) == [] and escalations(session) == []
    # A yes to the options left is no yes to the one refused: nothing is booked.
    again = plain(thread.send(YES[language]))
    assert CONFIRM[language] not in again and refused[language] not in again, again
    assert agreements(session) == []
    restated = plain(thread.send("1"))
    assert CONFIRM[language] in restated and SIX[language] in restated, restated
    thread.send(YES[language])
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.instalments) == ("instalments", 6)
    assert agreement.instalment_amount == Decimal("75000" if language == "es" else "40.00")
    assert agreement.account_id == debt_account(request, language)
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "said", "kind", "total", "instalments"),
    [
        ("es", "la de 382.500", "settlement", "382500", 1),
        ("es", "la de 382 mil", "settlement", "382500", 1),
        ("es", "382500", "settlement", "382500", 1),
        ("es", "$382.500", "settlement", "382500", 1),
        ("es", "la de 416 mil", "settlement", "416250", 1),
        ("es", "la de 150 mil está bien", "instalments", "450000", 3),
        ("es", "la de 150 lucas", "instalments", "450000", 3),
        ("es", "la de 150k", "instalments", "450000", 3),
        ("es", "la de 150", "instalments", "450000", 3),
        ("es", "no no la primera", "settlement", "382500", 1),
        ("en", "the 156 one", "settlement", "156.00", 1),
        ("en", "the 198 one", "settlement", "198.00", 1),
        ("en", "the 80 one", "instalments", "240.00", 3),
        ("en", "the 80 dollars one", "instalments", "240.00", 3),
    ],
)
def test_an_option_named_by_its_amount_is_restated_then_booked(
    sms, request, session, language, said, kind, total, instalments
):
    thread = negotiating(sms, request, language)
    restated = plain(thread.send(said))
    assert CONFIRM[language] in restated and OTHER[language] not in restated, restated
    assert agreements(session) == [] and escalations(session) == []
    done = plain(thread.send(YES[language]))
    assert BOOKED[language] in done, done
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.instalments) == (kind, instalments)
    assert agreement.total == Decimal(total)
    assert agreement.account_id == debt_account(request, language)
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "said", "taken", "gone", "total", "instalments"),
    [
        ("es", "la 3 no, la 2", SECOND, THIRD, "416250", 1),
        ("es", "la 2 por favor, no la 1", SECOND, FIRST, "416250", 1),
        ("es", "la de 382.500 no me alcanza, la de 150 mil sí", THIRD, FIRST, "450000", 3),
        ("en", "I can't do the 198 one, the 80 one works", THIRD, SECOND, "240.00", 3),
        ("en", "not the first one, the third", THIRD, FIRST, "240.00", 3),
    ],
)
def test_an_option_refused_and_another_taken_restates_the_one_taken(
    sms, request, session, language, said, taken, gone, total, instalments
):
    thread = negotiating(sms, request, language)
    restated = plain(thread.send(said))
    assert CONFIRM[language] in restated and taken[language] in restated, restated
    assert gone[language] not in restated
    thread.send(YES[language])
    [agreement] = agreements(session)
    assert (agreement.instalments, agreement.total) == (instalments, Decimal(total))
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "said", "nearest"),
    [
        ("en", "80 is too much, can I do 4 payments?", "The nearest is 6 instalments"),
        ("es", "la de 150 mil no me alcanza, ¿me lo dejan en 4 cuotas?", "Lo mas cercano es 6"),
    ],
)
def test_a_count_asked_with_an_option_refused_is_never_answered_with_it(
    sms, request, session, language, said, nearest
):
    thread = negotiating(sms, request, language)
    restated = plain(thread.send(said))
    assert nearest in restated and SIX[language] in restated, restated
    assert THIRD[language] not in restated
    thread.send(YES[language])
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.instalments) == ("instalments", 6)
    assert agreement.account_id == debt_account(request, language)
    assert escalations(session) == []


def test_a_refusal_by_amount_with_a_budget_answers_the_budget(sms, request, session):
    thread = negotiating(sms, request, "es")
    restated = plain(thread.send("la de 382.500 no me alcanza pero puedo 100 mil al mes"))
    assert "Con 100.000 pesos al mes te sirve el plan de 6 cuotas" in restated, restated
    assert SIX["es"] in restated and "pago unico de 382.500" not in restated
    assert agreements(session) == []
    thread.send("sí")
    [agreement] = agreements(session)
    assert (agreement.instalments, agreement.instalment_amount) == (6, Decimal("75000"))


def test_the_option_restated_refused_by_its_amount_is_not_booked(sms, request, session):
    thread = negotiating(sms, request, "es")
    assert "pago único de 382.500" in thread.send("la 1")
    other = plain(thread.send("la de 382.500 no me alcanza"))
    assert OTHER["es"] in other and SIX["es"] in other and "382.500" not in other, other
    assert CONFIRM["es"] not in plain(thread.send("sí"))
    assert agreements(session) == [] and escalations(session) == []


def test_the_options_refused_by_amount_one_after_another_go_to_a_person(sms, request, session):
    thread = negotiating(sms, request, "es")
    assert SIX["es"] in plain(thread.send("la de 382.500 no me alcanza"))
    other = plain(thread.send("la de 75 mil tampoco"))
    assert OTHER["es"] in other and TWELVE["es"] in other and SIX["es"] not in other, other
    handed = plain(thread.send("la de 37.500 tampoco"))
    assert NOTHING_BOOKED["es"] in handed and CONFIRM["es"] not in handed, handed
    assert agreements(session) == []
    [escalation] = escalations(session)
    assert escalation.reason == "offer_refused"


def test_a_doubt_then_another_option_restates_that_option(sms, request, session):
    thread = negotiating(sms, request, "es")
    assert "416.250" in thread.send("la 2")
    restated = plain(thread.send("mmm no sé, mejor la de 150"))
    assert CONFIRM["es"] in restated and THIRD["es"] in restated, restated
    assert "416.250" not in restated and "sigue en pie" not in restated
    thread.send("sí")
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.instalments) == ("instalments", 3)
    assert agreement.instalment_amount == Decimal("150000")


@pytest.mark.parametrize(
    ("language", "refused", "taken", "six", "amount"),
    [
        (
            "es",
            "la de trescientos ochenta y dos mil quinientos no me alcanza",
            "la de setenta y cinco mil",
            "6 cuotas de 75000 pesos",
            "75000",
        ),
        (
            "en",
            "the one hundred fifty six dollars one is too much for me",
            "the forty dollar one",
            "6 instalments of 40 dollars",
            "40",
        ),
    ],
)
def test_a_caller_refuses_an_option_by_its_amount_then_takes_one(
    call, request, session, language, refused, taken, six, amount
):
    line = calling(call, request, language)
    other, verb = line.say(refused)
    assert verb == "Gather" and OTHER[language] in other and six in other, other
    assert CONFIRM[language] not in other and ("382500" not in other and "156 dollars" not in other)
    assert agreements(session) == [] and escalations(session) == []
    restated, _ = line.say(taken)
    assert CONFIRM[language] in restated and six in restated, restated
    line.say(YES[language])
    [agreement] = agreements(session)
    assert (agreement.instalments, agreement.instalment_amount) == (6, Decimal(amount))
    assert agreement.account_id == debt_account(request, language) and escalations(session) == []


@pytest.mark.parametrize(
    ("language", "said", "taken", "total"),
    [
        ("es", "la segunda no me alcanza la tercera sí", "3 cuotas de 150000 pesos", "450000"),
        ("en", "the second one is too much the third one is fine", "3 instalments of 80", "240"),
    ],
)
def test_a_caller_refusing_one_option_and_taking_the_next_without_a_pause_gets_the_next(
    call, request, session, language, said, taken, total
):
    line = calling(call, request, language)
    restated, _ = line.say(said)
    assert CONFIRM[language] in restated and taken in restated, restated
    assert OTHER[language] not in restated and "416250" not in restated and "198" not in restated
    line.say(YES[language])
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.instalments) == ("instalments", 3)
    assert agreement.total == Decimal(total) and escalations(session) == []


def test_a_doubt_at_the_options_refuses_none_of_them(sms, request, session):
    thread = negotiating(sms, request, "es")
    again = plain(thread.send("no sé"))
    assert OTHER["es"] not in again and CONFIRM["es"] not in again, again
    restated = plain(thread.send("la de 382 mil"))
    assert CONFIRM["es"] in restated and "382.500" in restated, restated
    thread.send("sí")
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.total) == ("settlement", Decimal("382500"))
    assert escalations(session) == []


@pytest.mark.parametrize("yes", ["yes, thanks a lot", "yes, I like it a lot"])
def test_a_yes_said_with_a_lot_still_books(sms, request, session, yes):
    thread = negotiating(sms, request, "en")
    assert CONFIRM["en"] in plain(thread.send("the 156 one"))
    done = plain(thread.send(yes))
    assert BOOKED["en"] in done and OTHER["en"] not in done, done
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.total) == ("settlement", Decimal("156.00"))
    assert escalations(session) == []

"""An option taken with a start month, and several amounts refused at once.

"La de 150 pero empezando en enero", "the 80 one but starting in January" take the option of that
amount: it is restated with the day its first payment falls due (the plans start when the policy
says), never answered with a single payment. "No tengo ni 382 mil ni 150 mil", "I can't do 156 or
80" refuse every amount they name, not only the first: the cheaper options left are shown, else a
person takes over (``offer_refused``) with nothing booked.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.contactpro.dialog.conftest import agreements, escalations, latest_state
from tests.contactpro.dialog.test_debt_affordability import negotiating, plain
from tests.contactpro.dialog.test_voice_debt_corrections import negotiating as calling

CONFIRM = {"es": "Te confirmo", "en": "Let me confirm"}
YES = {"es": "sí", "en": "yes"}
OTHER = {"es": "Otras opciones", "en": "Other options"}
NOTHING_BOOKED = {"es": "no registre ningun", "en": "have not recorded any"}
# The opening options of the debtors (two single payments, the shortest plan) and the others.
FIRST = {"es": "382.500", "en": "156.00"}
SECOND = {"es": "416.250", "en": "198.00"}
THREE = {"es": "3 cuotas de 150.000 pesos", "en": "3 instalments of 80.00 dollars"}
SIX = {"es": "6 cuotas de 75.000 pesos", "en": "6 instalments of 40.00 dollars"}
TWELVE = {"es": "12 cuotas de 37.500 pesos", "en": "12 instalments of 20.00 dollars"}
FIRST_DUE = {"es": "la primera el", "en": "the first on"}
PLAN = {"es": ("450000", "150000"), "en": ("240.00", "80.00")}


def _booked_the_plan_of_three(session, language: str) -> None:
    [agreement] = agreements(session)
    total, each = PLAN[language]
    assert (agreement.kind, agreement.instalments) == ("instalments", 3)
    assert agreement.total == Decimal(total) and agreement.instalment_amount == Decimal(each)
    assert escalations(session) == []


# --- an option taken with a start month -------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "la de 150 pero empezando en enero"),
        ("es", "la de 150 mil pero que empiece en enero"),
        ("es", "la 3 pero empezando en enero"),
        ("en", "the 80 one but starting in January"),
        ("en", "the 80 one, starting in january"),
        ("en", "option 3 but starting in January"),
    ],
)
def test_an_option_taken_with_a_start_month_is_that_option(sms, request, session, language, said):
    thread = negotiating(sms, request, language)
    restated = plain(thread.send(said))
    assert CONFIRM[language] in restated and THREE[language] in restated, restated
    assert FIRST_DUE[language] in restated, restated
    assert FIRST[language] not in restated and SECOND[language] not in restated, restated
    assert agreements(session) == [] and escalations(session) == []
    thread.send(YES[language])
    _booked_the_plan_of_three(session, language)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "la de ciento cincuenta pero empezando en enero"),
        ("en", "the eighty dollar one but starting in january"),
    ],
)
def test_an_option_taken_with_a_start_month_on_a_call(call, request, session, language, said):
    line = calling(call, request, language)
    restated, verb = line.say(said)
    three = "3 cuotas de 150000" if language == "es" else "3 instalments of 80"
    assert verb == "Gather" and three in restated, restated
    assert CONFIRM[language] in restated, restated
    line.say(YES[language])
    _booked_the_plan_of_three(session, language)


# --- several amounts refused at once ----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "no tengo ni 382 mil ni 150 mil"),
        ("es", "no puedo ni 382.500 ni 150.000"),
        ("es", "ni 382 mil ni 150 mil, no me alcanza"),
        ("en", "I can't do 156 or 80"),
        ("en", "I can't pay 156 or 80"),
        ("en", "neither 156 nor 80 works for me"),
    ],
)
def test_every_amount_named_in_a_refusal_is_refused(sms, request, session, language, said):
    thread = negotiating(sms, request, language)
    other = plain(thread.send(said))
    assert OTHER[language] in other and SIX[language] in other, other
    assert TWELVE[language] in other, other
    for refused in (FIRST, THREE):
        assert refused[language] not in other, (refused[language], other)
    assert CONFIRM[language] not in other
    assert agreements(session) == [] and escalations(session) == []
    # The single payment and the plan of three named are both refused: never offered again.
    refused = latest_state(session)["slots"]["refused"]
    assert {"settle_now", "plan_3"} <= set(refused), refused
    restated = plain(thread.send("1"))
    assert CONFIRM[language] in restated and SIX[language] in restated, restated
    thread.send(YES[language])
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.instalments) == ("instalments", 6)
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "first", "said"),
    [
        ("es", "no me alcanza para seis cuotas", "no tengo ni 382 mil ni 416 mil ni 37.500"),
        ("en", "I can't afford six instalments", "I can't do 156 or 198 or 20"),
    ],
)
def test_every_amount_refused_with_nothing_left_goes_to_a_person(
    sms, request, session, language, first, said
):
    thread = negotiating(sms, request, language)
    assert TWELVE[language] in plain(thread.send(first))
    handed = plain(thread.send(said))
    assert NOTHING_BOOKED[language] in handed, handed
    assert CONFIRM[language] not in handed
    assert agreements(session) == []
    assert [e.reason for e in escalations(session)] == ["offer_refused"]


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "no puedo ni trescientos ochenta y dos mil ni ciento cincuenta mil"),
        ("en", "I can't do one fifty six or eighty"),
    ],
)
def test_every_amount_refused_on_a_call(call, request, session, language, said):
    line = calling(call, request, language)
    other, verb = line.say(said)
    six, _ = {"es": ("6 cuotas de 75000", ""), "en": ("6 instalments of 40", "")}[language]
    assert verb == "Gather" and six in other, other
    assert ("3 cuotas de 150000" if language == "es" else "3 instalments of 80") not in other
    assert agreements(session) == [] and escalations(session) == []

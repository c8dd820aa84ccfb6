"""A payment option chosen in words, digits, places or counts, on a call and by SMS.

The opening options are two single payments and the plan of 3; the plans of 6 and 12 are the
policy's too. "6", "a 6", "la de seis cuotas", "en seis", "quiero la opción de seis meses", "six
payments", "the six month one", "twelve instalments please" ask for that many payments; "opción
3", "la tercera", "la última", "option three", "the last one" take the option in that place. A
count no plan has ("24 cuotas") is refused with what is possible, never booked. When the plans
are of 2, 3 and 6 payments, option 2 is a single payment and option 3 the plan of 2: "en dos",
"a 2", "in two", "la de dos" ask for two payments (never option 2); a lone "dos", "la 2", "two" is
asked back ("¿La opción 2 (...) o la de 2 cuotas?") with nothing booked, and the answer to that
question is booked; "opción 2", "la segunda" and the keypad's 2 take option 2.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.contactpro.dialog.conftest import agreements, escalations
from tests.contactpro.dialog.test_debt_affordability import negotiating, plain
from tests.contactpro.dialog.test_voice_debt_corrections import negotiating as calling

CONFIRM = {"es": "Te confirmo", "en": "Let me confirm"}
YES = {"es": "sí", "en": "yes"}
# Each plan's payment, as the debt of each debtor splits (450.000 pesos, 240 dollars).
EACH = {
    "es": {2: "225000", 3: "150000", 6: "75000", 12: "37500"},
    "en": {2: "120.00", 3: "80.00", 6: "40.00", 12: "20.00"},
}
TOTAL = {"es": Decimal("450000"), "en": Decimal("240.00")}
SECOND = {"es": Decimal("416250"), "en": Decimal("198.00")}
PLAN_WORDS = {"es": "{n} cuotas de {each}", "en": "{n} instalments of {each}"}


def _plan_said(language: str, n: int) -> str:
    """Return how a restated plan of ``n`` payments opens, by SMS and on a call alike."""
    each = EACH[language][n].removesuffix(".00")
    head = each[:-3] if language == "es" else each  # "75.000" by SMS, "75000" on a call
    return PLAN_WORDS[language].format(n=n, each=head)


class Line:
    """One conversation as the debtor of ``language`` with the options listed."""

    def __init__(self, channel: str, sms, call, request, language: str) -> None:
        self.language = language
        self.customer = request.getfixturevalue("debtor" if language == "es" else "english_debtor")
        if channel == "sms":
            thread = negotiating(sms, request, language)
            self.send = lambda said: plain(thread.send(said))
        else:
            line = calling(call, request, language)
            self.send = lambda said: plain(line.say(said)[0])
            self.press = lambda digits: plain(line.press(digits)[0])


def _booked(session, line: Line, kind: str, instalments: int, total: Decimal) -> None:
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.instalments) == (kind, instalments)
    assert agreement.total == total
    if kind == "instalments":
        assert agreement.instalment_amount == Decimal(EACH[line.language][instalments])
    assert agreement.account_id == line.customer.accounts[0].id
    assert escalations(session) == []


def _books_the_plan(session, line: Line, said: str, n: int) -> None:
    restated = line.send(said)
    assert CONFIRM[line.language] in restated and _plan_said(line.language, n) in restated, restated
    others = [m for m in EACH[line.language] if m != n]
    assert not any(_plan_said(line.language, m) in restated for m in others), restated
    assert agreements(session) == []
    line.send(YES[line.language])
    _booked(session, line, "instalments", n, TOTAL[line.language])


# --- the options as listed: 1) and 2) single payments, 3) the plan of 3 -----------------------


@pytest.mark.parametrize(
    ("channel", "language", "said", "n"),
    [
        ("sms", "es", "6", 6),
        ("sms", "es", "6 cuotas", 6),
        ("sms", "es", "a 6", 6),
        ("sms", "es", "opción 3", 3),
        ("sms", "es", "la tres", 3),
        ("sms", "es", "la última", 3),
        ("sms", "es", "la de seis cuotas", 6),
        ("call", "es", "la de seis cuotas", 6),
        ("call", "es", "seis", 6),
        ("call", "es", "en seis", 6),
        ("call", "es", "la tercera", 3),
        ("call", "es", "la última", 3),
        ("call", "es", "quiero la opción de seis meses", 6),
        ("call", "es", "doce cuotas", 12),
        ("sms", "en", "6", 6),
        ("sms", "en", "option 3", 3),
        ("sms", "en", "twelve instalments please", 12),
        ("call", "en", "six payments", 6),
        ("call", "en", "the six month one", 6),
        ("call", "en", "option three", 3),
        ("call", "en", "the last one", 3),
        ("call", "en", "three", 3),
        ("call", "en", "twelve instalments please", 12),
    ],
)
def test_a_plan_said_any_way_is_booked_on_that_plan(
    sms, call, request, session, channel, language, said, n
):
    _books_the_plan(session, Line(channel, sms, call, request, language), said, n)


@pytest.mark.parametrize(
    ("channel", "language", "said", "refused"),
    [
        ("sms", "es", "24 cuotas", "No puedo ofrecerte 24 pagos"),
        ("call", "es", "veinticuatro cuotas", "No puedo ofrecerte 24 pagos"),
        ("sms", "en", "24 payments", "I can't offer 24 payments"),
        ("call", "en", "twenty four instalments", "I can't offer 24 payments"),
    ],
)
def test_a_count_not_offered_is_refused_with_what_is_possible(
    sms, call, request, session, channel, language, said, refused
):
    line = Line(channel, sms, call, request, language)
    answer = line.send(said)
    assert refused in answer and "3, 6, 12" in answer, answer
    assert "24 cuotas de" not in answer and "24 instalments of" not in answer, answer
    assert agreements(session) == []


@pytest.mark.parametrize(
    ("channel", "language", "said", "refused"),
    [
        ("sms", "es", "en dos", "No puedo ofrecerte 2 pagos"),
        ("call", "es", "en dos", "No puedo ofrecerte 2 pagos"),
        ("sms", "en", "in two", "I can't offer 2 payments"),
        ("call", "en", "in 2", "I can't offer 2 payments"),
    ],
)
def test_a_count_no_plan_has_is_never_the_option_in_that_place(
    sms, call, request, session, channel, language, said, refused
):
    line = Line(channel, sms, call, request, language)
    answer = line.send(said)
    assert refused in answer and _plan_said(language, 3) in answer, answer
    assert str(SECOND[language]).removesuffix(".00")[:3] not in answer, answer
    assert agreements(session) == []


# --- plans of 2, 3 and 6: option 2 is a single payment, option 3 the plan of 2 ----------------


@pytest.fixture
def plans_of_two(app_config) -> None:
    """Plans of 2, 3 and 6 payments: the options listed are 1) and 2) single payments, 3) 2
    payments."""
    app_config["debt_instalment_options"] = ("2", "3", "6")


@pytest.mark.parametrize(
    ("channel", "language", "said"),
    [
        ("sms", "es", "en dos"),
        ("sms", "es", "a 2"),
        ("sms", "es", "la de dos"),
        ("call", "es", "en dos"),
        ("call", "es", "la de dos"),
        ("sms", "en", "in two"),
        ("call", "en", "in two"),
    ],
)
def test_a_count_with_its_preposition_is_never_the_option_in_that_place(
    plans_of_two, sms, call, request, session, channel, language, said
):
    _books_the_plan(session, Line(channel, sms, call, request, language), said, 2)


ASKED = {
    ("sms", "es"): ("¿La opcion 2 (un pago unico de 416.250", "o la de 2 cuotas?"),
    ("call", "es"): ("¿La opcion dos (un pago unico de 416250", "o la de 2 cuotas?"),
    ("sms", "en"): ("Do you mean option 2 (a single payment of 198.00", "or the plan of 2 instal"),
    ("call", "en"): ("Do you mean option two (a single payment of 198", "or the plan of 2 instal"),
}
TAKE_PLAN = {"es": "la de 2 cuotas", "en": "the 2 instalments plan"}
TAKE_OPTION = {"es": "la opción 2", "en": "option 2"}


@pytest.mark.parametrize(
    ("channel", "language", "said"),
    [
        ("sms", "es", "2"),
        ("sms", "es", "la 2"),
        ("call", "es", "dos"),
        ("call", "es", "la dos"),
        ("sms", "en", "2"),
        ("call", "en", "two"),
    ],
)
@pytest.mark.parametrize("answer", ["plan", "option"])
def test_a_number_both_a_place_and_a_plan_is_asked_back(
    plans_of_two, sms, call, request, session, channel, language, said, answer
):
    line = Line(channel, sms, call, request, language)
    asked = line.send(said)
    for words in ASKED[(channel, language)]:
        assert words in asked, asked
    assert CONFIRM[language] not in asked, asked
    assert agreements(session) == [] and escalations(session) == []
    if answer == "plan":
        _books_the_plan(session, line, TAKE_PLAN[language], 2)
        return
    restated = line.send(TAKE_OPTION[language])
    assert CONFIRM[language] in restated and _plan_said(language, 2) not in restated, restated
    line.send(YES[language])
    _booked(session, line, "settlement", 1, SECOND[language])


@pytest.mark.parametrize(
    ("channel", "language", "said"),
    [
        ("sms", "es", "opción 2"),
        ("sms", "es", "la segunda"),
        ("call", "es", "opción dos"),
        ("sms", "en", "the second one"),
        ("call", "en", "option two"),
    ],
)
def test_an_option_named_as_such_is_the_one_in_that_place(
    plans_of_two, sms, call, request, session, channel, language, said
):
    line = Line(channel, sms, call, request, language)
    restated = line.send(said)
    assert CONFIRM[language] in restated and _plan_said(language, 2) not in restated, restated
    line.send(YES[language])
    _booked(session, line, "settlement", 1, SECOND[language])


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_keypad_picks_by_place(plans_of_two, sms, call, request, session, language):
    line = Line("call", sms, call, request, language)
    restated = line.press("2")
    assert CONFIRM[language] in restated and _plan_said(language, 2) not in restated, restated
    line.send(YES[language])
    _booked(session, line, "settlement", 1, SECOND[language])

"""A caller tells, in words, when they paid, over the signed voice webhook: "i paid on the
fourth", "pagué hace veinte días", "el cinco no perdón el cuatro", "la semana pasada", and the
payment on file that day is confirmed, never a later one found by being the latest.

Days count from the bot's today (the company's calendar), as the payments recorded do.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from contactpro.dialog.replies import MONTHS_ES, format_date
from contactpro.models import Customer
from tests.contactpro.dialog.conftest import (
    add_payment,
    bot_today,
    escalations,
    latest_state,
)
from tests.contactpro.dialog.test_voice_callers_as_they_speak import DIGITS, PHONES

PAID = {"es": "89900", "en": "55"}
LATER = {"es": "45000", "en": "20"}
HEARD = {
    "es": "recibimos tu pago de 89900 pesos el",
    "en": "received your payment of 55 dollars on",
}
NOT_FOUND = ("No encuentro", "can't find", "Aún no vemos", "I don't see")

ES_DAYS = (
    "primero dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince "
    "dieciséis diecisiete dieciocho diecinueve veinte veintiuno veintidós veintitrés veinticuatro "
    "veinticinco veintiséis veintisiete veintiocho veintinueve treinta"
).split() + ["treinta y uno"]
EN_UNITS = "first second third fourth fifth sixth seventh eighth ninth".split()
EN_DAYS = (
    EN_UNITS
    + "tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
    "nineteenth twentieth".split()
    + [f"twenty {u}" for u in EN_UNITS]
    + ["thirtieth", "thirty first"]
)


def said_day(day: date, language: str) -> str:
    """Return the day of the month as a caller says it: "el cuatro", "the fourth"."""
    return f"el {ES_DAYS[day.day - 1]}" if language == "es" else f"the {EN_DAYS[day.day - 1]}"


def said_month(day: date, language: str) -> str:
    return MONTHS_ES[day.month - 1] if language == "es" else f"{day:%B}".lower()


def _customer(customer_factory, language: str) -> Customer:
    """The caller of ``language`` (id ending 4050)."""
    return customer_factory(
        phone=PHONES[language],
        language=language,
        currency="COP" if language == "es" else "USD",
        balance="125000" if language == "es" else "64.00",
        name="Camila Rojas" if language == "es" else "Grace Miller",
    )


def _paid(session, customer: Customer, language: str, days_ago: int, later: int | None) -> None:
    """Record the payment the caller means ``days_ago`` days ago, and another one ``later``
    days ago: the latest, which a claim with no day would confirm instead."""
    add_payment(session, customer.accounts[0], PAID[language], "PSAID", days_ago=days_ago)
    if later is not None:
        add_payment(session, customer.accounts[0], LATER[language], "PLATER", days_ago=later)


def _found(session, spoken: str, verb: str, language: str, day: date) -> None:
    assert verb == "Gather", spoken
    assert f"{HEARD[language]} {format_date(day, language)}" in spoken, spoken
    assert LATER[language] not in spoken
    assert not any(words in spoken for words in NOT_FOUND), spoken
    assert escalations(session) == []
    assert latest_state(session)["resolved"] is True


def _call(call, language: str):
    line = call(PHONES[language])
    line.start()
    return line


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", lambda d: f"did you get my payment i paid on {said_day(d, 'en')}"),
        ("en", lambda d: f"um i paid on {said_month(d, 'en')} {EN_DAYS[d.day - 1]}"),
        ("en", lambda d: "i paid twenty days ago did you get it"),
        ("es", lambda d: "pagué hace veinte días y no me aparece"),
        ("es", lambda d: f"ya pagué {said_day(d, 'es')} de {said_month(d, 'es')} me llegó"),
    ],
)
def test_a_day_said_in_words_finds_the_payment_of_that_day(
    app, call, customer_factory, session, language, said
):
    customer = _customer(customer_factory, language)
    _paid(session, customer, language, days_ago=20, later=1)
    day = bot_today(app) - timedelta(days=20)
    line = _call(call, language)
    line.say(said(day))
    spoken, verb = line.say(DIGITS[language])
    _found(session, spoken, verb, language, day)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "es",
            lambda wrong, right: f"pagué {said_day(wrong, 'es')} no perdón {said_day(right, 'es')}",
        ),
        (
            "en",
            lambda wrong, right: (
                f"i paid on {said_day(wrong, 'en')} no sorry {said_day(right, 'en')}"
            ),
        ),
    ],
)
def test_a_corrected_day_is_the_one_checked(app, call, customer_factory, session, language, said):
    customer = _customer(customer_factory, language)
    _paid(session, customer, language, days_ago=20, later=None)
    day = bot_today(app) - timedelta(days=20)
    # The day said first is two days after the payment, too late to be it; the correction is
    # the day after it, as a transfer posted the next day is.
    line = _call(call, language)
    line.say(said(day + timedelta(days=2), day + timedelta(days=1)))
    spoken, verb = line.say(DIGITS[language])
    _found(session, spoken, verb, language, day)


@pytest.mark.parametrize(
    ("language", "said"),
    [("es", "pagué la semana pasada"), ("en", "i paid last week did it go through")],
)
def test_last_week_finds_the_payment_of_last_week_not_todays(
    app, call, customer_factory, session, language, said
):
    today = bot_today(app)
    wednesday = today.weekday() + 5  # days back to last week's Wednesday
    customer = _customer(customer_factory, language)
    _paid(session, customer, language, days_ago=wednesday, later=0)
    line = _call(call, language)
    line.say(said)
    spoken, verb = line.say(DIGITS[language])
    _found(session, spoken, verb, language, today - timedelta(days=wednesday))


@pytest.mark.parametrize(
    ("language", "said"), [("es", "el jueves pasado"), ("en", "last thursday")]
)
def test_last_thursday_finds_thursdays_payment(
    app, call, customer_factory, session, language, said
):
    today = bot_today(app)
    thursday = (today.weekday() - 3) % 7 or 7
    customer = _customer(customer_factory, language)
    _paid(session, customer, language, days_ago=thursday, later=None)
    line = _call(call, language)
    line.say(("pagué " if language == "es" else "i paid ") + said)
    spoken, verb = line.say(DIGITS[language])
    _found(session, spoken, verb, language, today - timedelta(days=thursday))


@pytest.mark.parametrize(
    ("language", "asked", "said"),
    [
        ("es", "ya pagué me llegó el pago", "sí pagué hace dos semanas"),
        ("en", "did you get my payment", "yes i paid two weeks ago"),
    ],
)
def test_when_given_at_the_review_question_the_day_finds_the_payment(
    app, call, customer_factory, session, language, asked, said
):
    customer = _customer(customer_factory, language)
    _paid(session, customer, language, days_ago=14, later=None)
    line = _call(call, language)
    line.say(asked)
    question, _ = line.say(DIGITS[language])
    assert ("asesor lo revise" if language == "es" else "agent to look into it") in question
    spoken, verb = line.say(said)
    _found(session, spoken, verb, language, bot_today(app) - timedelta(days=14))


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "es",
            lambda wrong, right: f"no pagué {said_day(wrong, 'es')} pagué {said_day(right, 'es')}",
        ),
        (
            "es",
            lambda wrong, right: (
                f"pagué pero no fue {said_day(wrong, 'es')} sino {said_day(right, 'es')}"
            ),
        ),
        (
            "en",
            lambda wrong, right: (
                f"i didn't pay on {said_day(wrong, 'en')} i paid on {said_day(right, 'en')}"
            ),
        ),
        (
            "en",
            lambda wrong, right: (
                f"i paid but it wasn't {said_day(wrong, 'en')} it was {said_day(right, 'en')}"
            ),
        ),
    ],
)
def test_a_denied_day_gives_way_to_the_day_said_after_it(
    app, call, customer_factory, session, language, said
):
    customer = _customer(customer_factory, language)
    _paid(session, customer, language, days_ago=20, later=None)
    day = bot_today(app) - timedelta(days=20)
    line = _call(call, language)
    line.say(said(day + timedelta(days=2), day + timedelta(days=1)))
    spoken, verb = line.say(DIGITS[language])
    _found(session, spoken, verb, language, day)


@pytest.mark.parametrize(
    ("language", "asked", "said"),
    [
        ("es", "ya pagué me llegó el pago", lambda d: f"fue {said_day(d, 'es')}"),
        ("es", "ya pagué me llegó el pago", lambda d: said_day(d, "es")),
        ("en", "did you get my payment", lambda d: f"it was {said_day(d, 'en')}"),
        ("en", "did you get my payment", lambda d: said_day(d, "en")),
    ],
)
def test_a_bare_day_at_the_review_question_finds_the_payment(
    app, call, customer_factory, session, language, asked, said
):
    """The caller answers about the payment, so the day alone is the payment's (low days too:
    see the date reader's tests)."""
    customer = _customer(customer_factory, language)
    _paid(session, customer, language, days_ago=14, later=None)
    day = bot_today(app) - timedelta(days=14)
    line = _call(call, language)
    line.say(asked)
    question, _ = line.say(DIGITS[language])
    assert ("asesor lo revise" if language == "es" else "agent to look into it") in question
    spoken, verb = line.say(said(day))
    _found(session, spoken, verb, language, day)


def _latest_4th(today: date) -> date:
    """Return the latest 4th on or before ``today``: where "el cuatro" of a payment made is read."""
    return today.replace(day=4) if today.day >= 4 else _a_month_before(today.replace(day=4))


def _a_month_before(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=day.day)


@pytest.mark.parametrize(
    ("language", "first", "answer"),
    [
        ("es", "ya pagué me llegó el pago", "fue el cuatro"),
        ("es", "ya pagué el cuatro y no me aparece", None),
        ("en", "did you get my payment", "it was on the fourth"),
        ("en", "i paid on the fourth and it's not showing", None),
    ],
)
def test_a_day_said_without_its_month_finds_last_months_payment_of_that_day(
    app, call, customer_factory, session, language, first, answer
):
    """ "Fue el cuatro" with no payment this month's 4th: the one of last month's 4th is found,
    never "I can't find a payment of the 4th; the last one was on the 4th"."""
    paid = _a_month_before(_latest_4th(bot_today(app)))
    customer = _customer(customer_factory, language)
    _paid(session, customer, language, days_ago=(bot_today(app) - paid).days, later=None)
    line = _call(call, language)
    line.say(first)
    spoken, verb = line.say(DIGITS[language])
    if answer is not None:
        assert ("asesor lo revise" if language == "es" else "agent to look into it") in spoken
        spoken, verb = line.say(answer)
    _found(session, spoken, verb, language, paid)


@pytest.mark.parametrize(
    ("language", "said"),
    [("es", "pagué el cuatro de este mes"), ("en", "i paid on the fourth of this month")],
)
def test_a_day_of_this_month_said_so_is_not_last_months(
    app, call, customer_factory, session, language, said
):
    today = bot_today(app)
    if today.day < 4:
        pytest.skip("this month's 4th is still to come")
    paid = _a_month_before(_latest_4th(today))
    customer = _customer(customer_factory, language)
    _paid(session, customer, language, days_ago=(today - paid).days, later=None)
    line = _call(call, language)
    line.say(said)
    spoken, verb = line.say(DIGITS[language])
    assert verb == "Enqueue" and any(words in spoken for words in NOT_FOUND[:2]), spoken
    assert len(escalations(session)) == 1

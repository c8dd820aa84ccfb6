"""Payment claims and dates as customers write them, over the signed webhooks.

A yes to "would you like an agent to look into it?" hands over, whatever words say it ("sí
porfa revisen, yo sí pagué"); an amount or a day given at that point is checked as a claim,
also when a new conversation picks the question up. Month abbreviations ("nov 4", "7 de nov"),
numeric dates (day first in Spanish-speaking markets, month first in the United States), bare
amounts ("I paid 90.95", "ya pagué 133718") and relative dates ("el 15", "el próximo viernes",
"a fin de mes", "mañana", "next week") are read the same way by the rules and the dialog, on
the customer's own day. Long SMS replies go out without accents, so assertions go through
``plain``.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from decimal import Decimal

import pytest

from contactpro.dialog.dates import said_date
from contactpro.dialog.localtime import midnight, zone_of
from contactpro.dialog.replies import format_date
from contactpro.models import Account, Payment
from contactpro.nlu.rules import apply_rules
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    agreements,
    bot_today,
    escalations,
    latest_state,
)

ES_ABBR = "ene feb mar abr may jun jul ago sep oct nov dic".split()
EN_ABBR = "jan feb mar apr may jun jul aug sep oct nov dec".split()


def plain(text: str) -> str:
    """Return ``text`` without accents (long SMS replies are sent in GSM-7 letters)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def spanish(session, customer_factory):
    """A Colombian customer with no payment recorded."""
    return customer_factory(phone=SPANISH, balance="250000")


def english(session, customer_factory):
    """An American customer, billed in dollars, with no payment recorded."""
    return customer_factory(
        phone=ENGLISH, language="en", currency="USD", balance="80", name="Grace Miller"
    )


def paid_on(app, session, account: Account, amount: str, day: date) -> Payment:
    """Record a PSE payment on ``account`` at noon of ``day`` on the bot's calendar."""
    zone = zone_of(app.extensions["contactpro"].settings, None)
    payment = Payment(
        account=account,
        amount=Decimal(amount),
        method="pse",
        reference=f"P{day.isoformat()}",
        paid_at=midnight(day, zone) + timedelta(hours=12),
    )
    session.add(payment)
    session.commit()
    return payment


def weeks_back(app, days: int = 30) -> date:
    """Return a day some weeks before the bot's today: older than a "recent" payment."""
    return bot_today(app) - timedelta(days=days)


def ambiguous_day(app) -> date:
    """Return a day at least two weeks back whose day and month could swap (both up to 12,
    and different), so a numeric date read the wrong way round misses it."""
    day = bot_today(app) - timedelta(days=15)
    while not (day.day <= 12 and day.day != day.month):
        day -= timedelta(days=1)
    return day


# --- 1. a yes to "should an agent look into it?" hands over ------------------------------------


@pytest.mark.parametrize(
    ("language", "request_text", "yes"),
    [
        ("es", "ya pague, si les llego?", "si porfa revisen, yo si pague"),
        ("es", "ya pague, si les llego?", "si por favor, yo si hice el pago"),
        ("en", "did my payment go through?", "yes please check, i definitely paid"),
        ("en", "did my payment go through?", "please do, I did pay"),
    ],
)
def test_a_yes_to_the_review_hands_over(
    sms, session, customer_factory, language, request_text, yes
):
    (spanish if language == "es" else english)(session, customer_factory)
    thread = sms(SPANISH if language == "es" else ENGLISH)
    thread.send(request_text)
    asked = plain(thread.send("4050"))
    assert ("un asesor lo revise" if language == "es" else "an agent to look into it") in asked
    answer = plain(thread.send(yes))
    assert "En que mas te puedo ayudar" not in answer and "What else can I" not in answer
    assert ("asesor" if language == "es" else "agent") in answer
    [escalation] = escalations(session)
    assert escalation.reason == "payment_not_found"


@pytest.mark.parametrize(
    ("language", "no", "yes"),
    [
        ("es", "no gracias", "no, yo ya pague, revisen"),
        ("es", "no, así está bien", "si porfa, yo si pague"),
        ("en", "no thanks", "no, I did pay, look into it"),
        ("en", "nope", "yes please, I did pay"),
    ],
)
def test_a_no_to_the_review_moves_on_and_a_later_yes_hands_over(
    sms, session, customer_factory, language, no, yes
):
    (spanish if language == "es" else english)(session, customer_factory)
    thread = sms(SPANISH if language == "es" else ENGLISH)
    request_text = "ya pague, si les llego?" if language == "es" else "did my payment go through?"
    thread.send_all(request_text, "4050")
    answer = plain(thread.send(no))
    assert ("En que mas te puedo ayudar" if language == "es" else "What else can I") in answer
    assert escalations(session) == []
    thread.send(request_text)
    thread.send(yes)
    [escalation] = escalations(session)
    assert escalation.reason == "payment_not_found"


def test_details_given_at_the_review_are_checked_as_a_claim(app, sms, session, customer_factory):
    customer = spanish(session, customer_factory)
    day = weeks_back(app)
    paid_on(app, session, customer.accounts[0], "114673.26", day)
    thread = sms(SPANISH)
    thread.send("ya pague, si les llego?")
    assert "un asesor lo revise" in plain(thread.send("4050"))
    stated = day - timedelta(days=1)
    answer = plain(thread.send(f"pague 114.673 el {format_date(stated, 'es')} por PSE"))
    assert f"recibimos tu pago de 114.673 pesos el {format_date(day, 'es')}" in answer
    assert "En que mas te puedo ayudar" not in answer
    assert escalations(session) == []
    assert latest_state(session)["resolved"] is True


def test_english_details_given_at_the_review_are_checked_as_a_claim(
    app, sms, session, customer_factory
):
    customer = english(session, customer_factory)
    day = weeks_back(app)
    paid_on(app, session, customer.accounts[0], "90.95", day)
    thread = sms(ENGLISH)
    thread.send("did my payment go through?")
    thread.send("4050")
    answer = thread.send(f"I paid 90.95 on {EN_ABBR[day.month - 1]} {day.day} by card")
    assert f"we received your payment of 90.95 dollars on {format_date(day, 'en')}" in answer
    assert escalations(session) == []


def test_a_claim_given_at_the_review_that_matches_nothing_goes_to_an_agent_with_it(
    app, sms, session, customer_factory
):
    customer = spanish(session, customer_factory)
    day = weeks_back(app)
    paid_on(app, session, customer.accounts[0], "50000", day)
    thread = sms(SPANISH)
    thread.send("ya pague, si les llego?")
    thread.send("4050")
    answer = plain(thread.send(f"pague 114.673 el {format_date(day, 'es')}"))
    assert "No encuentro un pago de 114.673 pesos" in answer
    assert "En que mas te puedo ayudar" not in answer
    [escalation] = escalations(session)
    assert escalation.reason == "payment_not_found"
    claim = escalation.context["details"]["payment_claim"]
    assert (claim["amount"], claim["date"]) == ("114673", day.isoformat())


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_new_conversation_picking_up_the_review_checks_a_new_claim(
    app, sms, call, session, customer_factory, language
):
    customer = (spanish if language == "es" else english)(session, customer_factory)
    day = weeks_back(app)
    amount = "114673.26" if language == "es" else "90.95"
    paid_on(app, session, customer.accounts[0], amount, day)
    phone = SPANISH if language == "es" else ENGLISH
    thread = sms(phone)
    thread.send("ya pague, si les llego?" if language == "es" else "did my payment go through?")
    thread.send("4050")
    again = call(phone)
    again.start()
    claim = (
        f"pague 114.673 el {format_date(day, 'es')} por PSE"
        if language == "es"
        else f"I paid 90.95 on {EN_ABBR[day.month - 1]} {day.day}"
    )
    answer, _ = again.say(claim)
    assert ("recibimos tu pago" if language == "es" else "we received your payment") in answer
    assert "declined_payment_review" not in latest_state(session)["steps"]
    assert escalations(session) == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_new_conversation_with_an_unmatched_claim_hands_it_over(
    app, sms, call, session, customer_factory, language
):
    (spanish if language == "es" else english)(session, customer_factory)
    phone = SPANISH if language == "es" else ENGLISH
    thread = sms(phone)
    thread.send("ya pague, si les llego?" if language == "es" else "did my payment go through?")
    thread.send("4050")
    again = call(phone)
    again.start()
    day = weeks_back(app)
    again.say(
        f"pague 60.000 el {day.day} de {ES_ABBR[day.month - 1]} por PSE"
        if language == "es"
        else f"I paid 40 on {EN_ABBR[day.month - 1]} {day.day}"
    )
    assert "declined_payment_review" not in latest_state(session)["steps"]
    [escalation] = escalations(session)
    assert escalation.reason == "payment_not_found"
    claim = escalation.context["details"]["payment_claim"]
    assert (claim["amount"], claim["date"]) == (
        "60000" if language == "es" else "40",
        day.isoformat(),
    )


# --- 2. month abbreviations, numeric dates and bare amounts in a claim --------------------------


@pytest.mark.parametrize("dot", ["", "."])
def test_english_month_abbreviation_finds_the_payment(app, sms, session, customer_factory, dot):
    customer = english(session, customer_factory)
    day = weeks_back(app)
    paid_on(app, session, customer.accounts[0], "90.95", day)
    thread = sms(ENGLISH)
    thread.send(f"did you get my payment? i paid on {EN_ABBR[day.month - 1]}{dot} {day.day}")
    answer = thread.send("4050")
    assert f"we received your payment of 90.95 dollars on {format_date(day, 'en')}" in answer
    assert "I don't see a recent payment" not in answer and escalations(session) == []


@pytest.mark.parametrize("dot", ["", "."])
def test_spanish_month_abbreviation_finds_the_payment(app, sms, session, customer_factory, dot):
    customer = spanish(session, customer_factory)
    day = weeks_back(app)
    paid_on(app, session, customer.accounts[0], "114673.26", day)
    thread = sms(SPANISH)
    thread.send(f"les pague el {day.day} de {ES_ABBR[day.month - 1]}{dot}, si les llego?")
    answer = plain(thread.send("4050"))
    assert f"recibimos tu pago de 114.673 pesos el {format_date(day, 'es')}" in answer
    assert "Aun no vemos" not in answer and escalations(session) == []


def test_a_bare_decimal_is_the_amount_claimed(app, sms, session, customer_factory):
    customer = english(session, customer_factory)
    day = weeks_back(app)
    paid_on(app, session, customer.accounts[0], "90.95", day)
    thread = sms(ENGLISH)
    thread.send(f"I paid 120.50 on {EN_ABBR[day.month - 1]} {day.day}th, did you get it?")
    answer = thread.send("4050")
    assert "can't find a payment of 120.50 dollars" in answer
    assert "we received your payment" not in answer
    [escalation] = escalations(session)
    assert escalation.context["details"]["payment_claim"]["amount"] == "120.5"


def test_spanish_numeric_date_is_day_first_and_a_bare_number_is_the_amount(
    app, sms, session, customer_factory
):
    customer = spanish(session, customer_factory)
    day = ambiguous_day(app)
    paid_on(app, session, customer.accounts[0], "133718", day)
    thread = sms(SPANISH)
    first = plain(thread.send(f"ya pague 133718 el {day.day}/{day.month}"))
    assert "ultimos cuatro digitos de tu documento" in first  # the amount is no id to check
    answer = plain(thread.send("4050"))
    assert f"recibimos tu pago de 133.718 pesos el {format_date(day, 'es')}" in answer
    assert escalations(session) == []


def test_english_numeric_date_is_month_first_for_an_american_customer(
    app, sms, session, customer_factory
):
    customer = english(session, customer_factory)
    day = ambiguous_day(app)
    paid_on(app, session, customer.accounts[0], "64.10", day)
    thread = sms(ENGLISH)
    thread.send(f"I paid 64.10 on {day.month}/{day.day}, did it go through?")
    answer = thread.send("4050")
    assert f"we received your payment of 64.10 dollars on {format_date(day, 'en')}" in answer
    assert escalations(session) == []


def test_a_grouped_amount_after_i_paid_is_an_amount_not_an_id(app, sms, session, customer_factory):
    customer = spanish(session, customer_factory)
    day = weeks_back(app)
    paid_on(app, session, customer.accounts[0], "419313", day)
    paid_on(app, session, customer.accounts[0], "419313", weeks_back(app, 12))  # another month
    thread = sms(SPANISH)
    thread.send(f"ya pague 419.313 el {day.day} de {ES_ABBR[day.month - 1]}, les llego?")
    answer = plain(thread.send("4050"))
    assert f"recibimos tu pago de 419.313 pesos el {format_date(day, 'es')}" in answer
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("text", "language", "amount"),
    [
        ("ya pague 133718 el 7/11", "es", "133718"),
        ("ya pague 419.313 el 7 de nov", "es", "419313"),
        ("I paid 90.95 on nov 4th", "en", "90.95"),
    ],
)
def test_the_rules_read_a_paid_amount_not_an_id(text, language, amount):
    entities = apply_rules(text, source="text", language=language, today=date(2026, 12, 5)).entities
    assert entities["amount"]["value"] == amount
    assert "national_id" not in entities and "account_number" not in entities


# --- 3. relative and common dates, on the customer's day -----------------------------------------

SATURDAY = date(2026, 12, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("el 15", date(2026, 12, 15)),
        ("puedo pagar el 15?", date(2026, 12, 15)),
        ("puedo pagar el 3?", date(2027, 1, 3)),
        ("on the 15th", date(2026, 12, 15)),
        ("el viernes", date(2026, 12, 11)),
        ("el próximo viernes", date(2026, 12, 11)),
        ("next friday", date(2026, 12, 11)),
        ("can I pay on monday?", date(2026, 12, 7)),
        ("fin de mes", date(2026, 12, 31)),
        ("a fin de mes", date(2026, 12, 31)),
        ("end of the month", date(2026, 12, 31)),
        ("mañana", date(2026, 12, 6)),
        ("pasado mañana", date(2026, 12, 7)),
        ("la otra semana", date(2026, 12, 12)),
        ("la próxima semana", date(2026, 12, 12)),
        ("next week", date(2026, 12, 12)),
        ("hasta el 20 de feb", date(2027, 2, 20)),
        ("pago el 7 de nov", date(2026, 11, 7)),
        ("i'll pay on nov. 30", date(2026, 11, 30)),
    ],
)
def test_said_date_reads_relative_and_common_dates(text, expected):
    assert said_date(text, SATURDAY) == (expected, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pague el viernes", date(2026, 12, 4)),
        ("i paid on the 3rd", date(2026, 12, 3)),
        ("pague el 20", date(2026, 11, 20)),
        ("pague a fin de mes", date(2026, 11, 30)),
        ("i paid on nov 4", date(2026, 11, 4)),
        ("pague el 7 de nov", date(2026, 11, 7)),
    ],
)
def test_said_date_reads_a_payment_made_in_the_past(text, expected):
    assert said_date(text, SATURDAY, past=True) == (expected, True)


@pytest.mark.parametrize(
    ("date_text", "other_text"),
    [
        ("mañana", "mañana te confirmo"),
        ("puedo pagar mañana", "déjame pensarlo y mañana te digo"),
        ("puedo pagar el 2", "el 2"),
        ("on the 2nd", "the 2nd one"),
        ("hasta el 15", "quiero el 15 % de descuento"),
        ("el viernes", "me llamaron el viernes y nada"),
        ("may 15", "may I pay in 6 payments"),
        ("pasado mañana", "esta mañana no puedo"),
        ("next week", "I lost my job 3 months ago"),
    ],
)
def test_said_date_needs_the_words_to_be_about_a_date(date_text, other_text):
    assert said_date(date_text, SATURDAY) is not None
    assert said_date(other_text, SATURDAY) is None


def test_numeric_dates_follow_the_market():
    assert said_date("pague el 7/11", SATURDAY, past=True, month_first=False) == (
        date(2026, 11, 7),
        True,
    )
    assert said_date("paid 7/11", SATURDAY, past=True, month_first=True) == (
        date(2026, 7, 11),
        True,
    )
    assert said_date("pague el 7/11", SATURDAY, past=True) is None  # either way round
    assert said_date("pague el 25/11", SATURDAY, past=True) == (date(2026, 11, 25), True)


def test_the_rules_date_is_the_dialogs_date():
    entities = apply_rules(
        "me puede dar hasta el 20 de febrero?", source="text", language="es", today=SATURDAY
    ).entities
    assert entities["date"] == "2027-02-20"
    nov = apply_rules("i paid on nov 4", source="text", language="en", today=SATURDAY).entities
    assert nov["date"] == "2026-11-04"
    assert (
        apply_rules("ayer pague", source="text", language="es", today=SATURDAY).entities["date"]
        == "2026-12-04"
    )


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _end_of_month(today: date) -> date:
    return (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("mañana", lambda t: t + timedelta(days=1)),
        ("y pasado mañana?", lambda t: t + timedelta(days=2)),
        ("puedo pagar el próximo viernes?", lambda t: _next_weekday(t, 4)),
        ("a fin de mes", _end_of_month),
        ("la otra semana", lambda t: t + timedelta(days=7)),
    ],
)
def test_debt_date_said_relatively_is_compared_as_a_date(app, sms, debtor, session, text, when):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    answer = plain(thread.send(text))
    asked = when(bot_today(app))
    latest = bot_today(app) + timedelta(days=3 if asked <= bot_today(app) + timedelta(3) else 30)
    assert f"Si, puedes pagar hasta el {format_date(latest, 'es')}" in answer
    assert agreements(session) == [] and escalations(session) == []


def test_debt_day_of_the_month_alone_is_a_date(app, sms, debtor, session):
    today = bot_today(app)
    day = today + timedelta(days=10)
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    answer = plain(thread.send(f"puedo pagar el {day.day}?"))
    assert f"Si, puedes pagar hasta el {format_date(today + timedelta(days=30), 'es')}" in answer
    assert agreements(session) == []


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("tomorrow", lambda t: t + timedelta(days=1)),
        ("can I pay next friday?", lambda t: _next_weekday(t, 4)),
        ("end of the month", _end_of_month),
        ("next week", lambda t: t + timedelta(days=7)),
    ],
)
def test_english_debt_date_said_relatively_is_compared_as_a_date(
    app, sms, english_debtor, session, text, when
):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    answer = thread.send(text)
    asked = when(bot_today(app))
    latest = bot_today(app) + timedelta(days=3 if asked <= bot_today(app) + timedelta(3) else 30)
    assert f"Yes, you can pay by {format_date(latest, 'en')}" in answer
    assert agreements(session) == [] and escalations(session) == []


def test_english_debt_day_of_the_month_alone_is_a_date(app, sms, english_debtor, session):
    today = bot_today(app)
    day = today + timedelta(days=10)
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10 if day.day not in (11, 12, 13) else 0)
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    answer = thread.send(f"could I pay on the {day.day}{suffix or 'th'}?")
    assert f"Yes, you can pay by {format_date(today + timedelta(days=30), 'en')}" in answer
    assert agreements(session) == []

"""Dates as callers say them over the phone (Twilio's speech results: numbers in words, lower
case, little punctuation), read by the date reader the rules and the dialog share.

Ordinal days ("december fourth", "the twentieth", "el primero de diciembre"), past days named
from today ("last thursday", "hace dos días", "la semana pasada"), a day corrected by the next
("el cinco no perdón el cuatro") and an amount said after the month, which is no year. A payment
made is never placed after today; words that count things ("the fourth payment", "cuarta
cuota", "first of all") are no dates.
"""

from __future__ import annotations

from datetime import date

import pytest

from contactpro.nlu.dates import named_date, said_date
from contactpro.nlu.rules import apply_rules

MONDAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pagué el cuatro de diciembre", date(2026, 12, 4)),
        ("i paid on december fourth", date(2026, 12, 4)),
        ("i paid on the fourth", date(2026, 12, 4)),
        ("i paid the twentieth", date(2026, 11, 20)),
        ("i paid on november twenty first", date(2026, 11, 21)),
        ("i paid on the twenty-first of november", date(2026, 11, 21)),
        ("uh i paid on the fourth and it's not showing", date(2026, 12, 4)),
        ("pagué el primero de diciembre", date(2026, 12, 1)),
        ("pagué el treinta y uno de octubre", date(2026, 10, 31)),
    ],
)
def test_a_day_said_in_words_or_as_an_ordinal_is_read(text, expected):
    assert said_date(text, MONDAY, past=True) == (expected, True)
    assert named_date(text, MONDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i paid last thursday", date(2026, 12, 3)),
        ("pagué el jueves pasado", date(2026, 12, 3)),
        ("i paid this monday", MONDAY),  # said on a Monday: today
        ("pagué el lunes", date(2026, 11, 30)),  # said on a Monday: a week ago
        ("pagué anteayer", date(2026, 12, 5)),
        ("pagué antier", date(2026, 12, 5)),
        ("i paid the day before yesterday", date(2026, 12, 5)),
        ("pagué hace dos días", date(2026, 12, 5)),
        ("i paid two days ago", date(2026, 12, 5)),
        ("pagué hace un par de días", date(2026, 12, 5)),
        ("i paid a week ago", date(2026, 11, 30)),
        ("pagué hace una semana", date(2026, 11, 30)),
        ("pagué hace dos semanas", date(2026, 11, 23)),
        # A week names no day: its Tuesday, so that a payment of any day of it is in reach.
        ("pagué la semana pasada", date(2026, 12, 1)),
        ("i paid last week", date(2026, 12, 1)),
    ],
)
def test_a_past_day_named_from_today_is_read(text, expected):
    assert said_date(text, MONDAY, past=True) == (expected, True)
    assert named_date(text, MONDAY) == expected


@pytest.mark.parametrize(
    "text", ["last thursday", "el jueves pasado", "hace dos dias", "two days ago"]
)
def test_a_day_said_to_be_past_is_never_a_day_to_pay_by(text):
    assert said_date(text, MONDAY) is None
    assert named_date(text, MONDAY) is not None and named_date(text, MONDAY) < MONDAY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pagué el cinco no perdón el cuatro", date(2026, 12, 4)),
        ("i paid on the fifth, no, sorry, the fourth", date(2026, 12, 4)),
        ("pagué el veinte de noviembre no perdón el veintiuno", date(2026, 11, 21)),
        ("i paid on the third i mean the second", date(2026, 12, 2)),
        ("pagué el lunes no perdón el martes", date(2026, 12, 1)),
    ],
)
def test_a_corrected_day_is_the_last_one_said(text, expected):
    assert said_date(text, MONDAY, past=True) == (expected, True)
    assert named_date(text, MONDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("puedo pagar el quince no mejor el veinte", date(2026, 12, 20)),
        ("can I pay on the fifteenth, sorry, the twentieth", date(2026, 12, 20)),
        ("puedo pagar el primero de enero", date(2027, 1, 1)),
    ],
)
def test_a_day_to_pay_by_is_read_the_same_way(text, expected):
    assert said_date(text, MONDAY) == (expected, True)


@pytest.mark.parametrize(
    "text",
    [
        "ya pague el quince y no me llega me dijeron que el veinte",  # no correction: the first
        "pagué el lunes no me aparece",
    ],
)
def test_a_no_that_corrects_nothing_keeps_the_first_day(text):
    first = said_date(text.split(" no ")[0], MONDAY, past=True)
    assert first is not None and said_date(text, MONDAY, past=True) == first


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pagué el veinte de noviembre ochenta y nueve mil novecientos pesos", date(2026, 11, 20)),
        ("pagué el 20 de noviembre 89900 pesos", date(2026, 11, 20)),
        ("pagué el veinte de noviembre dos mil pesos", date(2026, 11, 20)),
        ("i paid on the 20th of november 1500 dollars", date(2026, 11, 20)),
        ("i paid november twentieth two thousand dollars", date(2026, 11, 20)),
        ("pagué el veinte de noviembre de dos mil veinticinco", date(2025, 11, 20)),
        ("pagué el veinte de noviembre del veinticinco", date(2025, 11, 20)),
        ("i paid on nov 4th, 2025", date(2025, 11, 4)),
    ],
)
def test_an_amount_after_the_month_is_no_year(text, expected):
    assert said_date(text, MONDAY, past=True) == (expected, True)


@pytest.mark.parametrize(
    "text",
    [
        "pagué el veinte de diciembre",
        "pagué el veinte de diciembre de dos mil veintiseis",
        "i paid on the twentieth",
        "i paid on friday",
        "i paid this thursday",
        "pagué el quince",
    ],
)
def test_a_payment_made_is_never_after_today(text):
    found = said_date(text, MONDAY, past=True)
    assert found is not None and found[0] <= MONDAY


@pytest.mark.parametrize(
    "text",
    [
        "el 4",
        "el cuatro",
        "4 cuotas",
        "quiero pagar en cuatro cuotas",
        "cuarta cuota",
        "the fourth payment",
        "first of all",
        "first I want to know if you got it",
        "the first one",
        "can I pay less on the first instalment?",
        "i'd like the second option",
        "may first I ask something",
        "el primero que me ofreciste",
    ],
)
def test_words_that_count_things_are_no_dates(text):
    assert said_date(text, MONDAY) is None
    assert said_date(text, MONDAY, past=True) is None
    assert named_date(text, MONDAY) is None


@pytest.mark.parametrize(
    ("text", "language", "day", "amount"),
    [
        ("um i paid fifty five dollars on november twenty first", "en", "2026-11-21", "55"),
        ("i paid on the fifth no sorry the fourth", "en", "2026-12-04", None),
        ("pagué el primero de diciembre", "es", "2026-12-01", None),
        ("pagué el cinco no perdón el cuatro", "es", "2026-12-04", None),
        ("pagué hace dos días", "es", "2026-12-05", None),
    ],
)
def test_the_rules_store_the_day_the_dialog_reads(text, language, day, amount):
    entities = apply_rules(text, source="speech", language=language, today=MONDAY).entities
    assert entities["date"] == day
    if amount is not None:
        assert entities["amount"]["value"] == amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no pagué el cuatro pagué el cinco", date(2026, 12, 5)),
        ("no pagué el 4, pagué el 5", date(2026, 12, 5)),
        ("no fue el cuatro sino el cinco", date(2026, 12, 5)),
        ("i didn't pay on the fourth i paid on the fifth", date(2026, 12, 5)),
        ("it wasn't the fourth it was the fifth", date(2026, 12, 5)),
        ("no pagué el 20 de noviembre sino el 21 de noviembre", date(2026, 11, 21)),
        ("no me llegó la factura del 5 de noviembre, pagué el 20", date(2026, 11, 20)),
    ],
)
def test_a_denied_day_gives_way_to_the_one_said_after_it(text, expected):
    assert said_date(text, MONDAY, past=True, paying=True) == (expected, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no puedo pagar el quince pero el veinte sí", date(2026, 12, 20)),
        ("i can't pay on the fifteenth but i can on the twentieth", date(2026, 12, 20)),
        # A day after "ni" / "or" is not the one meant: the first stays.
        ("no sé tal vez el quince o el veinte", date(2026, 12, 15)),
        # A day before the denial is the one said.
        ("puedo pagar el 15, no tengo plata antes", date(2026, 12, 15)),
    ],
)
def test_a_day_to_pay_by_after_a_denied_one(text, expected):
    assert said_date(text, MONDAY, paying=True) == (expected, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("el cuatro", date(2026, 12, 4)),
        ("fue el 4", date(2026, 12, 4)),
        ("the 2nd", date(2026, 12, 2)),
    ],
)
def test_a_bare_low_day_answering_when_they_paid_is_the_day(text, expected):
    assert said_date(text, MONDAY, past=True, paying=True) == (expected, True)
    assert said_date(text, MONDAY, past=True) is None  # elsewhere "el 2" may be an option

"""Dates a customer says: "el 15 de enero", "January 15", "en marzo", "ayer", "antier".

A day and month carry no year: it is placed where the customer means it. A payment still to
make is in the coming months, except a date just past ("el 30 de noviembre" said on 5
December), which is the past and is answered as such. A payment already made is in the past:
the latest such day on or before today.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from contactpro.nlu.numbers import words_to_digits
from contactpro.nlu.text import normalise

MONTHS = {
    **{
        m: i + 1
        for i, m in enumerate(
            "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
            "diciembre".split()
        )
    },
    "setiembre": 9,
    **{
        m: i + 1
        for i, m in enumerate(
            "january february march april may june july august september october november "
            "december".split()
        )
    },
}
# A date to pay by this many days back is a date just past, not next year's.
RECENT_PAST_DAYS = 92
# "may" is left out: "may I pay in 6 payments" is no month.
_MONTH_NAMES = "|".join(m for m in MONTHS if m != "may")
_MONTH = re.compile(
    r"\b(pagar?|pago|pague|pay|paid|paying|hasta|until|by|for|en|in|para|antes)\b.*\b("
    + _MONTH_NAMES
    + r")\b"
)
# "el 15 de enero", "15th of January", "January 15": a day in that month.
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:de\s+|of\s+)?(" + _MONTH_NAMES + r")\b")
_MONTH_DAY = re.compile(r"\b(" + _MONTH_NAMES + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b")
# Past days named relative to today ("ayer hice la transferencia").
_DAYS_BACK = (
    (re.compile(r"\b(antier|anteayer|antes de ayer|day before yesterday)\b"), 2),
    (re.compile(r"\b(ayer|yesterday)\b"), 1),
    (re.compile(r"\b(hoy|today|esta manana|this morning)\b"), 0),
)


def _on(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _day_and_month(norm: str) -> tuple[int, int] | None:
    if (match := _DAY_MONTH.search(norm)) is not None:
        return int(match.group(1)), MONTHS[match.group(2)]
    if (match := _MONTH_DAY.search(norm)) is not None:
        return int(match.group(2)), MONTHS[match.group(1)]
    return None


def said_date(text: str, today: date, *, past: bool = False) -> tuple[date, bool] | None:
    """Return the date ``text`` names and whether it named the day ("en marzo" names none).

    ``past`` places it for a payment already made (on or before today; "ayer" and "antier" are
    read too); otherwise for one to make: the coming months, or the past when it is at most
    :data:`RECENT_PAST_DAYS` back.
    """
    norm = words_to_digits(normalise(text))
    found = _day_and_month(norm)
    if found is None and past:
        for pattern, days in _DAYS_BACK:
            if pattern.search(norm):
                return today - timedelta(days=days), True
    if found is not None:
        (day, month), day_given = found, True
        if day < 1:
            return None
    elif (match := _MONTH.search(norm)) is not None:
        day, month, day_given = 1, MONTHS[match.group(2)], False
        if not past and month == today.month:
            return today, False  # "pagar en diciembre" said in December: this month
    else:
        return None
    this_year = _on(today.year, month, day)
    if past:
        return (this_year if this_year <= today else _on(today.year - 1, month, day)), day_given
    if this_year >= today or (today - this_year).days <= RECENT_PAST_DAYS:
        return this_year, day_given
    return _on(today.year + 1, month, day), day_given

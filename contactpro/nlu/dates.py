"""Dates a customer says, read one way for the rules' ``date`` entity and for the dialog.

Named days: "el 15 de enero", "January 15", "nov 4", "7 de nov.", "7/11" (day first, or month
first in the United States), "2026-11-07", a month alone ("en marzo"). Relative days, on the
customer's own today: "ayer", "antier", "hoy" (a payment made), "mañana", "pasado mañana",
"el viernes" / "el próximo viernes" / "next friday" (the first such weekday after today, never
today), "fin de mes" / "end of the month" (its last day), "la otra semana" / "next week" (a
week from today), "el 15" / "on the 15th" (the next 15th; the last one for a payment made).

A day and month with no year are placed where the customer means them. A payment still to
make is in the coming months, except a date just past ("el 30 de noviembre" said on 5
December), which is the past and is answered as such. A payment already made is in the past:
the latest such day on or before today.

Words that are dates only in context ("mañana te digo", "el 2" picking the second option, "the
2nd one") count only when the message is about paying ("puedo pagar el 2", "hasta el viernes")
or says little besides the date ("¿y el viernes?", "el 15"; a bare day number from the 10th).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date, timedelta

from contactpro.nlu.text import numeric_form

FULL_MONTHS = {
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
ABBREVIATIONS = {
    **{m: i + 1 for i, m in enumerate("ene feb mar abr may jun jul ago sep oct nov dic".split())},
    **{m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())},
    "sept": 9,
}
MONTHS = {**ABBREVIATIONS, **FULL_MONTHS}
# A date to pay by this many days back is a date just past, not next year's.
RECENT_PAST_DAYS = 92
# A day of the month said alone ("el 15") from this day on: "el 2" picks the second option.
BARE_DAY_FROM = 10


def _names(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_ORD = r"(?:st|nd|rd|th|ro|ero|er|o)?"
# "ago" before a day is "3 days ago"'s; "may" alone is "may I pay in 6 payments".
_MONTH_FIRST_NAMES = _names(m for m in MONTHS if m != "ago")
_MONTH_ALONE_NAMES = _names(m for m in FULL_MONTHS if m != "may")
_YMD = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC = re.compile(r"(?<![\d/.,])(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?(?![\d/])")
# "el 15 de enero", "15th of January", "7 nov", "January 15", "nov 4th, 2026".
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}}){_ORD}\s+(?:de\s+|of\s+)?({_names(MONTHS)})\b(?:\s+(?:de\s+|del\s+)?(\d{{4}}))?"
)
_MONTH_DAY = re.compile(rf"\b({_MONTH_FIRST_NAMES})\s+(\d{{1,2}}){_ORD}\b(?:\s+(\d{{4}}))?")
_MONTH = re.compile(
    r"\b(pagar?|pago|pague|pay|paid|paying|hasta|until|by|for|en|in|para|antes)\b.*\b("
    + _MONTH_ALONE_NAMES
    + r")\b"
)
# Past days named relative to today ("ayer hice la transferencia"): a payment made.
_DAYS_BACK = (
    (re.compile(r"\b(antier|anteayer|antes de ayer|day before yesterday)\b"), 2),
    (re.compile(r"\b(ayer|yesterday)\b"), 1),
    (re.compile(r"\b(hoy|today|esta manana|this morning)\b"), 0),
)
# Days ahead named relative to today: a payment to make.
_DAYS_AHEAD = (
    (re.compile(r"\b(pasado manana|day after tomorrow)\b"), 2),
    (re.compile(r"(?<!la )(?<!las )(?<!esta )\bmanana\b|\btomorrow\b"), 1),
    (re.compile(r"\b((la|para la) (otra|proxima|siguiente) semana|next week)\b"), 7),
    (re.compile(r"\bla semana (que viene|entrante)\b"), 7),
)
WEEKDAYS = {
    **{d: i for i, d in enumerate("lunes martes miercoles jueves viernes sabado domingo".split())},
    **{
        d: i
        for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())
    },
}
_WEEKDAY = re.compile(
    r"\b(?:(?:el|este|the|this|on|next|coming|proximo|siguiente|otro)\s+)*("
    + _names(WEEKDAYS)
    + r")\b(?:\s+(?:proximo|que viene|next))?"
)
_END_OF_MONTH = re.compile(
    r"\b(?:(?:a|al|para|hasta|by|at|the)\s+)*(?:fin|final|finales|fines) de(?:l)? mes\b"
    r"|\b(?:(?:by|at|on)\s+)?(?:the\s+)?end of (?:the |this )?month\b|\bmonth end\b"
)
# "el 15", "el día 15", "hasta el 15", "on the 15th", "by the 3rd": a day of the month.
_DAY_ONLY = re.compile(
    r"\b((?:(?:el|the|on|by|until|before|hasta|para|antes del?|dia)\s+)+)(\d{1,2})"
    + _ORD
    + r"\b(?!\s*(?:[/.,:]\d|%|por ciento|percent|one|ones|option|opcion|offer|oferta|plan|"
    r"cuotas?|pagos?|payments?|instalments?|installments?|meses|months?|dias|days|semanas|"
    r"weeks|anos|years|de\b|del\b|of\b|mil\b|k\b|pesos|dolares|dollars))"
)
_DEADLINE = re.compile(r"\b(dia|on|by|until|before|hasta|para|antes)\b")
# A message about paying: its dates are the payment's.
_PAYING = re.compile(
    r"\b(pag\w*|pay\w*|paid|abon\w*|consign\w*|transfer\w*|deposit\w*|hasta|until|by|antes|"
    r"before|plazo|deadline|fecha|date)\b"
)
# A payment said to be made: its date is in the past.
PAID = re.compile(
    r"\b(pague|pagamos|pagaron|pagado|paid|abone|consigne|transferi|deposite|hice|envie|"
    r"made|sent|transferred|deposited)\b"
)
# Words that say nothing besides the date ("¿y el viernes?", "puede ser a fin de mes").
_FILLER = frozenset(
    "y o e mejor puede ser seria que tal si yes el la los las a al para hasta de del en on the "
    "at by what about how and or porfa por favor please entonces then ok okay pues bueno well "
    "maybe quizas tal vez like it would could be is that eso esto mas more".split()
)


def _on(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _month_after(day: date, months: int = 1) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _in_context(text: str, match: re.Match[str]) -> bool:
    """Return True when the message is about paying or says little besides ``match``."""
    if _PAYING.search(text):
        return True
    rest = (text[: match.start()] + " " + text[match.end() :]).split()
    return all(word in _FILLER for word in rest)


def _placed(
    year: int | None, month: int, day: int, today: date, past: bool
) -> tuple[date, bool] | None:
    """Place a day and month said without a year (see the module docstring)."""
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    if year is not None:
        year += 2000 if year < 100 else 0
        try:
            return date(year, month, day), True
        except ValueError:
            return None
    this_year = _on(today.year, month, day)
    if past:
        return (this_year if this_year <= today else _on(today.year - 1, month, day)), True
    if this_year >= today or (today - this_year).days <= RECENT_PAST_DAYS:
        return this_year, True
    return _on(today.year + 1, month, day), True


def _numeric(
    match: re.Match[str], today: date, past: bool, month_first: bool | None
) -> tuple[date, bool] | None:
    first, second = int(match.group(1)), int(match.group(2))
    year = int(match.group(3)) if match.group(3) else None
    orders = (
        [(second, first), (first, second)] if month_first else [(first, second), (second, first)]
    )
    valid = [(d, m) for d, m in orders if 1 <= m <= 12 and 1 <= d <= 31]
    if not valid or (month_first is None and len({*valid}) > 1):
        return None  # "7/11" with no market to say which way round
    day, month = valid[0]
    return _placed(year, month, day, today, past)


def _named(
    text: str, today: date, past: bool, month_first: bool | None
) -> tuple[date, bool] | None:
    """Return the day a date written out names: "2026-11-07", "7/11", "7 de nov", "nov 7"."""
    for match in _YMD.finditer(text):
        said_year, month, day = (int(g) for g in match.groups())
        if (found := _placed(said_year, month, day, today, past)) is not None:
            return found
    for match in _NUMERIC.finditer(text):
        if (found := _numeric(match, today, past, month_first)) is not None:
            return found
    for match in _DAY_MONTH.finditer(text):
        year = int(match.group(3)) if match.group(3) else None
        if found := _placed(year, MONTHS[match.group(2)], int(match.group(1)), today, past):
            return found
    for match in _MONTH_DAY.finditer(text):
        year = int(match.group(3)) if match.group(3) else None
        if found := _placed(year, MONTHS[match.group(1)], int(match.group(2)), today, past):
            return found
    return None


def _relative(text: str, today: date, past: bool) -> date | None:
    """Return the day a relative date names ("mañana", "el viernes", "fin de mes", "el 15")."""
    if past:
        for pattern, days in _DAYS_BACK:
            if pattern.search(text):
                return today - timedelta(days=days)
    else:
        for pattern, days in _DAYS_AHEAD:
            if (match := pattern.search(text)) and _in_context(text, match):
                return today + timedelta(days=days)
    if (match := _WEEKDAY.search(text)) and _in_context(text, match):
        ahead = (WEEKDAYS[match.group(1)] - today.weekday()) % 7 or 7
        return today - timedelta(days=7 - ahead or 7) if past else today + timedelta(days=ahead)
    if (match := _END_OF_MONTH.search(text)) is not None:
        last = _on(today.year, today.month, 31)
        if past and last > today:
            return today.replace(day=1) - timedelta(days=1)
        return last
    if (match := _DAY_ONLY.search(text)) is not None:
        day = int(match.group(2))
        said_when = bool(_DEADLINE.search(match.group(1)))
        if not 1 <= day <= 31 or not (
            said_when or _PAYING.search(text) or (_in_context(text, match) and day >= BARE_DAY_FROM)
        ):
            return None
        if past:
            if day <= today.day:
                return _on(today.year, today.month, day)
            return _on(*_month_after(today, -1), day)
        if day >= today.day:
            return _on(today.year, today.month, day)
        return _on(*_month_after(today), day)
    return None


def said_date(
    text: str, today: date, *, past: bool = False, month_first: bool | None = None
) -> tuple[date, bool] | None:
    """Return the date ``text`` names and whether it named the day ("en marzo" names none).

    ``past`` places it for a payment already made (on or before today; "ayer" and "antier" are
    read too); otherwise for one to make: the coming months, or the past when it is at most
    :data:`RECENT_PAST_DAYS` back. ``month_first`` reads "7/11" as July 11 (the United States)
    or, when False, as 7 November; when None, only a numeric date that reads one way counts.
    """
    norm = numeric_form(text)
    if (found := _named(norm, today, past, month_first)) is not None:
        return found
    if (match := _MONTH.search(norm)) is not None:
        month = FULL_MONTHS[match.group(2)]
        if not past and month == today.month:
            return today, False  # "pagar en diciembre" said in December: this month
        placed = _placed(None, month, 1, today, past)
        return (placed[0], False) if placed else None
    if (day := _relative(norm, today, past)) is not None:
        return day, True
    return None


def named_date(text: str, today: date, *, month_first: bool | None = None) -> date | None:
    """Return the day ``text`` names, placed by its tense: in the past for a payment said to be
    made ("pagué el 7 de nov", "ayer"), else as a payment to make ("hasta el 20 de febrero")."""
    paid = bool(PAID.search(numeric_form(text)))
    for past in (paid, not paid):
        found = said_date(text, today, past=past, month_first=month_first)
        if found is not None and found[1]:
            return found[0]
    return None

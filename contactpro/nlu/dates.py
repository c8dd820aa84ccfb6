"""Dates a customer says, read one way for the rules' ``date`` entity and for the dialog.

Named days: "el 15 de enero", "January 15", "nov 4", "7 de nov.", "7/11" (day first, or month
first in the United States), "2026-11-07", a month alone ("en marzo"); days said as ordinals
("december fourth", "the twenty first", "el primero de diciembre"). A year is 19xx or 20xx, or
two digits after "del": a number said after the month is otherwise the amount ("el 20 de
noviembre 89900 pesos"). Relative days, on the customer's own today: "ayer", "antier", "hoy",
"hace dos días", "a week ago", "la semana pasada" (its Tuesday), "el jueves pasado" / "last
thursday" (a payment made), "mañana", "pasado mañana", "el viernes" / "el próximo viernes" /
"next friday" (the first such weekday after today, never today; "este lunes" of a payment made
is the latest Monday, today's on a Monday), "fin de mes" / "end of the month" (its last day),
"la otra semana" / "next week" (a week from today), "el 15" / "on the 15th" (the next 15th; the
last one for a payment made). A day corrected by another ("el cinco no perdón el cuatro") is
the last one said, and so is a day said after a denied one ("no pagué el 4, pagué el 5", "it
wasn't the 4th, it was the 5th").

A day and month with no year are placed where the customer means them. A payment still to
make is in the coming months, except a date just past ("el 30 de noviembre" said on 5
December), which is the past and is answered as such. A payment already made is in the past:
the latest such day on or before today, also when the year said with it is a later one.

Words that are dates only in context ("mañana te digo", "el 2" picking the second option, "the
2nd one") count only when the message is about paying ("puedo pagar el 2", "hasta el viernes")
or says little besides the date ("¿y el viernes?", "el 15"; a bare day number from the 10th).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date, timedelta

from contactpro.nlu.numbers import AMBIGUOUS_ALONE, NUMBER_WORDS, ORDINAL_TENS, ORDINALS
from contactpro.nlu.text import fold, numeric_form

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
# A year said with a day: 19xx or 20xx ("de 2025"), or two digits after "del" ("del 25"); never
# the amount said next ("el 20 de noviembre 89900 pesos", "november 20th 2000 dollars").
_AMOUNT_AFTER = (
    r"(?![\d.,]*\d)(?!\s*(?:pesos|dolares|dollars|bucks|usd|cop|mil|k|thousand)\b|\s*\$)"
)
_YEAR = rf"(?:\s+(?:de\s+|del\s+)?((?:19|20)\d{{2}})|\s+del\s+(\d{{2}})){_AMOUNT_AFTER}"
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}}){_ORD}\s+(?:de\s+|of\s+)?({_names(MONTHS)})\b(?:{_YEAR})?")
_MONTH_DAY = re.compile(rf"\b({_MONTH_FIRST_NAMES})\s+(\d{{1,2}}){_ORD}\b(?:{_YEAR})?")
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
    r"\b((?:(?:el|este|the|this|on|next|coming|proximo|siguiente|otro|last|past|previous|pasado)"
    r"\s+)*)("
    + _names(WEEKDAYS)
    + r")\b(?:\s+(?:proximo|que viene|next|(pasado|anterior)(?! manana)))?"
)
# "last thursday", "el jueves pasado": the one before today, a day said to be past.
_WEEKDAY_PAST = re.compile(r"\b(?:last|past|previous|pasado)\b")
# "this monday", "este lunes" said of a payment made: the latest Monday, today's when it is one.
_WEEKDAY_THIS = re.compile(r"\b(?:este|this)\s+$")
# "hace dos días", "two days ago", "hace una semana", "a week ago": that many days back.
_AGO = re.compile(
    r"\bhace (\d{1,3}|un|una|un par de) (dias?|semanas?)\b"
    r"|\b(\d{1,3}|a|an|one|a couple of|a couple|couple of) (days?|weeks?) ago\b"
)
_AGO_ONE = {"un": 1, "una": 1, "a": 1, "an": 1, "one": 1}
# "la semana pasada", "last week": a week, no day; read as its Tuesday, so that a payment made
# any day of it is within reach of a claim (checked from a day before to days after).
_LAST_WEEK = re.compile(
    r"\b(?:la semana pasada|la pasada semana|la semana anterior|last week|the week before|"
    r"the previous week|the past week)\b"
)
# Ordinal days said in words, read where they can only be a day: by a month ("december fourth",
# "the fourth of december", "el primero de diciembre") or after "the" / "el" with nothing after
# them that they could be counting ("on the fourth", "the twentieth and it's not showing"; never
# "the fourth payment", "the first one", "first of all").
_ORDINAL_DAY = re.compile(
    rf"(?P<before>\b(?:{_names(FULL_MONTHS)})\s+(?:the\s+)?|\b(?:the|el|dia)\s+)?"
    r"\b(?:(?P<tens>twenty|thirty|20|30)[\s-]+(?P<unit>"
    + _names(word for word, day in ORDINALS.items() if day < 10)
    + r")|(?P<whole>"
    + _names(ORDINALS)
    + rf"))\b(?P<after>\s+(?:of|de)\s+(?:the\s+)?(?:{_names(FULL_MONTHS)})\b)?"
)
_ORDINAL_FOLLOWERS = re.compile(
    r"[\s,.;:!?]*(?:$|\d|(?:and|but|or|no|not|sorry|i|it|its|it's|we|my|via|with|by|through|"
    r"using|at|in|from|for|please|so|because|um|uh|then|ok|okay|was|is|did|of (?:this|the|last) "
    r"month|this month|last month|y|pero|o|con|por|en|desde|perdon|pues|ya|me|mi|a|al|fue|era|es|"
    r"de este mes|del mes|"
    + _names(NUMBER_WORDS - AMBIGUOUS_ALONE)  # "the fourth fifty dollars"; never "the first one"
    + r")\b)"
)
# A month said anywhere ("may" only by a number: "may 4"), or this month.
_MONTH_NAMED = re.compile(rf"\b(?:{_MONTH_ALONE_NAMES})\b|\b(?:{_MONTH_FIRST_NAMES})\s+\d")
_THIS_MONTH_SAID = re.compile(r"\b(?:este mes|del mes|this month|of the month)\b")
# "on may first": a day in May; "may first I ask": none.
_ON_MAY = re.compile(r"\b(?:on|by|until|before|since|of|in|from)\s+$")
# "el 4 de este mes", "the 4th of this month": the day alone.
_THIS_MONTH = re.compile(
    rf"\b(\d{{1,2}}{_ORD}) (?:of (?:this|the) month|de este mes|del mes"
    r"(?! pasado| anterior| que viene| proximo| entrante| siguiente))\b"
)
# A date corrected by the next one: "el cinco no perdón el cuatro", "the fifth, no, sorry, the
# fourth", "el 15, o mejor el 20". A bare "no" or "mejor" corrects only when a date follows it.
_DATE_START = (
    r"(?:(?:el|la|the|on|en|a|al|hasta|para|by|de|del|fue|era|it was|was|ayer|antier|anteayer|"
    rf"yesterday|hace|{_names(FULL_MONTHS)}|{_names(WEEKDAYS)})\b|\d)"
)
_CORRECTION = re.compile(
    r"\b(?:no perdon|perdon|perdona|perdoname|disculpa|disculpe|mentira|mejor dicho|"
    r"quiero decir|me equivoque|corrijo|no espera|espera|no sorry|sorry|i mean|i meant|no wait|"
    r"wait|correction|scratch that|my bad|actually|no no)\b"
    rf"|\b(?:no|digo|o sea|mejor)\b(?=\s+{_DATE_START})"
)
# A date denied, then the one meant: "no pagué el 4, pagué el 5", "no fue el 4 sino el 5", "it
# wasn't the 4th, it was the 5th", "no puedo el 15, pero el 20 sí". A date after "ni" / "or" is
# denied too ("no puedo el 15 ni el 20") or only an alternative.
_NEGATION = re.compile(
    r"\b(?:no|not|never|nunca|jamas|didn'?t|did not|wasn'?t|was not|isn'?t|is not|cannot|"
    r"can'?t|won'?t)\b"
)
_NOT_THE_ONE_MEANT = re.compile(r"\s*(?:ni|nor|neither|or|o|u|tampoco|either)\b")
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


def _in_context(text: str, match: re.Match[str], paying: bool = False) -> bool:
    """Return True when the message is about paying (``paying`` when a part of it said so) or
    says little besides ``match``."""
    if paying or _PAYING.search(text):
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
            said = date(year, month, day)
        except ValueError:
            return None
        if not past or said <= today:
            return said, True
        # A payment made is never ahead of today: the year was misheard, the day and month stand.
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
        year = _said_year(match)
        if found := _placed(year, MONTHS[match.group(2)], int(match.group(1)), today, past):
            return found
    for match in _MONTH_DAY.finditer(text):
        year = _said_year(match)
        if found := _placed(year, MONTHS[match.group(1)], int(match.group(2)), today, past):
            return found
    return None


def _said_year(match: re.Match[str]) -> int | None:
    """Return the year a day-and-month match said ("de 2025", "del 25"), if any."""
    said = match.group(3) or match.group(4)
    return int(said) if said else None


def _days_back(text: str, today: date) -> date | None:
    """Return the day a past day named relative to today is ("antier", "hace dos días", "two
    days ago", "la semana pasada")."""
    for pattern, days in _DAYS_BACK:
        if pattern.search(text):
            return today - timedelta(days=days)
    if (match := _AGO.search(text)) is not None:
        count, unit = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
        number = int(count) if count.isdigit() else _AGO_ONE.get(count, 2)  # "un par": two
        days = number * (7 if unit.startswith(("semana", "week")) else 1)
        return today - timedelta(days=days) if 0 < days <= 366 else None
    if _LAST_WEEK.search(text):
        return today - timedelta(days=today.weekday() + 6)
    return None


def _weekday(match: re.Match[str], today: date, past: bool) -> date | None:
    """Return the day "el viernes", "next friday", "last thursday" or "este lunes" names."""
    said_past = bool(match.group(3) or _WEEKDAY_PAST.search(match.group(1)))
    if said_past and not past:
        return None  # "el jueves pasado" is no day to pay by; read as a payment made
    ahead = (WEEKDAYS[match.group(2)] - today.weekday()) % 7 or 7
    if not past:
        return today + timedelta(days=ahead)
    if ahead == 7 and not said_past and _WEEKDAY_THIS.search(match.group(1)):
        return today  # "pagué este lunes" on a Monday
    return today - timedelta(days=7 - ahead or 7)


def _relative(text: str, today: date, past: bool, paying: bool = False) -> date | None:
    """Return the day a relative date names ("mañana", "el viernes", "fin de mes", "el 15")."""
    if past:
        if (back := _days_back(text, today)) is not None:
            return back
    else:
        for pattern, days in _DAYS_AHEAD:
            if (match := pattern.search(text)) and _in_context(text, match, paying):
                return today + timedelta(days=days)
    if (match := _WEEKDAY.search(text)) and _in_context(text, match, paying):
        return _weekday(match, today, past)
    if (match := _END_OF_MONTH.search(text)) is not None:
        last = _on(today.year, today.month, 31)
        if past and last > today:
            return today.replace(day=1) - timedelta(days=1)
        return last
    if (day := _day_of_month(text, paying)) is not None:
        if past:
            if day <= today.day:
                return _on(today.year, today.month, day)
            return _on(*_month_after(today, -1), day)
        if day >= today.day:
            return _on(today.year, today.month, day)
        return _on(*_month_after(today), day)
    return None


def _day_of_month(text: str, paying: bool = False) -> int | None:
    """Return the day of the month said alone ("el 15", "on the 4th"), when it is a date."""
    if (match := _DAY_ONLY.search(text)) is None:
        return None
    day = int(match.group(2))
    said_when = bool(_DEADLINE.search(match.group(1)))
    if not 1 <= day <= 31 or not (
        said_when
        or paying
        or _PAYING.search(text)
        or (_in_context(text, match) and day >= BARE_DAY_FROM)
    ):
        return None
    return day


def _date_form(text: str) -> str:
    """Return ``text`` in the numeric form dates are read in, ordinal days as digits ("december
    fourth" -> "december 4th") and "of this month" dropped after a day ("el 4 de este mes")."""
    spoken = _ORDINAL_DAY.sub(_ordinal_digits, fold(text))
    return _THIS_MONTH.sub(r"\1", numeric_form(spoken))


def _ordinal_digits(match: re.Match[str]) -> str:
    """Return an ordinal day matched by :data:`_ORDINAL_DAY` as digits, where it is a day."""
    before, tens, unit, whole, after = match.group("before", "tens", "unit", "whole", "after")
    by_month = bool(before) and before.split()[0] in FULL_MONTHS
    if (
        by_month
        and before.split()[0] == "may"
        and not _ON_MAY.search(match.string[: match.start()])
    ):
        return match.group(0)  # "may first I ask": no day in May
    if not (by_month or after or (before and _ORDINAL_FOLLOWERS.match(match.string, match.end()))):
        return match.group(0)  # "the fourth payment", "the first one", "first of all"
    day = ORDINAL_TENS[tens] + ORDINALS[unit] if tens else ORDINALS[whole]
    return f"{before or ''}{day}th{after or ''}"


def _read(
    norm: str, today: date, past: bool, month_first: bool | None, paying: bool = False
) -> tuple[date, bool] | None:
    """Return the date numeric-form ``norm`` names (see :func:`said_date`)."""
    if (found := _named(norm, today, past, month_first)) is not None:
        return found
    if (match := _MONTH.search(norm)) is not None:
        month = FULL_MONTHS[match.group(2)]
        if not past and month == today.month:
            return today, False  # "pagar en diciembre" said in December: this month
        placed = _placed(None, month, 1, today, past)
        return (placed[0], False) if placed else None
    if (day := _relative(norm, today, past, paying)) is not None:
        return day, True
    return None


def _corrected(
    norm: str, today: date, past: bool, month_first: bool | None, paying: bool = False
) -> tuple[date, bool] | None:
    """Return the date said last when the customer corrects one date with another ("el cinco no
    perdón el cuatro", "on the fifth, no, sorry, the fourth"); a day alone keeps the month said
    before it ("el 20 de noviembre, perdón, el 21")."""
    paying = paying or bool(_PAYING.search(norm))
    for marker in reversed(list(_CORRECTION.finditer(norm))):
        head, tail = norm[: marker.start()], norm[marker.end() :]
        first = _read(head, today, past, month_first, paying)
        second = _read(tail, today, past, month_first, paying)
        if first is None or second is None:
            continue
        named_first = _named(head, today, past, month_first)
        if (
            named_first is not None
            and _named(tail, today, past, month_first) is None
            and (day := _day_of_month(tail, paying)) is not None
        ):
            return _placed(None, named_first[0].month, day, today, past) or second
        return second
    return _after_denied(norm, today, past, month_first, paying)


def _after_denied(
    norm: str, today: date, past: bool, month_first: bool | None, paying: bool
) -> tuple[date, bool] | None:
    """Return the date said after a denied one ("no pagué el 4, pagué el 5"), or None."""
    if (negation := _NEGATION.search(norm)) is None:
        return None
    if _read(norm[: negation.start()], today, past, month_first, paying) is not None:
        return None  # a date before the denial is the one said ("pagué el 4, no el 5")
    for split in (m.start() for m in re.finditer(r"\s", norm) if m.start() > negation.end()):
        if _read(norm[:split], today, past, month_first, paying) is None:
            continue
        tail = norm[split:]
        if _NOT_THE_ONE_MEANT.match(tail):
            return None
        return _read(tail, today, past, month_first, paying)
    return None


def said_date(
    text: str,
    today: date,
    *,
    past: bool = False,
    month_first: bool | None = None,
    paying: bool = False,
) -> tuple[date, bool] | None:
    """Return the date ``text`` names and whether it named the day ("en marzo" names none).

    ``past`` places it for a payment already made (on or before today; "ayer" and "antier" are
    read too); otherwise for one to make: the coming months, or the past when it is at most
    :data:`RECENT_PAST_DAYS` back. ``month_first`` reads "7/11" as July 11 (the United States)
    or, when False, as 7 November; when None, only a numeric date that reads one way counts.
    ``paying`` says the text answers a question about a payment's day, so a bare "el 4" or
    "fue el 4" is a date.
    """
    norm = _date_form(text)
    return _corrected(norm, today, past, month_first, paying) or _read(
        norm, today, past, month_first, paying
    )


def day_alone(text: str, *, paying: bool = False) -> bool:
    """Return True when ``text`` names a day of the month and no month ("fue el 4", "on the
    4th"), so the customer may mean that day of an earlier month; never "el 4 de este mes"."""
    norm = _date_form(text)
    if _THIS_MONTH_SAID.search(fold(text)) or _MONTH_NAMED.search(norm):
        return False
    if _YMD.search(norm) or _NUMERIC.search(norm):
        return False
    return _day_of_month(norm, paying) is not None


def named_date(text: str, today: date, *, month_first: bool | None = None) -> date | None:
    """Return the day ``text`` names, placed by its tense: in the past for a payment said to be
    made ("pagué el 7 de nov", "ayer"), else as a payment to make ("hasta el 20 de febrero")."""
    paid = bool(PAID.search(numeric_form(text)))
    for past in (paid, not paid):
        found = said_date(text, today, past=past, month_first=month_first)
        if found is not None and found[1]:
            return found[0]
    return None

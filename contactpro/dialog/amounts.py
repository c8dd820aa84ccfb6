"""Amounts of money a customer says: "250.000", "3 millones", "1.5 millones", "50 mil", "500k",
"20 lucas", "$300", "two thousand dollars".

An amount is never a number of payments nor an option picked: "tengo 3 millones, pago todo de
una vez" asks for no 3 instalments, "puedo pagar 2 millones" picks no option 2.
"""

from __future__ import annotations

import re
from decimal import Decimal

from contactpro.nlu.rules import parse_number
from contactpro.nlu.text import numeric_form

_NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_SCALES = {
    "mil": 1000,
    "k": 1000,
    "thousand": 1000,
    "grand": 1000,
    "lucas": 1000,  # Colombian: one "luca" is a thousand pesos
    "luca": 1000,
    "millon": 10**6,
    "millones": 10**6,
    "million": 10**6,
    "millions": 10**6,
    "palos": 10**6,  # Colombian: "3 palos" is three million pesos
}
_CURRENCY = r"pesos?(?: mexicanos| colombianos)?|dolares|dolar|dollars?|bucks|usd|cop|mxn"
_SCALE = "|".join(sorted(_SCALES, key=len, reverse=True))
_AMOUNT = re.compile(
    rf"(?:\$|usd|cop|mxn)\s?(?P<a>{_NUMBER})(?:\s?(?P<ascale>{_SCALE})\b)?"
    rf"|\b(?P<b>{_NUMBER})\s?(?:(?P<bscale>{_SCALE})\b)?(?:\s?(?:de\s)?(?:{_CURRENCY})\b)"
    rf"|\b(?P<c>{_NUMBER})\s?(?P<cscale>{_SCALE})\b"
    rf"|\b(?P<d>\d{{1,3}}(?:[.,]\d{{3}})+(?:[.,]\d{{1,2}})?)\b"
)


def _value(match: re.Match[str]) -> Decimal | None:
    raw = next(g for g in (match.group(k) for k in "abcd") if g is not None)
    if (value := parse_number(raw)) is None:
        return None
    scale = match.group("ascale") or match.group("bscale") or match.group("cscale") or ""
    return value * _SCALES.get(scale, 1)


def stated_amount(text: str) -> Decimal | None:
    """Return the first amount of money ``text`` states, if any."""
    for match in _AMOUNT.finditer(numeric_form(text)):
        if (value := _value(match)) is not None and value > 0:
            return value
    return None


def stated_amounts(text: str) -> list[Decimal]:
    """Return every amount of money ``text`` states, in order ("ni 382 mil ni 150 mil")."""
    found = [_value(match) for match in _AMOUNT.finditer(numeric_form(text))]
    return [value for value in found if value is not None and value > 0]


def without_amounts(text: str) -> str:
    """Return ``text`` folded, numbers as digits, with every amount of money taken out."""
    return _AMOUNT.sub(" ", numeric_form(text))


# Colombians say thousands without the word ("80 al mes", "puedo 80 mensual" is 80.000 pesos):
# an amount of pesos below this is no plausible payment and is read in thousands.
COP_THOUSANDS_BELOW = Decimal(1000)


def spoken_amount(amount: Decimal, currency: str) -> Decimal:
    """Return ``amount`` as the customer means it: Colombian pesos below
    ``COP_THOUSANDS_BELOW`` are thousands ("80" is 80.000 pesos); any other is as said."""
    if currency == "COP" and 0 < amount < COP_THOUSANDS_BELOW:
        return amount * 1000
    return amount

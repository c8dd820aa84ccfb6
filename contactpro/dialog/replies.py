"""How money and dates read in each language."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

MONTHS_ES = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
).split()
CURRENCY_WORDS = {
    "COP": {"es": "pesos", "en": "Colombian pesos"},
    "MXN": {"es": "pesos mexicanos", "en": "Mexican pesos"},
    "USD": {"es": "dólares", "en": "dollars"},
}


def format_money(amount: Decimal, currency: str, language: str) -> str:
    """Read an amount the way a customer says it: ``125.000 pesos`` / ``125,000 Colombian pesos``.

    Pesos are whole; cents are kept for dollars.
    """
    cents = currency == "USD"
    quantum = Decimal("0.01") if cents else Decimal("1")
    value = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{value:,.2f}" if cents else f"{value:,.0f}"
    if language == "es":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    words = CURRENCY_WORDS.get(currency, {"es": currency, "en": currency})[language]
    return f"{text} {words}"


def format_date(day: date, language: str) -> str:
    """Read a date naturally: ``15 de diciembre`` / ``December 15``."""
    if language == "es":
        return f"{day.day} de {MONTHS_ES[day.month - 1]}"
    return f"{day:%B} {day.day}"

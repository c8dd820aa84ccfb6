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
# Currencies read and charged with cents; every other one in whole units (pesos).
CENT_CURRENCIES = frozenset({"USD"})


def quantum(currency: str) -> Decimal:
    """Return the smallest amount the currency is told and charged in."""
    return Decimal("0.01") if currency in CENT_CURRENCIES else Decimal("1")


def in_units(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` the way it is told: whole pesos, cents for dollars (half up)."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, currency: str, language: str) -> str:
    """Read an amount the way a customer says it: ``125.000 pesos`` / ``125,000 Colombian pesos``.

    Pesos are whole; cents are kept for dollars.
    """
    cents = currency in CENT_CURRENCIES
    value = in_units(amount, currency)
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

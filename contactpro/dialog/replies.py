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
# One unit of a currency, as the phone says it ("1 dólar").
SINGULAR_CURRENCY_WORDS = {
    "pesos": "peso",
    "Colombian pesos": "Colombian peso",
    "pesos mexicanos": "peso mexicano",
    "Mexican pesos": "Mexican peso",
    "dólares": "dólar",
    "dollars": "dollar",
}
# (plural, singular) of a cent, by language.
CENT_WORDS = {"es": ("centavos", "centavo"), "en": ("cents", "cent")}
# Currencies read and charged with cents; every other one in whole units (pesos).
CENT_CURRENCIES = frozenset({"USD"})


def quantum(currency: str) -> Decimal:
    """Return the smallest amount the currency is told and charged in."""
    return Decimal("0.01") if currency in CENT_CURRENCIES else Decimal("1")


def in_units(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` the way it is told: whole pesos, cents for dollars (half up)."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, currency: str, language: str, channel: str = "sms") -> str:
    """Read an amount the way a customer says it: ``125.000 pesos`` / ``125,000 Colombian pesos``.

    Pesos are whole; cents are kept for dollars. On the phone (``channel="voice"``) the amount
    is written for text-to-speech instead (:func:`spoken_money`).
    """
    if channel == "voice":
        return spoken_money(amount, currency, language)
    cents = currency in CENT_CURRENCIES
    value = in_units(amount, currency)
    text = f"{value:,.2f}" if cents else f"{value:,.0f}"
    if language == "es":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    words = CURRENCY_WORDS.get(currency, {"es": currency, "en": currency})[language]
    return f"{text} {words}"


def spoken_money(amount: Decimal, currency: str, language: str) -> str:
    """Write an amount for text-to-speech: ``106981 pesos``, ``58 dólares con 85 centavos``,
    ``1,227 dollars and 28 cents``.

    A Spanish voice may read a grouping dot as a decimal point and a decimal comma as a pause,
    so Spanish amounts have no separators and cents are said as cents.
    """
    value = in_units(amount, currency)
    sign = ("menos " if language == "es" else "minus ") if value < 0 else ""
    whole, cents = divmod(int(abs(value) * 100), 100)
    number = f"{whole}" if language == "es" else f"{whole:,}"
    words = CURRENCY_WORDS.get(currency, {"es": currency, "en": currency})[language]
    if whole == 1:
        words = SINGULAR_CURRENCY_WORDS.get(words, words)
    text = f"{number} {words}"
    if cents:
        cent_words = CENT_WORDS[language][cents == 1]
        joiner = "con" if language == "es" else "and"
        text = f"{cents} {cent_words}" if whole == 0 else f"{text} {joiner} {cents} {cent_words}"
    return sign + text


def format_date(day: date, language: str) -> str:
    """Read a date naturally: ``15 de diciembre`` / ``December 15``."""
    if language == "es":
        return f"{day.day} de {MONTHS_ES[day.month - 1]}"
    return f"{day:%B} {day.day}"

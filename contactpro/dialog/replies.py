"""How money and dates read in each language."""

from __future__ import annotations

import re
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


# An amount as a text writes it (:func:`format_money`, or "$106.981" in a customer's words):
# grouping dots and a decimal comma in Spanish, grouping commas and a decimal point in English.
_WRITTEN_MONEY = {
    "es": re.compile(
        r"(?<![\w.,])(?P<sign>\$\s?)?(?P<whole>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<cents>\d{1,2}))?"
        r"(?:\s(?P<words>pesos mexicanos|pesos|d[oó]lares)\b)?"
    ),
    "en": re.compile(
        r"(?<![\w.,])(?P<sign>\$\s?)?(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<cents>\d{1,2}))?"
        r"(?:\s(?P<words>Colombian pesos|Mexican pesos|dollars)\b)?"
    ),
}
WORD_CURRENCIES = {
    "pesos": "COP",
    "pesos mexicanos": "MXN",
    "dólares": "USD",
    "dolares": "USD",  # as an SMS without accents writes it
    "Colombian pesos": "COP",
    "Mexican pesos": "MXN",
    "dollars": "USD",
}


# A number a text writes whole (an account, a contract), not an amount.
_DIGIT_RUN = re.compile(
    r"(?<![\d.,$])\d{6,}(?![.,]?\d)(?!\s(?:pesos|d[oó]lares|dollars|Colombian|Mexican))"
)


def digit_pairs(digits: str) -> str:
    """Say a long number two digits at a time (``0 0, 0 0, 1 0``), so text-to-speech does not
    read it as a huge number."""
    return ", ".join(" ".join(digits[i : i + 2]) for i in range(0, len(digits), 2))


def spoken_numbers(text: str) -> str:
    """Rewrite the long numbers a text writes whole (``cuenta 0000101936``) as the phone says
    them, two digits at a time."""
    return _DIGIT_RUN.sub(lambda match: digit_pairs(match[0]), text)


def spoken_amounts(text: str, language: str, currency: str | None = None) -> str:
    """Rewrite the amounts a text writes (``380.562 pesos``, ``$106.981``, ``1,227.28 dollars``)
    the way :func:`spoken_money` says them, for a text written for another channel that is
    read aloud; ``currency`` is what a bare ``$`` means. Spoken amounts are left as they are."""
    language = language if language in _WRITTEN_MONEY else "es"
    grouping, point = (".", ",") if language == "es" else (",", ".")

    def said(match: re.Match[str]) -> str:
        words = match["words"]
        if not words and not match["sign"]:
            return match[0]  # a bare number: a count, a day, digits of an account
        unit = WORD_CURRENCIES.get(words or "") or currency
        whole = match["whole"].replace(grouping, "")
        if unit is None:
            cents = f"{point}{match['cents']}" if match["cents"] else ""
            return f"{match['sign'] or ''}{whole}{cents}"
        amount = Decimal(f"{whole}.{(match['cents'] or '0').ljust(2, '0')}")
        return spoken_money(amount, unit, language)

    return _WRITTEN_MONEY[language].sub(said, text)


# An amount as the phone says it (:func:`spoken_money`): ``416250 pesos``, ``58 dólares con 85
# centavos``, ``1,227 dollars and 28 cents``.
_SPOKEN_MONEY = {
    "es": re.compile(
        r"(?<![\w.,])(?P<minus>menos )?(?P<whole>\d+) "
        r"(?P<words>pesos mexicanos|peso mexicano|pesos|peso|dólares|dólar)\b"
        r"(?: con (?P<cents>\d{1,2}) centavos?\b)?"
    ),
    "en": re.compile(
        r"(?<![\w.,])(?P<minus>minus )?(?P<whole>\d{1,3}(?:,\d{3})+|\d+) "
        r"(?P<words>Colombian pesos?|Mexican pesos?|dollars?)\b"
        r"(?: and (?P<cents>\d{1,2}) cents?\b)?"
    ),
}
_PLURAL_CURRENCY_WORDS = {one: many for many, one in SINGULAR_CURRENCY_WORDS.items()}
# A long number as the phone says it, two digits at a time (:func:`digit_pairs`).
_SPOKEN_DIGITS = re.compile(r"(?<![\d,] )(?<!\d)\d \d(?:, \d \d){2,}(?:, \d(?! \d))?(?!\d)")
_NOT_DIGIT = re.compile(r"\D")


def written_reply(text: str, language: str) -> str:
    """Rewrite a reply said on the phone for a text: amounts as a text writes them
    (``416250 pesos`` becomes ``416.250 pesos``) and numbers said two digits at a time whole
    again (``0 0, 0 0, 1 2`` becomes ``000012``); the inverse of :func:`spoken_amounts` and
    :func:`spoken_numbers`."""
    language = "es" if language == "es" else "en"

    def written(match: re.Match[str]) -> str:
        words = _PLURAL_CURRENCY_WORDS.get(match["words"], match["words"])
        unit = WORD_CURRENCIES.get(words)
        if unit is None:
            return match[0]
        amount = Decimal(f"{match['whole'].replace(',', '')}.{(match['cents'] or '0').zfill(2)}")
        return format_money(-amount if match["minus"] else amount, unit, language)

    text = _SPOKEN_MONEY[language].sub(written, text)
    return _SPOKEN_DIGITS.sub(lambda match: _NOT_DIGIT.sub("", match[0]), text)


def format_date(day: date, language: str) -> str:
    """Read a date naturally: ``15 de diciembre`` / ``December 15``."""
    if language == "es":
        return f"{day.day} de {MONTHS_ES[day.month - 1]}"
    return f"{day:%B} {day.day}"

"""What the bot says on the phone beyond the dialog's replies, read from the template catalogue.

The texts are the ``voice_*`` keys of ``contactpro/data/templates/{es,en}.toml`` (operators
override them like any reply); ``say("queue_next", ...)`` reads ``voice_queue_next``.
"""

from __future__ import annotations

import re

from contactpro.dialog.replies import spoken_amounts
from contactpro.dialog.templates import render, templates_for

# Prompts that are a dialog reply as well: one text, so an override changes both.
SHARED_KEYS = {"connecting": "escalate_voice"}
FILLERS_KEY = "voice_fillers"
# "7,5 %" / "35 %": a percentage as written in any reply.
_PERCENT = re.compile(r"(?P<whole>\d+)(?:[.,](?P<decimals>\d+))?\s?%")
# How a percentage is said: the word for "%" and for the decimal separator.
PERCENT_WORDS = {"es": ("por ciento", "coma"), "en": ("percent", "point")}
# How a unit an article writes ("100 Mb", "2 GB", "300 Mbps") is said: (one, many) by language.
UNIT_WORDS = {
    "es": {
        "kbps": ("kilobit por segundo", "kilobits por segundo"),
        "Kbps": ("kilobit por segundo", "kilobits por segundo"),
        "Mbps": ("mega", "megas"),
        "mbps": ("mega", "megas"),
        "Mb/s": ("mega", "megas"),
        "Gbps": ("giga", "gigas"),
        "Gb/s": ("giga", "gigas"),
        "KB": ("kilobyte", "kilobytes"),
        "kB": ("kilobyte", "kilobytes"),
        "Mb": ("mega", "megas"),
        "MB": ("mega", "megas"),
        "Gb": ("giga", "gigas"),
        "GB": ("giga", "gigas"),
        "TB": ("terabyte", "terabytes"),
    },
    "en": {
        "kbps": ("kilobit per second", "kilobits per second"),
        "Kbps": ("kilobit per second", "kilobits per second"),
        "Mbps": ("megabit per second", "megabits per second"),
        "mbps": ("megabit per second", "megabits per second"),
        "Mb/s": ("megabit per second", "megabits per second"),
        "Gbps": ("gigabit per second", "gigabits per second"),
        "Gb/s": ("gigabit per second", "gigabits per second"),
        "KB": ("kilobyte", "kilobytes"),
        "kB": ("kilobyte", "kilobytes"),
        "Mb": ("megabit", "megabits"),
        "MB": ("megabyte", "megabytes"),
        "Gb": ("gigabit", "gigabits"),
        "GB": ("gigabyte", "gigabytes"),
        "TB": ("terabyte", "terabytes"),
    },
}
# "100 Mb", "4GB", "300 Mbps" or a unit alone ("cada MB"); "5G" and "4G" name networks, not units.
_UNIT = re.compile(
    r"(?<![\w.,/])(?:(?P<number>\d+(?:[.,]\d+)*) ?)?(?P<unit>"
    + "|".join(re.escape(unit) for unit in sorted(UNIT_WORDS["en"], key=len, reverse=True))
    + r")(?!\w)"
)
# How "per" a period is said after a unit or an amount ("50 GB/mes", "40 dollars/month").
PER_WORDS = {
    "es": ("por", {"mes": "mes", "día": "día", "dia": "día", "semana": "semana", "año": "año"}),
    "en": ("per", {"month": "month", "mo": "month", "day": "day", "week": "week", "year": "year"}),
}
_PERIOD = re.compile(r"(?<=\w)/(?P<period>[^\W\d_]+)\b")
# "7-day pass": a hyphen between a number and a word, which a voice may read as "minus".
_NUMBER_HYPHEN = re.compile(r"(?<![\w.,-])(\d+)-(?=[^\W\d_])")


def catalogue_key(key: str) -> str:
    """Return the catalogue key of prompt ``key``."""
    return SHARED_KEYS.get(key, f"voice_{key}")


def say(key: str, language: str, **values: object) -> str:
    """Return prompt ``key`` in ``language`` (Spanish when unknown) with ``values`` filled in."""
    return render(catalogue_key(key), language, **{"channel": "voice", **values})


def filler(language: str, turn: int) -> str:
    """Return a short filler for a held turn; consecutive turns hear different words."""
    count = templates_for().count(FILLERS_KEY, language)
    return render(FILLERS_KEY, language, index=turn % count, channel="voice")


def speakable(text: str, language: str, currency: str | None = None) -> str:
    """Write ``text`` for text-to-speech: ``7,5 %`` becomes ``7 coma 5 por ciento`` (``7 point 5
    percent``), which no voice misreads as a thousand or skips as a symbol, and an amount
    written for a text (``380.562 pesos``) is said as on the phone (``380562 pesos``);
    ``currency`` is what a bare ``$`` means."""
    percent, point = PERCENT_WORDS.get(language, PERCENT_WORDS["es"])
    text = spoken_amounts(text, language, currency)

    def said(match: re.Match[str]) -> str:
        decimals = f" {point} {match['decimals']}" if match["decimals"] else ""
        return f"{match['whole']}{decimals} {percent}"

    return spoken_units(_PERCENT.sub(said, text), language)


def spoken_units(text: str, language: str) -> str:
    """Write the units an article writes as words: ``100 Mb`` becomes ``100 megas`` (``100
    megabits``), ``50 GB/mes`` ``50 gigas por mes`` and ``7-day`` ``7 day``; numbers stay
    digits and ``5G`` stays as written."""
    words = UNIT_WORDS.get(language, UNIT_WORDS["es"])
    per, periods = PER_WORDS.get(language, PER_WORDS["es"])

    def unit(match: re.Match[str]) -> str:
        one, many = words[match["unit"]]
        number = match["number"]
        if number is None:
            return one  # "cada MB cuesta": each one
        return f"{number} {one if number == '1' else many}"

    def period(match: re.Match[str]) -> str:
        said = periods.get(match["period"].lower())
        return f" {per} {said}" if said else match[0]

    text = _UNIT.sub(unit, text)
    text = _PERIOD.sub(period, text)
    return _NUMBER_HYPHEN.sub(r"\1 ", text)

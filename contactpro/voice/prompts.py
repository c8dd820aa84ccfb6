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

    return _PERCENT.sub(said, text)

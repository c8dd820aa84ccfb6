"""Mask personal data before text reaches a log line or an LLM prompt."""

from __future__ import annotations

import re

from contactpro.nlu.numbers import NUMBER_WORDS
from contactpro.nlu.text import fold

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Four or more digits, possibly grouped: ids, phone and card numbers, account numbers.
_DIGITS = re.compile(r"\d(?:[\d .\-/]*\d)?")
_ALNUM_ID = re.compile(r"\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{8,}\b")
_WORD = re.compile(r"\S+")
MIN_DIGITS = 4
MIN_SPOKEN_DIGITS = 4


def _mask_digits(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group(0))
    return "[NUMBER]" if digits >= MIN_DIGITS else match.group(0)


def _mask_spoken(text: str) -> str:
    """Replace runs of four or more spoken number words (a dictated id) with [NUMBER]."""
    words = _WORD.findall(text)
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        bare = re.sub(r"[^\w]", "", fold(word))
        if word and bare in NUMBER_WORDS or (run and bare in ("y", "and")):
            run.append(word)
            continue
        out.extend(["[NUMBER]"] if len(run) >= MIN_SPOKEN_DIGITS else run)
        run = []
        if word:
            out.append(word)
    return " ".join(out)


def mask_pii(text: str) -> str:
    """Return ``text`` with e-mails, long digit runs, alphanumeric ids and dictated ids masked."""
    text = _EMAIL.sub("[EMAIL]", text)
    text = _ALNUM_ID.sub("[ID]", text)
    text = _DIGITS.sub(_mask_digits, text)
    return _mask_spoken(text)

"""Mask personal data before it reaches a log line, an LLM prompt or a report."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# Runs of 6+ digits, allowing the separators people type in ids, cards and phone numbers.
_LONG_NUMBER = re.compile(r"\+?\d(?:[\d .\-]{4,}\d)")


def _mask_number(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if len(digits) < 6:
        return match.group(0)
    return f"[number ending {digits[-2:]}]"


def mask_pii(text: str) -> str:
    """Replace e-mail addresses and long digit runs (ids, phones, cards) with placeholders."""
    return _LONG_NUMBER.sub(_mask_number, _EMAIL.sub("[email]", text))

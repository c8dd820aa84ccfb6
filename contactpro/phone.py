"""Phone numbers in E.164, and masking them for logs."""

from __future__ import annotations

import re

_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_SEPARATORS = re.compile(r"[\s().\-]")


def to_e164(raw: str | None) -> str | None:
    """Return ``raw`` as an E.164 number, or None when it is not a phone number.

    Twilio sends E.164 already; this also accepts spaces, dashes and parentheses, and a ``00``
    international prefix. Client and SIP identities (``client:alice``) are not phone numbers.
    """
    if not raw:
        return None
    number = _SEPARATORS.sub("", raw.strip())
    if number.startswith("00"):
        number = "+" + number[2:]
    return number if _E164.match(number) else None


def mask_phone(number: str | None) -> str:
    """Keep the country code and the last two digits: ``+57******67``."""
    if not number:
        return ""
    if len(number) <= 5:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 5) + number[-2:]

"""Phone numbers in E.164, Twilio channel addresses, and masking numbers for logs."""

from __future__ import annotations

import re
from dataclasses import dataclass

_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_SEPARATORS = re.compile(r"[\s().\-]")
# Twilio writes the channel before the number on non-SMS channels: ``whatsapp:+573001112233``.
_CHANNEL_PREFIX = re.compile(r"^([a-z][a-z0-9-]*):", re.IGNORECASE)
# The prefixes that name a messaging channel ours knows; ``client:``/``sip:`` are not numbers.
MESSAGING_PREFIXES = {"whatsapp": "whatsapp", "sms": "sms", "mms": "sms", "tel": "sms"}


def to_e164(raw: str | None) -> str | None:
    """Return ``raw`` as an E.164 number, or None when it is not a phone number.

    Twilio sends E.164 already; this also accepts spaces, dashes and parentheses, a ``00``
    international prefix and a messaging channel prefix (``whatsapp:+57...``). Client and SIP
    identities (``client:alice``) are not phone numbers.
    """
    if not raw:
        return None
    number = raw.strip()
    prefix = _CHANNEL_PREFIX.match(number)
    if prefix:
        if prefix.group(1).lower() not in MESSAGING_PREFIXES:
            return None
        number = number[prefix.end() :]
    number = _SEPARATORS.sub("", number)
    if number.startswith("00"):
        number = "+" + number[2:]
    return number if _E164.match(number) else None


@dataclass(frozen=True)
class Address:
    """A Twilio messaging address split into its channel and its number.

    ``number`` is E.164 when the address holds a phone number, else the address without its
    channel prefix (kept as Twilio sent it).
    """

    channel: str
    number: str


def parse_address(raw: str) -> Address:
    """Split ``whatsapp:+57 300...`` into (``whatsapp``, ``+57300...``); no prefix is SMS."""
    value = raw.strip()
    prefix = _CHANNEL_PREFIX.match(value)
    channel = "sms"
    if prefix and prefix.group(1).lower() in MESSAGING_PREFIXES:
        channel = MESSAGING_PREFIXES[prefix.group(1).lower()]
        value = value[prefix.end() :].strip()
    return Address(channel, to_e164(value) or value)


def channel_address(channel: str, number: str) -> str:
    """Return the address Twilio sends to on ``channel``: ``whatsapp:+57...`` or the number."""
    return f"whatsapp:{number}" if channel == "whatsapp" else number


def mask_phone(number: str | None) -> str:
    """Keep the country code and the last two digits: ``+57******67``."""
    if not number:
        return ""
    prefix = _CHANNEL_PREFIX.match(number)
    if prefix:
        return number[: prefix.end()] + mask_phone(number[prefix.end() :])
    if len(number) <= 5:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 5) + number[-2:]

"""Reply length per channel: GSM-7 or UCS-2 SMS segments, and WhatsApp's one long message."""

from __future__ import annotations

import re
from collections.abc import Callable

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€")
# Twilio's Messages API takes bodies of at most 1,600 characters, on WhatsApp as on SMS.
WHATSAPP_MAX_CHARS = 1600
# "Te ofrezco: 1) ... 2) ..." : a numbered option after a sentence or a colon.
_OPTION = re.compile(r"(?<=[.:?!]) (?=\d{1,2}\) )")


def is_gsm7(text: str) -> bool:
    """Return True when every character fits the GSM-7 alphabet."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def segments(text: str) -> int:
    """Return how many SMS segments ``text`` takes (160/153 GSM-7, 70/67 UCS-2)."""
    if is_gsm7(text):
        length = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
        single, multi = 160, 153
    else:
        length = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
        single, multi = 70, 67
    if length <= single:
        return 1
    return -(-length // multi)


# Accented letters outside GSM-7, replaced as Latin American senders do to halve the cost.
_TO_GSM7 = str.maketrans(
    {
        "á": "a",
        "í": "i",
        "ó": "o",
        "ú": "u",
        "Á": "A",
        "Í": "I",
        "Ó": "O",
        "Ú": "U",
        "ê": "e",
        "â": "a",
        "ç": "c",
        "ã": "a",
        "õ": "o",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
    }
)


def plain_segments(text: str) -> int:
    """Return the segments ``text`` would take written in GSM-7 letters (á→a)."""
    return segments(text.translate(_TO_GSM7))


def shape(text: str, max_segments: int, keep_accents: bool = False) -> str:
    """Fit a reply into ``max_segments``: as written (UCS-2 when accented) when it fits, else
    in GSM-7 letters, else shortened.

    With ``keep_accents`` the operator pays for accented segments: the budget counts the text
    as if written in GSM-7 letters, and the accents stay.
    """
    if segments(text) <= max_segments:
        return text
    if keep_accents:
        return fit(text, max_segments, measure=plain_segments)
    plain = text.translate(_TO_GSM7)
    if segments(plain) <= max_segments:
        return plain
    return fit(plain, max_segments)


def fit(text: str, max_segments: int, measure: Callable[[str], int] = segments) -> str:
    """Shorten ``text`` at a sentence or word boundary so it fits ``max_segments``."""
    if measure(text) <= max_segments:
        return text
    # "…" is not GSM-7: it would turn a plain reply into UCS-2 and halve what fits.
    more = "..." if is_gsm7(text) else "…"
    cut = text
    while cut and measure(cut + more) > max_segments:
        cut = cut[: int(len(cut) * 0.9)]
    boundary = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    if boundary > len(cut) // 2:
        return cut[: boundary + 1]
    return cut.rsplit(" ", 1)[0].rstrip(",;:") + more


def for_channel(text: str, channel: str, max_segments: int, keep_accents: bool = False) -> str:
    """Fit a reply to its channel: SMS into ``max_segments`` segments; WhatsApp carries long
    messages, line breaks and every accent, so numbered options go on their own lines and the
    text is only kept under Twilio's body limit; voice as is."""
    if channel == "sms":
        return shape(text, max_segments, keep_accents)
    if channel == "whatsapp" and "2) " in text:
        text = _OPTION.sub("\n", text)  # numbered options each on its own line
    if channel == "whatsapp" and len(text) > WHATSAPP_MAX_CHARS:
        cut = text[: WHATSAPP_MAX_CHARS - 1]
        boundary = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
        return cut[: boundary + 1] if boundary > len(cut) // 2 else cut.rsplit(" ", 1)[0] + "…"
    return text

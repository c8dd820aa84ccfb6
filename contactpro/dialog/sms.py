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


def fits(text: str, max_segments: int) -> bool:
    """Return True when ``shape`` can send ``text`` within ``max_segments`` without cutting it
    (as written, or in GSM-7 letters; with the operator's accents the budget is counted the
    same way)."""
    return plain_segments(text) <= max_segments


def shape(
    text: str,
    max_segments: int,
    keep_accents: bool = False,
    left_out: Callable[[int], str] | None = None,
    keep: str = "",
) -> str:
    """Fit a reply into ``max_segments``: as written (UCS-2 when accented) when it fits, else
    in GSM-7 letters, else shortened (``fit``; ``left_out`` words the note on what was cut,
    ``keep`` is the end of the reply that must stay whole).

    With ``keep_accents`` the operator pays for accented segments: the budget counts the text
    as if written in GSM-7 letters, and the accents stay.
    """
    if segments(text) <= max_segments:
        return text
    if keep_accents:
        return fit(text, max_segments, measure=plain_segments, left_out=left_out, ending=keep)
    plain = text.translate(_TO_GSM7)
    if segments(plain) <= max_segments:
        return plain
    plain_note = (lambda count: left_out(count).translate(_TO_GSM7)) if left_out else None
    return fit(plain, max_segments, left_out=plain_note, ending=keep.translate(_TO_GSM7))


# A sentence ends at . ! or ? followed by a space ("57.000 pesos" and "2,5 %" do not end one);
# a Spanish question starts one at its "¿".
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\s+(?=¿)")


def _longest_prefix(text: str, fits_with: Callable[[str], bool]) -> str:
    """Return the longest word-boundary prefix of ``text`` that ``fits_with`` accepts."""
    words = text.split(" ")
    low, high = 0, len(words)  # words[:low] fits; words[:high + 1] does not
    while low < high:
        middle = (low + high + 1) // 2
        if fits_with(" ".join(words[:middle]).rstrip(",;:")):
            low = middle
        else:
            high = middle - 1
    return " ".join(words[:low]).rstrip(",;:")


def _fit_keeping(
    text: str,
    keep: str,
    max_segments: int,
    measure: Callable[[str], int],
    left_out: Callable[[int], str] | None,
) -> str | None:
    """Shorten ``text`` keeping its end ``keep`` whole (the last request's step and its
    question): of what comes before, the run of whole sentences that uses the most room stays,
    with the note on what was left out. None when ``keep`` is not the end of ``text``, or is
    all of it."""
    if not keep or not text.endswith(keep) or not (head := text[: -len(keep)].strip()):
        return None
    if measure(keep) > max_segments:
        return fit(keep, max_segments, measure, left_out)
    units = _SENTENCES.split(head)
    noted = f"{left_out(len(units))} {keep}" if left_out else keep
    best = noted if measure(noted) <= max_segments else keep
    for start in range(len(units)):
        for end in range(start + 1, len(units) + 1):
            dropped = len(units) - (end - start)
            note = [left_out(dropped)] if left_out and dropped else []
            candidate = " ".join(units[start:end] + note + [keep])
            if len(candidate) > len(best) and measure(candidate) <= max_segments:
                best = candidate
    return best


def fit(
    text: str,
    max_segments: int,
    measure: Callable[[str], int] = segments,
    left_out: Callable[[int], str] | None = None,
    ending: str = "",
) -> str:
    """Shorten ``text`` so it fits ``max_segments``, using all the room there is.

    The closing question (the last sentence that asks something, and what follows it: the
    answer the bot waits for) is always kept. Whole sentences are dropped from the end of what
    comes before it, never from the middle, so a reply that lists its most important items
    first (overdue accounts before the others) loses the least important; ``left_out(count)``
    words the note saying how many sentences were left out. Only when not even the first
    sentence fits is it cut at a word, with an ellipsis. With ``ending`` (the end of the text
    that answers the request taken up last: the step the customer must do and the question on
    it), that end stays whole and the earlier answer gives way (:func:`_fit_keeping`).
    """
    if measure(text) <= max_segments:
        return text
    if (kept := _fit_keeping(text, ending, max_segments, measure, left_out)) is not None:
        return kept

    def ok(candidate: str) -> bool:
        return measure(candidate) <= max_segments

    # "…" is not GSM-7: it would turn a plain reply into UCS-2 and halve what fits.
    more = "..." if is_gsm7(text) else "…"
    units = _SENTENCES.split(text.strip())
    asks = [i for i, unit in enumerate(units) if "?" in unit]
    closing: list[str] = []
    if asks and asks[-1] > 0 and asks[-1] >= len(units) - 2 and ok(" ".join(units[asks[-1] :])):
        closing = units[asks[-1] :]
        units = units[: asks[-1]]
    tail = " ".join(closing)
    words = _longest_prefix(" ".join(units), lambda head: ok(f"{head}{more} {tail}".rstrip()))
    by_word = f"{words}{more} {tail}".rstrip() if words else ""
    for keep in range(len(units) - 1, 0, -1):
        note = [left_out(len(units) - keep)] if left_out else []
        candidate = " ".join(units[:keep] + note + closing)
        if ok(candidate):
            # Whole sentences, unless that wastes more than half the room a cut would use.
            return candidate if len(candidate) * 2 > len(by_word) else by_word
    return by_word or _longest_prefix(text, lambda head: ok(head + more)) + more


def for_channel(
    text: str,
    channel: str,
    max_segments: int,
    keep_accents: bool = False,
    left_out: Callable[[int], str] | None = None,
    keep: str = "",
) -> str:
    """Fit a reply to its channel: SMS into ``max_segments`` segments (``keep``: the end it
    must keep whole); WhatsApp carries long messages, line breaks and every accent, so numbered
    options go on their own lines and the text is only kept under Twilio's body limit; voice
    as is."""
    if channel == "sms":
        return shape(text, max_segments, keep_accents, left_out, keep)
    if channel == "whatsapp" and "2) " in text:
        text = _OPTION.sub("\n", text)  # numbered options each on its own line
    if channel == "whatsapp" and len(text) > WHATSAPP_MAX_CHARS:
        cut = text[: WHATSAPP_MAX_CHARS - 1]
        boundary = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
        return cut[: boundary + 1] if boundary > len(cut) // 2 else cut.rsplit(" ", 1)[0] + "…"
    return text

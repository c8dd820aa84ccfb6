"""Redaction at the door: card numbers, security codes and passwords a customer types or says.

:func:`redact` is the one entry point. It replaces

* card numbers (13-19 digits, Luhn-checked, starting like a real card: 2-6), typed with or
  without spaces, dashes or dots between groups of four, or dictated as number words in Spanish
  or English ("cuatro uno uno uno ...", "forty one eleven ..."), with ``[tarjeta ****1111]``;
* a 3-4 digit number right after a card (typed, or dictated after a pause), and any number
  after a security-code label ("cvv 123", "código de seguridad 123", "security code 123"),
  with ``[código]``;
* PINs and passwords after a label ("mi clave es 9876", "password 987", "pin 1234",
  "contraseña: Gato2024!") with ``[clave]``.

National ids, account, invoice and phone numbers, amounts and dates are left alone:
identification needs them, and :mod:`contactpro.privacy.display` masks them for the console.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from contactpro.nlu.numbers import CONNECTORS, NUMBER_WORDS, read_chunks
from contactpro.privacy.folding import fold_in_place

if TYPE_CHECKING:  # only the type: the speech package loads audio libraries
    from contactpro.speech.transcript import Transcript

PLACEHOLDERS = {
    "es": {"card": "[tarjeta ****{last4}]", "code": "[código]", "secret": "[clave]"},
    "en": {"card": "[card ****{last4}]", "code": "[code]", "secret": "[password]"},
}
CARD_MIN_DIGITS, CARD_MAX_DIGITS = 13, 19
# Issuer prefixes: 2 and 5 Mastercard, 3 Amex/Diners/JCB, 4 Visa, 6 Discover/UnionPay/Maestro.
CARD_FIRST_DIGITS = frozenset("23456")
# Group layouts a typed card is split into: 4-4-4-4(-3), Amex 4-6-5, Diners 4-6-4.
_CARD_LAYOUTS = ((4, 6, 5), (4, 6, 4))
# Past this many number words in a row, each word counts alone (keeps the reading linear).
_MAX_SPOKEN_RUN = 120

_TOKEN = re.compile(r"\S+")
_LEAD = "([{\"'¿¡+*<"
_TRAIL = ".,;:!?)]}\"'*>"
_TYPED = re.compile(r"\d+(?:-\d+)*|\d{4}(?:\.\d{2,4}){2,4}")
_EXPIRY = re.compile(r"(?:0?[1-9]|1[0-2])/(?:\d{2}|\d{4})")
_PUNCT_GAP = re.compile(r"[\s,;:.\-]*")
_SPOKEN_GAP = re.compile(r"(?:[\s,;:.\-]|\by\b|\band\b)*")

_NUMBER_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_SPOKEN = rf"(?:{_NUMBER_WORD})(?:[\s,.-]+(?:(?:y|and)\s+)?(?:{_NUMBER_WORD})){{1,30}}\b"
_FILLER = (
    r"(?:\s*[:=#]|\s+(?:es|is|son|are|was|era|sera|be|de|del|la|el|los|las|mi|my|the|of|for|"
    r"para|number|numero|no|app|internet|banco|bank|tarjeta|card|cajero|atm|dinamica|temporal|"
    r"web|online|portal|sitio|pagina|banca|virtual|cuenta|account|site|nueva|new|actual|"
    r"current|seria|would|sea|it|its)\b)*\s*"
)
_CODE_LABEL = (
    r"\b(?:cvv2?|cvc2?|cv2|csc|codigo\s+(?:de\s+)?(?:seguridad|verificacion|cvv|cvc)|"
    r"(?:card\s+)?security\s+code|verification\s+code|card\s+code|"
    r"(?:los\s+)?(?:tres|3)\s+(?:numeros|digitos)\s+(?:de\s+)?(?:atras|detras|del\s+reverso)|"
    r"(?:the\s+)?(?:three|3)\s+digits?\s+on\s+the\s+back)"
)
_SECRET_LABEL = r"\b(?:clave|contrasena|password|passwd|passcode|pin|nip)"
_CODE_VALUE = rf"(?P<spoken>{_SPOKEN})|(?P<digits>\d(?:[ -]?\d){{2,7}})(?![\d])"
_SECRET_VALUE = (
    rf"(?P<spoken>{_SPOKEN})|(?P<digits>\d(?:[ -]?\d){{2,11}})(?![\d])|"
    r"(?P<quoted>[\"'“‘«][^\"'”’»\s]{3,64}[\"'”’»])|"
    r"(?P<mixed>(?=[^\s\[]*\d)(?=[^\s\[]*[a-zñ])[^\s\[]{4,64})"
)
_CODE = re.compile(rf"{_CODE_LABEL}{_FILLER}(?:{_CODE_VALUE})")
_SECRET = re.compile(rf"{_SECRET_LABEL}{_FILLER}(?:{_SECRET_VALUE})")


@dataclass(frozen=True)
class _Unit:
    """A number in the text: a typed group, one spoken number, or a card expiry."""

    start: int
    end: int
    digits: str
    kind: str  # "typed", "spoken" or "expiry"


def redact(text: str, language: str = "es") -> str:
    """Return ``text`` with card numbers, security codes and passwords replaced by placeholders.

    ``language`` ("es" or "en") picks the placeholders' words. Call it on everything a customer
    sends before it is stored, logged, queued or sent to an LLM.
    """
    if not text:
        return text
    return _replace(text, _spans(text, language))


def redact_segments(texts: list[str], language: str = "es") -> list[str]:
    """Redact timed transcript segments as one text, so a card read across two is still found.

    A secret that spans segments is replaced in the segment where it starts and removed from
    the others; the list keeps its length (segment timings stay valid).
    """
    joined = " ".join(texts)
    spans = _spans(joined, language)
    out, offset = [], 0
    for text in texts:
        end = offset + len(text)
        local = [
            (max(start, offset) - offset, min(stop, end) - offset, repl if start >= offset else "")
            for start, stop, repl in spans
            if start < end and stop > offset
        ]
        out.append(_replace(text, local).strip() if local else text)
        offset = end + 1
    return out


def redact_transcript(transcript: Transcript, language: str = "es") -> Transcript:
    """Return a transcript with every timed segment redacted (see :func:`redact_segments`)."""
    texts = redact_segments([s.text for s in transcript.segments], language)
    segments = tuple(replace(s, text=t) for s, t in zip(transcript.segments, texts, strict=True))
    return replace(transcript, segments=segments)


def _spans(text: str, language: str) -> list[tuple[int, int, str]]:
    """Every secret in ``text`` as (start, end, placeholder); cards win over labelled values."""
    words = PLACEHOLDERS.get(language, PLACEHOLDERS["es"])
    folded = fold_in_place(text)
    cards = _card_spans(folded, words)
    labelled = [
        span
        for span in _labelled_spans(folded, words)
        if not any(span[0] < end and span[1] > start for start, end, _ in cards)
    ]
    return cards + labelled


def luhn_valid(digits: str) -> bool:
    """Return True when ``digits`` passes the Luhn check every card number carries."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def is_card_number(digits: str) -> bool:
    """Return True for 13-19 digits that start like a card and pass the Luhn check."""
    return (
        CARD_MIN_DIGITS <= len(digits) <= CARD_MAX_DIGITS
        and digits[0] in CARD_FIRST_DIGITS
        and luhn_valid(digits)
    )


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping ``(start, end, replacement)`` spans, earliest first wins."""
    out, cursor = [], 0
    for start, end, replacement in sorted(spans):
        if start < cursor:
            continue
        out += [text[cursor:start], replacement]
        cursor = end
    return "".join([*out, text[cursor:]])


# -- cards ---------------------------------------------------------------------------------


def _tokens(folded: str) -> Iterator[tuple[int, int, str]]:
    """Yield each whitespace-separated token without its surrounding punctuation."""
    for match in _TOKEN.finditer(folded):
        start, end = match.span()
        while start < end and folded[start] in _LEAD:
            start += 1
        while end > start and folded[end - 1] in _TRAIL:
            end -= 1
        if start < end:
            yield start, end, folded[start:end]


def _spoken_units(words: list[tuple[int, int, str]]) -> list[_Unit]:
    """Read a run of number words into one unit per spoken number ("cuarenta y uno" is one)."""
    while words and words[-1][2] in CONNECTORS:
        words = words[:-1]
    names = [word for _, _, word in words]
    if len(names) > _MAX_SPOKEN_RUN:
        return [
            _Unit(s, e, "".join(map(str, read_chunks([w]))), "spoken")
            for s, e, w in words
            if w not in CONNECTORS
        ]
    values = read_chunks(names)
    spans: list[list[int]] = []
    seen = 0
    for k, (start, end, word) in enumerate(words):
        if word in CONNECTORS:
            continue
        count = len(read_chunks(names[: k + 1]))
        if count != seen or not spans:
            spans.append([start, end])
        else:
            spans[-1][1] = end
        seen = count
    if len(spans) != len(values):  # cannot happen with read_chunks' rules; read it as one
        return [_Unit(words[0][0], words[-1][1], "".join(map(str, values)), "spoken")]
    return [_Unit(s, e, str(v), "spoken") for (s, e), v in zip(spans, values, strict=True)]


def _units(folded: str) -> list[_Unit]:
    """Every number in the text, typed or spoken, in order."""
    units: list[_Unit] = []
    words: list[tuple[int, int, str]] = []
    for start, end, token in _tokens(folded):
        if token in NUMBER_WORDS or (token in CONNECTORS and words):
            words.append((start, end, token))
            continue
        if words:
            units.extend(_spoken_units(words))
            words = []
        if _TYPED.fullmatch(token):
            units.append(_Unit(start, end, re.sub(r"\D", "", token), "typed"))
        elif _EXPIRY.fullmatch(token):
            units.append(_Unit(start, end, "", "expiry"))
    if words:
        units.extend(_spoken_units(words))
    return units


def _runs(folded: str, units: list[_Unit]) -> Iterator[list[_Unit]]:
    """Group numbers that follow each other with nothing but spaces and punctuation between."""
    run: list[_Unit] = []
    for unit in units:
        if run:
            gap = folded[run[-1].end : unit.start]
            both_spoken = run[-1].kind == unit.kind == "spoken"
            if not (_SPOKEN_GAP if both_spoken else _PUNCT_GAP).fullmatch(gap):
                yield run
                run = []
        run.append(unit)
    if run:
        yield run


def _grouped_like_a_card(units: list[_Unit]) -> bool:
    """Typed groups must be laid out like a card (4-4-4-4, 4-6-5...); spoken numbers may not."""
    if len(units) == 1 or any(u.kind == "spoken" for u in units):
        return True
    sizes = tuple(len(u.digits) for u in units)
    fours = all(size == 4 for size in sizes[:-1]) and 1 <= sizes[-1] <= 4
    return fours or sizes in _CARD_LAYOUTS


def _card_at(run: list[_Unit], i: int, last: int, folded: str) -> tuple[int, str] | None:
    """Return the last unit index and the digits of the longest card starting at ``run[i]``.

    Typed groups must be laid out like a card. A dictated card must be the whole run of
    numbers, or all of it but a 3-4 digit code after a pause (a comma or a period): read
    inside a longer dictation (an id then a phone number) almost any 16 digits would pass
    Luhn somewhere. ``last`` is the run's last number that is not an expiry.
    """
    if i != 0 and run[i].kind == "spoken":
        return None
    found, digits = None, ""
    for j in range(i, len(run)):
        if run[j].kind == "expiry":
            break
        digits += run[j].digits
        if len(digits) > CARD_MAX_DIGITS:
            break
        window = run[i : j + 1]
        spoken = any(u.kind == "spoken" for u in window)
        if spoken and (i != 0 or (j != last and not _code_after_pause(run, j, folded))):
            continue
        if is_card_number(digits) and _grouped_like_a_card(window):
            found = (j, digits)
    return found


def _code_after_pause(run: list[_Unit], j: int, folded: str) -> bool:
    """Return True when the rest of the run after ``run[j]`` is a 3-4 digit code after a pause."""
    rest = [u for u in run[j + 1 :] if u.kind != "expiry"]
    if not rest or not 3 <= len("".join(u.digits for u in rest)) <= 4:
        return False
    return any(mark in folded[run[j].end : rest[0].start] for mark in ",.;")


def _trailing_code(run: list[_Unit], after: int) -> tuple[int, int] | None:
    """Return the span of a 3-4 digit code that ends the run after a card (expiry skipped)."""
    rest = [u for u in run[after + 1 :] if u.kind != "expiry"]
    digits = "".join(u.digits for u in rest)
    if rest and 3 <= len(digits) <= 4:
        return rest[0].start, rest[-1].end
    return None


def _card_spans(folded: str, words: dict[str, str]) -> list[tuple[int, int, str]]:
    spans = []
    for run in _runs(folded, _units(folded)):
        last = max((k for k, u in enumerate(run) if u.kind != "expiry"), default=-1)
        i = 0
        while i < len(run):
            card = _card_at(run, i, last, folded) if run[i].kind != "expiry" else None
            if card is None:
                i += 1
                continue
            last, digits = card
            spans.append((run[i].start, run[last].end, words["card"].format(last4=digits[-4:])))
            if (code := _trailing_code(run, last)) is not None:
                spans.append((*code, words["code"]))
                break
            i = last + 1
    return spans


# -- labelled codes and passwords ----------------------------------------------------------


def _spoken_digits(value: str) -> str:
    names = [w for w in re.findall(r"[a-z]+", value) if w not in CONNECTORS]
    return "".join(str(v) for v in read_chunks(names))


def _labelled_spans(folded: str, words: dict[str, str]) -> list[tuple[int, int, str]]:
    spans = []
    for pattern, kind, most in ((_CODE, "code", 8), (_SECRET, "secret", 12)):
        for match in pattern.finditer(folded):
            group = next(name for name, value in match.groupdict().items() if value is not None)
            if group == "spoken" and not 3 <= len(_spoken_digits(match[group])) <= most:
                continue
            spans.append((match.start(group), match.end(group), words[kind]))
    return spans

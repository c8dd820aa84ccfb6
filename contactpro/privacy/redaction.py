"""Redaction at the door: card numbers, security codes and passwords a customer types or says.

:func:`redact` is the one entry point. It replaces

* card numbers (13-19 digits, Luhn-checked, starting like a real card: 2-6) wherever they stand
  (after a word, a colon, "#" or "=", glued to letters), typed whole or in groups (spaces,
  dashes, dots, slashes or underscores between blocks of four or eight, Amex 4-6-5, Diners
  4-6-4, digit by digit or in pairs), or dictated as number words in Spanish or English
  ("cuatro uno uno uno ...", "forty one eleven ...", "cuatro mil ciento once, mil ciento
  once ..."), with ``[tarjeta ****1111]``;
* a card's expiry (typed right after it; or after "vence"/"exp" in a message that gives a card,
  typed or said as a month and a year: "vence doce veintisiete", "exp 12 27") with
  ``[vencimiento]``;
* a 3-4 digit number right after a card (typed, or dictated after a pause; an expiry in between
  is skipped), any number after a security-code label ("cvv", "cod. seg.", "los 3 de atrás",
  "sec code", "the code on the back"), and after a bare "código"/"code" in a message that gives
  a card, with ``[código]``;
* PINs and passwords after a label ("mi clave es 9876", "pin 1234", "pwd: Gato2024", "my pw is
  Hunter22", 'my password is "correct horse"', "contraseña: perro gato") with ``[clave]``; a
  sentence about the password ("contraseña: olvidé mi clave") is left as it is.

Labels are matched on the case- and accent-folded text. Placeholders are in the message's
language: the caller's when the channel knows it, else guessed from the message itself;
:func:`localise` puts them in the conversation's once it is known.

National ids, account, invoice and phone numbers, amounts and dates are left alone:
identification needs them, and :mod:`contactpro.privacy.display` masks them for the console.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from contactpro.nlu.dates import MONTHS
from contactpro.nlu.language import detect_language
from contactpro.nlu.numbers import CONNECTORS, NUMBER_WORDS, read_chunks
from contactpro.privacy.folding import fold_in_place

if TYPE_CHECKING:  # only the type: the speech package loads audio libraries
    from contactpro.speech.transcript import Transcript

PLACEHOLDERS = {
    "es": {
        "card": "[tarjeta ****{last4}]",
        "code": "[código]",
        "secret": "[clave]",
        "expiry": "[vencimiento]",
    },
    "en": {
        "card": "[card ****{last4}]",
        "code": "[code]",
        "secret": "[password]",
        "expiry": "[expiry]",
    },
}
DEFAULT_LANGUAGE = "es"
CARD_MIN_DIGITS, CARD_MAX_DIGITS = 13, 19
# Issuer prefixes: 2 and 5 Mastercard, 3 Amex/Diners/JCB, 4 Visa, 6 Discover/UnionPay/Maestro.
CARD_FIRST_DIGITS = frozenset("23456")
# Typed groups a card is split into: blocks of 4 or 8 (the last one shorter), Amex 4-6-5,
# Diners 4-6-4. Other groups (a 10-digit phone then 4 digits, 7-digit amounts) are not a card.
_CARD_BLOCKS = frozenset({4, 8})
_CARD_LAYOUTS = ((4, 6, 5), (4, 6, 4))
# Groups this short are how speech engines write a dictated card ("41 11 11 ..."): typed in
# such groups only, like spoken numbers, they make a card only as the whole run.
_LOOSE_DIGITS = 2
# Past this many number words in a row, each word counts alone (keeps the reading linear).
_MAX_SPOKEN_RUN = 120

# What numbers are read from, whatever precedes them ("tarjeta:4111...", "#4111...",
# "4111...exp"): an expiry (MM/YY), a run of digits, or a word that may be a number word.
_PIECE = re.compile(
    r"(?P<expiry>(?<!\d)(?:0?[1-9]|1[0-2])/(?:\d{4}|\d{2})(?!\d))|(?P<digits>\d+)|(?P<word>[a-z]+)"
)
_PUNCT_GAP = re.compile(r"[\s,;:.\-/_|]*")
# An expiry's own label may stand between a card and its expiry ("4111... vence 12/27, 123",
# "exp. 12/27 123"): the code after it is still the card's.
_EXPIRY_GAP = re.compile(
    r"[\s,;:.\-/_|]*(?:(?:fecha\s+de\s+)?(?:vence|vencimiento|venc|vto|expira|exp|expires|"
    r"expiry|expiration|expiring|valid\s+thru|valida\s+hasta|hasta)(?:\s+(?:date|el|en|on))?"
    r"[\s,;:.\-/_|]*)?"
)
_SPOKEN_GAP = re.compile(r"(?:[\s,;:.\-]|\by\b|\band\b)*")

_WORD_END = r"(?![a-z])"
_NUMBER_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_SPOKEN = rf"(?:{_NUMBER_WORD})(?:[\s,.-]+(?:(?:y|and)\s+)?(?:{_NUMBER_WORD})){{1,30}}\b"
_FILLER_WORDS = (
    r"es|is|are|son|was|era|sera|be|de|del|la|el|los|las|mi|my|tu|your|su|the|of|for|para|"
    r"number|numero|no|app|internet|banco|bank|tarjeta|card|cajero|atm|dinamica|temporal|web|"
    r"online|portal|sitio|pagina|banca|virtual|cuenta|account|site|nueva|new|actual|current|"
    r"seria|would|sea|it|its|that|secreta|secret|personal|acceso|access|login|code|codigo"
)
_FILLER = rf"(?:\s*[:=#\-?¿]|\s+(?:{_FILLER_WORDS}){_WORD_END})*\s*"
_BACK_ES = r"(?:(?:de|del|en\s+el)\s+)?(?:atras|detras|reverso)"
_BACK_NOUN = r"(?:numeros|numeritos|digitos|codigo|cod)"
_CODE_LABEL = (
    r"(?<![a-z])(?:"
    r"(?:cvv|cvc|ccv|cvn)(?:2(?!\d))?|cv2|csc"
    r"|cod(?:igo|\.)?\s*(?:de\s+)?(?:seg(?:uridad)?|verif(?:icacion)?|cvv|cvc)\.?"
    r"|(?:card\s+)?sec(?:urity|\.)?\s*code|verification\s+code|card\s+code|back\s+code"
    r"|(?:three|four|3|4)[\s-]+digits?\s+(?:security\s+)?code"
    rf"|(?:(?:los|el|las|sus)\s+(?:(?:tres|cuatro|3|4)\s+)?|(?:tres|cuatro|3|4)\s+)"
    rf"(?:{_BACK_NOUN}\s+)?(?:que\s+(?:esta|estan|va|van|sale|salen)\s+)?{_BACK_ES}"
    rf"|{_BACK_NOUN}\s+{_BACK_ES}"
    r"|(?:the\s+)?(?:(?:three|four|3|4)[\s-]+)?(?:digits?|numbers?|code)\s+(?:on|at|in)\s+"
    r"the\s+back(?:\s+of\s+(?:the|my)\s+card)?"
    rf"){_WORD_END}"
)
_SECRET_LABEL = (
    r"(?<![a-z])(?:clave|contrasena|contrasenia|password|passwd|passcode|pass|pwd|psw|pw|pin|nip)"
    + _WORD_END
)
_CODE_VALUE = rf"(?P<spoken>{_SPOKEN})|(?P<digits>\d(?:[ -]?\d){{2,7}})(?!\d)"
_SECRET_VALUE = (
    rf"(?P<spoken>{_SPOKEN})|(?P<digits>\d(?:[ -]?\d){{2,11}})(?!\d)|"
    # in double quotes, words and spaces ("correct horse"); in single quotes, one word, to
    # leave "my password's wrong, isn't it" alone
    r"(?P<quoted>[\"“«][^\"”»\n]{3,64}[\"”»]|['‘][^'’\s]{3,64}['’])|"
    r"(?P<mixed>(?=[^\s\[]*\d)(?=[^\s\[]*[a-z])[^\s\[]{4,64})"
)
_CODE = re.compile(rf"{_CODE_LABEL}{_FILLER}(?:{_CODE_VALUE})")
_SECRET = re.compile(rf"{_SECRET_LABEL}{_FILLER}(?:{_SECRET_VALUE})")
# After a colon or an equals sign any word is the password ("pass: perrito"), and two or three
# that end the sentence ("contraseña: perro gato"); without one, letters alone are not, to leave
# "my password is wrong" alone.
_SECRET_MARKED = re.compile(
    rf"{_SECRET_LABEL}(?:\s+(?:{_FILLER_WORDS}){_WORD_END})*\s*[:=]\s*"
    r"(?P<word>(?:[^\s\[\]]*[^\s\[\].,;!?)][ \t]+){1,2}[^\s\[\]]*[^\s\[\].,;!?)]"
    r"(?=[.,;!?)]*\s*$|[.,;!?)]+(?:\s|$))|[^\s\[\]]+?(?=[.,;)]*(?:\s|$)))"
)
# After a colon, a sentence about the password is no password: "contraseña: olvidé mi clave",
# "my password: I forgot it", "clave: no la recuerdo". Checked on letters-only values.
_ABOUT_THE_SECRET = re.compile(
    r"(?<![a-z])(?:olvid\w*|recuerd\w*|acuerdo|se|sabe\w*|tengo|tiene|perd\w*|bloque\w*|"
    r"cambi\w*|restablec\w*|recuper\w*|incorrect\w*|equivocad\w*|venci\w*|expir\w*|"
    r"funciona\w*|sirve|no|nunca|cual|como|que|forg[eo]t\w*|remember\w*|know|lost|lock\w*|"
    r"reset\w*|chang\w*|wrong|work\w*|don'?t|doesn'?t|isn'?t|can'?t|cannot|not|never|i|it|"
    r"what|how|which)(?![a-z'])"
)
# In a message that gives a card, "código 123" and "code 123" are its security code.
_CODE_NEAR_CARD = re.compile(
    rf"(?<![a-z])(?:codigo|cod|code){_WORD_END}\.?{_FILLER}(?:{_CODE_VALUE})"
)
# The value before the label: "código 123 de atrás", "the code 321 on the back".
_CODE_BEFORE_BACK = re.compile(
    r"(?<![a-z])(?:codigo|cod|code|numeros?|digitos?|numbers?|digits?|cvv|cvc)(?![a-z])\.?"
    r"(?:\s+(?:es|son|is|are|el|los|the))*\s+(?P<digits>\d(?:[ -]?\d){2,3})(?!\d)\s+"
    r"(?:(?:que\s+)?(?:esta|estan|va|van|is|are)\s+)?"
    r"(?:(?:de|del|en\s+el|on\s+the|at\s+the|in\s+the)\s+)?(?:atras|detras|reverso|back)(?![a-z])"
)
# The longest password in words (up to three words, or a quoted phrase) that is redacted.
_MAX_SECRET_CHARS = 200
# (pattern, placeholder kind, fewest and most digits of a value that is digits or spoken)
_LABELLED = (
    (_CODE, "code", 3, 8),
    (_CODE_BEFORE_BACK, "code", 3, 4),
    (_SECRET, "secret", 3, 12),
    (_SECRET_MARKED, "secret", 1, 64),
)
# In a message that gives a card, a value after its expiry and a pause is its security code,
# the expiry typed or dictated ("... vence doce veintisiete, uno dos tres").
_EXPIRY_NUMBER = rf"(?:{_NUMBER_WORD}|\d{{1,4}})"
_CODE_AFTER_EXPIRY = re.compile(
    r"(?<![a-z])(?:vence|vencimiento|venc|vto|expira|exp|expires|expiry|expiration|expiring)"
    rf"{_WORD_END}\.?(?:\s+(?:el|en|on|date|de))*\s*:?\s*"
    rf"(?:\d{{1,2}}\s*/\s*\d{{2,4}}|{_EXPIRY_NUMBER}(?:[\s-]+(?:(?:y|and|de|del)\s+)?"
    rf"{_EXPIRY_NUMBER}){{0,3}})\s*[,;.]\s*(?:{_CODE_VALUE})"
)
# A card's expiry label: "vence", "exp.", "fecha de vencimiento", "valid thru".
_EXPIRY_LABEL = (
    r"(?<![a-z])(?:(?:fecha\s+de\s+)?(?:vence|vencimiento|venc|vto|expira|exp|expires|expiry|"
    rf"expiration|expiring)|valid\s+thru|valida\s+hasta){_WORD_END}\.?"
)
# In a message that gives a card, a typed date after an expiry label is its expiry ("... y
# vence el 12/27"): a secret, and not a date of payment.
_EXPIRY_NEAR_CARD = re.compile(
    rf"{_EXPIRY_LABEL}(?:\s+(?:el|en|on|date|de|es|is))*\s*:?\s*"
    r"(?P<expiry>(?<!\d)(?:0?[1-9]|1[0-2])\s*/\s*(?:\d{4}|\d{2}))(?!\d)"
)
# ... or said in words or spaced digits: "vence doce veintisiete", "expires twelve twenty-seven",
# "exp 12 27", "vence en diciembre del 27" (checked to be a month then a year, _said_expiry).
_MONTH_NAME = "|".join(sorted(MONTHS, key=len, reverse=True))
_SAID_EXPIRY_NEAR_CARD = re.compile(
    rf"{_EXPIRY_LABEL}(?:\s+(?:el|en|on|in|date|de|es|is))*\s*:?\s*"
    rf"(?P<said_expiry>(?:(?:{_MONTH_NAME})\.?|{_EXPIRY_NUMBER}){_WORD_END}(?:(?:[\s-]+|\s*/\s*)"
    rf"(?:(?:y|and|de|del|of)\s+)?{_EXPIRY_NUMBER}{_WORD_END}(?!\d)){{1,4}})"
)
_NEAR_CARD = (
    (_CODE_NEAR_CARD, "code", 3, 4),
    (_CODE_AFTER_EXPIRY, "code", 3, 4),
    (_EXPIRY_NEAR_CARD, "expiry", 3, 9),
    (_SAID_EXPIRY_NEAR_CARD, "expiry", 3, 9),
)

# Every placeholder of every language (see localise).
_PLACEHOLDER = re.compile(
    r"\[(?:(?P<card>tarjeta|card) \*{4}(?P<last4>\d{4})|(?P<code>código|code)|"
    r"(?P<secret>clave|password)|(?P<expiry>vencimiento|expiry))\]"
)
# Words that tell the language of a message about payments, beyond the detector's vocabulary
# ("pass", "pwd", "pin" and "cvv" are written in both).
_CUE_WEIGHT = 1.2
_CUES = {
    "es": frozenset(
        "tarjeta tarj clave contrasena codigo cod seguridad atras detras reverso vence "
        "vencimiento credito debito".split()
    ),
    "en": frozenset(
        "card security code back expires expiry expiring expiration credit debit".split()
    ),
}


# A secret found: start, end, placeholder kind ("card", "code", "secret", "expiry"), a card's
# last four.
_Found = tuple[int, int, str, str]


@dataclass(frozen=True)
class _Unit:
    """A number in the text: a typed group, one spoken number, or a card expiry."""

    start: int
    end: int
    digits: str
    kind: str  # "typed", "spoken" or "expiry"


def redact(text: str, language: str | None = None) -> str:
    """Return ``text`` with card numbers, security codes and passwords replaced by placeholders.

    ``language`` ("es" or "en") picks the placeholders' words (any other code: Spanish); None
    guesses it from ``text``. Call it on everything a customer sends before it is stored,
    logged, queued or sent to an LLM.
    """
    if not text:
        return text
    return _replace(text, _spans(text, language))


def redact_segments(texts: list[str], language: str | None = None) -> list[str]:
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


def redact_transcript(transcript: Transcript, language: str | None = None) -> Transcript:
    """Return a transcript with every timed segment redacted (see :func:`redact_segments`)."""
    texts = redact_segments([s.text for s in transcript.segments], language)
    segments = tuple(replace(s, text=t) for s, t in zip(transcript.segments, texts, strict=True))
    return replace(transcript, segments=segments)


def placeholder_language(text: str, language: str | None = None) -> str:
    """Return the language of the placeholders for ``text``: ``language`` when given (Spanish
    for a code without placeholders), else the one its words point to (Spanish when none do)."""
    if language is not None:
        return language if language in PLACEHOLDERS else DEFAULT_LANGUAGE
    words = re.findall(r"[a-z]+", fold_in_place(text))
    cues = sum(w in _CUES["es"] for w in words) - sum(w in _CUES["en"] for w in words)
    evidence = detect_language(text).evidence + _CUE_WEIGHT * cues
    return "en" if evidence < 0 else DEFAULT_LANGUAGE


def localise(text: str, language: str) -> str:
    """Return ``text`` with its placeholders in ``language``: a message is redacted before its
    conversation is known, in the language its own words point to ("4111 1111 1111 1111" alone
    says none), and stored in the conversation's."""
    words = PLACEHOLDERS[placeholder_language(text, language)]

    def placeholder(match: re.Match[str]) -> str:
        kind = next(k for k in ("card", "code", "secret", "expiry") if match[k] is not None)
        return words[kind].format(last4=match["last4"])

    return _PLACEHOLDER.sub(placeholder, text)


def _spans(text: str, language: str | None) -> list[tuple[int, int, str]]:
    """Every secret in ``text`` as (start, end, placeholder); cards win over labelled values."""
    folded = fold_in_place(text)
    cards = _card_spans(folded)
    patterns = _LABELLED + _NEAR_CARD if cards else _LABELLED
    labelled = [
        span
        for span in _labelled_spans(folded, patterns)
        if not any(span[0] < end and span[1] > start for start, end, _, _ in cards)
    ]
    if not cards and not labelled:
        return []  # the language is only worth guessing for a placeholder
    words = PLACEHOLDERS[placeholder_language(text, language)]
    return [(s, e, words[kind].format(last4=last4)) for s, e, kind, last4 in cards + labelled]


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
    """Apply non-overlapping ``(start, end, replacement)`` spans; the earliest, then the
    longest, wins."""
    out, cursor = [], 0
    for start, end, replacement in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start < cursor:
            continue
        out += [text[cursor:start], replacement]
        cursor = end
    return "".join([*out, text[cursor:]])


# -- cards ---------------------------------------------------------------------------------


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
    """Every number in the text, typed or spoken, in order, whatever stands before it."""
    units: list[_Unit] = []
    words: list[tuple[int, int, str]] = []
    for piece in _PIECE.finditer(folded):
        start, end = piece.span()
        word = piece["word"]
        if word is not None and (word in NUMBER_WORDS or (word in CONNECTORS and words)):
            words.append((start, end, word))
            continue
        if words:
            units.extend(_spoken_units(words))
            words = []
        if piece["digits"] is not None:
            units.append(_Unit(start, end, piece["digits"], "typed"))
        elif piece["expiry"] is not None:
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
            allowed = (
                _SPOKEN_GAP if both_spoken else _EXPIRY_GAP if unit.kind == "expiry" else _PUNCT_GAP
            )
            if not allowed.fullmatch(gap):
                yield run
                run = []
        run.append(unit)
    if run:
        yield run


def _dictated(units: list[_Unit]) -> bool:
    """Return True for numbers read out rather than typed: spoken, or all in 1-2 digit groups."""
    return any(u.kind == "spoken" for u in units) or all(
        len(u.digits) <= _LOOSE_DIGITS for u in units
    )


def _grouped_like_a_card(units: list[_Unit]) -> bool:
    """Typed groups must be laid out like a card (4-4-4-4, 8-8, 4-6-5...); dictated ones may
    not."""
    if len(units) == 1 or _dictated(units):
        return True
    sizes = tuple(len(u.digits) for u in units)
    blocks = all(size in _CARD_BLOCKS for size in sizes[:-1]) and sizes[-1] <= max(_CARD_BLOCKS)
    return blocks or sizes in _CARD_LAYOUTS


def _card_at(run: list[_Unit], i: int, last: int, folded: str) -> tuple[int, str] | None:
    """Return the last unit index and the digits of the longest card starting at ``run[i]``.

    Typed groups must be laid out like a card. A dictated card (spoken, or typed in 1-2 digit
    groups only) must be the whole run of numbers, or all of it but a 3-4 digit code after a pause
    (a comma or a period): read inside a longer dictation (an id then a phone number) almost
    any 16 digits would pass Luhn somewhere. ``last`` is the run's last number that is not an
    expiry.
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
        if _dictated(window) and (i != 0 or (j != last and not _code_after_pause(run, j, folded))):
            continue
        if is_card_number(digits) and _grouped_like_a_card(window):
            found = (j, digits)
    return found


def _code_after_pause(run: list[_Unit], j: int, folded: str) -> bool:
    """Return True when the rest of the run after ``run[j]`` is a 3-4 digit code after a pause."""
    rest = [u for u in run[j + 1 :] if u.kind != "expiry"]
    if not rest or not 3 <= len("".join(u.digits for u in rest)) <= 4:
        return False
    return any(mark in folded[run[j].end : rest[0].start] for mark in ",.;/")


def _trailing_code(run: list[_Unit], after: int) -> tuple[int, int] | None:
    """Return the span of a 3-4 digit code that ends the run after a card (expiry skipped)."""
    rest = [u for u in run[after + 1 :] if u.kind != "expiry"]
    digits = "".join(u.digits for u in rest)
    if rest and 3 <= len(digits) <= 4:
        return rest[0].start, rest[-1].end
    return None


def _card_spans(folded: str) -> list[_Found]:
    """Every card, and the code typed right after one."""
    spans = []
    for run in _runs(folded, _units(folded)):
        last = max((k for k, u in enumerate(run) if u.kind != "expiry"), default=-1)
        i = 0
        while i < len(run):
            card = _card_at(run, i, last, folded) if run[i].kind != "expiry" else None
            if card is None:
                i += 1
                continue
            end, digits = card
            spans.append((run[i].start, run[end].end, "card", digits[-4:]))
            if end + 1 < len(run) and run[end + 1].kind == "expiry":
                spans.append((run[end + 1].start, run[end + 1].end, "expiry", ""))
            if (code := _trailing_code(run, end)) is not None:
                spans.append((*code, "code", ""))
                break
            i = end + 1
    return spans


# -- labelled codes and passwords ----------------------------------------------------------


def _spoken_digits(value: str) -> str:
    names = [w for w in re.findall(r"[a-z]+", value) if w not in CONNECTORS]
    return "".join(str(v) for v in read_chunks(names))


def _labelled_spans(
    folded: str, patterns: tuple[tuple[re.Pattern[str], str, int, int], ...]
) -> list[_Found]:
    """Every value after (or before) a label in ``patterns`` with a plausible length."""
    spans = []
    for pattern, kind, fewest, most in patterns:
        for match in pattern.finditer(folded):
            group = next(name for name, value in match.groupdict().items() if value is not None)
            value = match[group]
            low, high = fewest, most
            if group == "said_expiry" and not _said_expiry(value):
                continue
            if group == "word" and not re.search(r"\d", value) and _ABOUT_THE_SECRET.search(value):
                continue  # "contraseña: olvidé mi clave" tells about it, gives none
            if group == "spoken":
                value = _spoken_digits(value)
            elif group == "digits":
                value = re.sub(r"\D", "", value)
            else:  # a word, quoted words, an expiry: not counted in digits
                low, high = 1, _MAX_SECRET_CHARS
            if not low <= len(value) <= high:
                continue
            spans.append((match.start(group), match.end(group), kind, ""))
    return spans


def _said_expiry(value: str) -> bool:
    """Return True when ``value`` says a month then a year: "doce veintisiete", "twelve twenty
    seven", "12 27", "diciembre del 2027", "cero nueve veintiocho" (09/28)."""
    tokens = re.findall(r"[a-z]+|\d+", value)
    month = MONTHS.get(tokens[0]) if tokens else None
    numbers: list[int] = []
    words: list[str] = []
    for token in tokens[1:] if month is not None else tokens:
        if token.isdigit():
            numbers += read_chunks(words) if words else []
            words = []
            numbers.append(int(token))
        elif token in NUMBER_WORDS:
            words.append(token)
    numbers += read_chunks(words) if words else []
    if month is None:
        if len(numbers) > 1 and numbers[0] == 0:
            numbers = numbers[1:]  # "cero nueve": 09
        if not numbers or not 1 <= numbers[0] <= 12:
            return False
        numbers = numbers[1:]
    if numbers[:1] == [20] and len(numbers) > 1 and numbers[1] < 100:
        numbers = [2000 + numbers[1]]  # "twenty twenty-seven"
    return bool(numbers) and (numbers[0] < 100 or 2000 <= numbers[0] <= 2099)

"""Spoken numbers in Spanish and English, turned into digits.

A run of number words is read as a sequence of *chunks*: each chunk is one well-formed number
("ciento veinte mil", "thirty four") and a new chunk starts whenever the next word cannot extend
the current one ("uno cero dos" -> 1, 0, 2). Callers then read the run either as one value
(amounts: one chunk) or as a digit string (ids: the chunks' digits concatenated, which is how
people dictate a cédula: "diez veinte treinta y cuatro" -> "102034").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {
    "cero": 0,
    "uno": 1,
    "un": 1,
    "una": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "zero": 0,
    "oh": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
TEENS = {
    "diez": 10,
    "once": 11,
    "doce": 12,
    "trece": 13,
    "catorce": 14,
    "quince": 15,
    "dieciseis": 16,
    "diecisiete": 17,
    "dieciocho": 18,
    "diecinueve": 19,
    "veinte": 20,
    "veintiuno": 21,
    "veintiun": 21,
    "veintiuna": 21,
    "veintidos": 22,
    "veintitres": 23,
    "veinticuatro": 24,
    "veinticinco": 25,
    "veintiseis": 26,
    "veintisiete": 27,
    "veintiocho": 28,
    "veintinueve": 29,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "treinta": 30,
    "cuarenta": 40,
    "cincuenta": 50,
    "sesenta": 60,
    "setenta": 70,
    "ochenta": 80,
    "noventa": 90,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
HUNDREDS = {
    "cien": 100,
    "ciento": 100,
    "doscientos": 200,
    "doscientas": 200,
    "trescientos": 300,
    "trescientas": 300,
    "cuatrocientos": 400,
    "cuatrocientas": 400,
    "quinientos": 500,
    "quinientas": 500,
    "seiscientos": 600,
    "seiscientas": 600,
    "setecientos": 700,
    "setecientas": 700,
    "ochocientos": 800,
    "ochocientas": 800,
    "novecientos": 900,
    "novecientas": 900,
}
SCALES = {"mil": 1000, "thousand": 1000, "millon": 10**6, "millones": 10**6, "million": 10**6}
HUNDRED_EN = "hundred"
CONNECTORS = frozenset({"y", "and"})
# Words that are numbers only next to other number words ("un", "una" and "one" are articles or
# pronouns on their own; "oh" is an interjection).
AMBIGUOUS_ALONE = frozenset({"un", "una", "one", "oh"})
NUMBER_WORDS = (
    frozenset(UNITS)
    | frozenset(TEENS)
    | frozenset(TENS)
    | frozenset(HUNDREDS)
    | {
        HUNDRED_EN,
        *SCALES,
    }
)


@dataclass
class _Chunk:
    """One well-formed number being read."""

    total: int = 0  # completed part above the current thousand group
    group: int = 0  # value below 1000 being built
    last: str = ""  # kind of the last word: unit, teen, ten, hundred, scale
    digits_only: bool = True  # built from single digits only
    scale: int = 0  # the smallest scale word applied so far (0: none)

    @property
    def value(self) -> int:
        return self.total + self.group

    def accepts(self, kind: str) -> bool:
        """Return True when a word of this kind may extend the chunk."""
        if not self.last:
            return True
        below_hundred = self.group % 100
        if kind == "unit":
            after_ten = self.last == "ten" and below_hundred % 10 == 0  # treinta y CUATRO
            after_hundred = self.last in ("hundred", "scale") and below_hundred == 0
            return after_ten or after_hundred
        if kind in ("teen", "ten"):
            return self.last in ("hundred", "scale") and below_hundred == 0
        if kind == "hundred":
            return self.last == "scale" and self.group == 0
        if kind == "hundred_en":
            # "five hundred", "twelve hundred", "twenty five hundred": the group so far, times 100
            return self.last in ("unit", "teen", "ten") and 0 < self.group < 100
        return False  # scales are handled by read_chunks

    def add(self, kind: str, value: int) -> None:
        """Extend the chunk with one word."""
        if kind != "unit":
            self.digits_only = False
        if kind == "hundred_en":
            self.group *= 100
        elif kind == "scale":
            if self.total < value:  # "ciento veinte MIL": everything so far is multiplied
                self.total = (self.total + max(self.group, 1)) * value
            else:  # "dos millones trescientos MIL": only the group since the last scale
                self.total += max(self.group, 1) * value
            self.group = 0
            self.scale = min(self.scale or value, value)
        else:
            self.group += value
        self.last = "hundred" if kind == "hundred_en" else kind


def _kind(word: str) -> tuple[str, int] | None:
    if word in UNITS:
        return "unit", UNITS[word]
    if word in TEENS:
        return "teen", TEENS[word]
    if word in TENS:
        return "ten", TENS[word]
    if word in HUNDREDS:
        return "hundred", HUNDREDS[word]
    if word == HUNDRED_EN:
        return "hundred_en", 100
    if word in SCALES:
        return "scale", SCALES[word]
    return None


def read_chunks(words: list[str]) -> list[int]:
    """Read number words (already lower-case, accent-free) into a list of chunk values."""
    chunks: list[_Chunk] = []
    pending_connector = False
    for word in words:
        if word in CONNECTORS:
            pending_connector = True
            continue
        kind_value = _kind(word)
        if kind_value is None:
            continue
        kind, value = kind_value
        current = chunks[-1] if chunks else None
        if (
            kind == "scale"
            and current is not None
            and current.last != "scale"
            and (not current.scale or value < current.scale)
        ):  # "cuatro mil ciento once MIL ciento once": a second "mil" starts a new number
            current.add(kind, value)
        elif (
            current is not None
            and current.accepts(kind)
            and (not pending_connector or kind == "unit" or current.last in ("hundred", "scale"))
        ):  # "treinta y cuatro"; "nineteen hundred and fifty nine"
            current.add(kind, value)
        else:
            chunk = _Chunk()
            if kind in ("scale", "hundred_en"):
                chunk.group = 1  # "mil", "hundred" alone: one of them
            chunk.add(kind, value)
            chunks.append(chunk)
        pending_connector = False
    return [c.value for c in chunks]


_TOKEN = re.compile(r"\S+")
# "a hundred", "a thousand", "a million": the article is the number one.
_ARTICLE_SCALES = frozenset({HUNDRED_EN, "thousand", "million"})


def _articles_as_one(tokens: list[str]) -> list[str]:
    """Return ``tokens`` with "a" read as "one" before hundred, thousand or million."""
    following = [*tokens[1:], ""]
    return [
        "one" if token == "a" and following[i] in _ARTICLE_SCALES else token
        for i, token in enumerate(tokens)
    ]


def words_to_digits(text: str) -> str:
    """Replace each run of number words in normalised ``text`` with digits.

    A run of several chunks becomes their digits joined ("uno cero dos" -> "102"); a lone
    ambiguous word ("un", "one") is left alone.
    """
    tokens = _articles_as_one(text.split())
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] not in NUMBER_WORDS:
            out.append(tokens[i])
            i += 1
            continue
        j = i
        while j < len(tokens) and (
            tokens[j] in NUMBER_WORDS
            or (
                tokens[j] in CONNECTORS
                and j + 1 < len(tokens)
                and tokens[j + 1] in NUMBER_WORDS
                and j > i
            )
        ):
            j += 1
        run = tokens[i:j]
        if len(run) == 1 and (
            run[0] in AMBIGUOUS_ALONE or (run[0] in SCALES and out and out[-1][-1:].isdigit())
        ):
            out.append(run[0])  # "un", "one" alone; "mil" in "50 mil" is read with its digits
        else:
            out.append("".join(str(v) for v in read_chunks(run)))
        i = j
    return " ".join(out)


def number_breaks(text: str) -> str:
    """Return ``text`` with a comma between the numbers of a run of several, said one after the
    other ("not twelve six payments" -> "not twelve, six payments"): a correction said without a
    pause is two numbers, never the digits of one."""
    tokens = text.split()
    words = [token.strip(",.;:!?¿¡") for token in tokens]
    out: list[str] = []
    run: list[str] = []
    last = 0  # where in ``out`` the run's last number word is
    for token, word in zip(tokens, words, strict=True):
        if word in NUMBER_WORDS:
            if run and len(read_chunks([*run, word])) > len(read_chunks(run)):
                out[last] += "" if out[last].endswith(",") else ","  # the number before ends
            run.append(word)
            last = len(out)
        elif run and word in CONNECTORS:
            run.append(word)
        else:
            run = []
        out.append(token)
    return " ".join(out)


def spoken_value(text: str) -> int | None:
    """Return the value of a text made only of number words forming one number, else None."""
    tokens = _articles_as_one(text.split())
    words = [w for w in tokens if w not in CONNECTORS]
    if not words or any(w not in NUMBER_WORDS for w in words):
        return None
    chunks = read_chunks(tokens)
    return chunks[0] if len(chunks) == 1 else None


# Ordinal words as said for a day of the month ("december fourth", "the twenty first", "el
# primero de diciembre"). Only the date reader (:mod:`contactpro.nlu.dates`) reads them, where
# they can only be a day: elsewhere "the first one" or "cuarta cuota" stay words.
ORDINALS = {
    **{
        word: i + 1
        for i, word in enumerate(
            "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
            "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth "
            "twentieth".split()
        )
    },
    "thirtieth": 30,
    "primero": 1,
}
# "twenty first", "thirty first": a tens word (or its digits) before a first-to-ninth ordinal.
ORDINAL_TENS = {"twenty": 20, "thirty": 30, "20": 20, "30": 30}

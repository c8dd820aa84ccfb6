"""Measure transcript quality: text normalisation and word error rate (English and Spanish).

Normalisation makes written forms comparable before counting errors: case, punctuation,
apostrophes, digits ("3" and "three"), and the symbols Whisper likes to print (%, ×, =).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_EN_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_EN_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_EN_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred"))
_ES_UNITS = (
    "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince "
    "dieciséis diecisiete dieciocho diecinueve veinte veintiuno veintidós veintitrés "
    "veinticuatro veinticinco veintiséis veintisiete veintiocho veintinueve"
).split()
_ES_TENS = "_ _ _ treinta cuarenta cincuenta sesenta setenta ochenta noventa".split()
_ES_HUNDREDS = (
    "_ ciento doscientos trescientos cuatrocientos quinientos seiscientos setecientos "
    "ochocientos novecientos"
).split()
_SYMBOLS = {
    "en": {"%": " percent ", "×": " times ", "=": " equals ", "+": " plus ", "&": " and "},
    "es": {"%": " por ciento ", "×": " por ", "=": " igual a ", "+": " más ", "&": " y "},
}


def _en_words(n: int) -> str:
    if n < 20:
        return _EN_UNITS[n]
    if n < 100:
        return _EN_TENS[n // 10] + ("" if n % 10 == 0 else " " + _EN_UNITS[n % 10])
    for size, word in _EN_SCALES:
        if n >= size:
            rest = n % size
            return f"{_en_words(n // size)} {word}" + (f" {_en_words(rest)}" if rest else "")
    raise AssertionError(n)  # unreachable: every n >= 100 matches a size


def _es_words(n: int) -> str:
    if n < 30:
        return _ES_UNITS[n]
    if n < 100:
        return _ES_TENS[n // 10] + ("" if n % 10 == 0 else " y " + _ES_UNITS[n % 10])
    if n < 1000:
        if n == 100:
            return "cien"
        rest = n % 100
        return _ES_HUNDREDS[n // 100] + (f" {_es_words(rest)}" if rest else "")
    if n < 10**6:
        thousands, rest = divmod(n, 1000)
        head = "mil" if thousands == 1 else f"{_es_words(thousands)} mil"
        return head + (f" {_es_words(rest)}" if rest else "")
    millions, rest = divmod(n, 10**6)
    head = "un millón" if millions == 1 else f"{_es_words(millions)} millones"
    return head + (f" {_es_words(rest)}" if rest else "")


def number_words(n: int, language: str) -> str:
    """Spell a whole number in English or Spanish (``268`` -> ``two hundred sixty eight``)."""
    return _es_words(n) if language == "es" else _en_words(n)


def normalize_text(text: str, language: str) -> str:
    """Return lowercase words without punctuation, with digits and symbols spelled out."""
    text = unicodedata.normalize("NFKC", text).lower()
    for symbol, words in _SYMBOLS.get(language, _SYMBOLS["en"]).items():
        text = text.replace(symbol, words)
    text = re.sub(r"(?<=\d)[,.](?=\d{3}\b)", "", text)  # 600,000 -> 600000
    text = re.sub(r"\d+", lambda m: f" {number_words(int(m.group()), language)} ", text)
    text = re.sub(r"['’]", "", text)
    text = "".join(c if c.isalnum() or c.isspace() else " " for c in text)
    return " ".join(text.split())


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Return the word-level Levenshtein distance (substitutions, deletions, insertions)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, 1):
        current = [i]
        for j, hyp_word in enumerate(hypothesis, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word))
            )
        previous = current
    return previous[-1]


def word_error_rate(reference: str, hypothesis: str, language: str) -> float:
    """Return the word error rate of ``hypothesis`` against ``reference`` after normalising."""
    ref = normalize_text(reference, language).split()
    hyp = normalize_text(hypothesis, language).split()
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)


def corpus_word_error_rate(pairs: Sequence[tuple[str, str]], language: str) -> float:
    """Return total errors over total reference words for (reference, hypothesis) pairs."""
    errors = words = 0
    for reference, hypothesis in pairs:
        ref = normalize_text(reference, language).split()
        errors += edit_distance(ref, normalize_text(hypothesis, language).split())
        words += len(ref)
    return errors / words if words else 0.0

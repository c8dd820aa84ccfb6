"""Text folding shared by every tier: case, accents, punctuation, spoken numbers."""

from __future__ import annotations

import re
import unicodedata

from contactpro.nlu.numbers import words_to_digits

_PUNCT = re.compile(r"[^\w' ]+")
_LOOSE_PUNCT = re.compile(r"[^\w$.,/:' -]+")
# A dot, comma or slash that is not between two digits is punctuation, not a number separator.
_STRAY_SEPARATOR = re.compile(r"(?<!\d)[.,/:]|[.,/:](?!\d)")
_SPACES = re.compile(r"\s+")
_WORD_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")


def fold(text: str) -> str:
    """Lower-case and strip accents (ñ becomes n), keeping punctuation."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def normalise(text: str) -> str:
    """Fold, drop punctuation and collapse whitespace: the form the word rules match."""
    return _SPACES.sub(" ", _PUNCT.sub(" ", fold(text))).strip()


def numeric_form(text: str) -> str:
    """Fold, keep number separators and ``$``, and turn spoken numbers into digits."""
    loose = _STRAY_SEPARATOR.sub(" ", _LOOSE_PUNCT.sub(" ", _WORD_HYPHEN.sub(" ", fold(text))))
    return words_to_digits(_SPACES.sub(" ", loose).strip())


# Sounds with no meaning, dropped wherever they are: "eh", "um", "mmm".
_DISFLUENCY = re.compile(
    r"(?<![\w'])(?:e+h+|e+m+h*|u+h+|u+m+|u+h+m+|m{2,}|h+m+|a+h+|e+r+m*)(?![\w'])[.,…]*",
    re.IGNORECASE,
)
# Words that open speech before what is meant ("pues este quiero cancelar", "so like my internet
# is down"): dropped at the start only, and only when words follow. "Este" opens only after
# another of them or before a pause ("este... cuánto debo"): "este mes" means this month.
_OPENERS = frozenset("pues mire mira oiga oye vea so well like entonces".split())
_TWO_WORD_OPENERS = ("o sea", "a ver", "you know", "i mean")


def without_fillers(text: str) -> str:
    """Return ``text`` without the fillers of speech: sounds such as "eh", "um" anywhere, and
    the opening words that carry nothing ("pues este", "so uh", "o sea"); "ok" and "bueno" are
    answers and stay. Nothing is dropped when only fillers were said ("hmm", "pues")."""
    plain = _SPACES.sub(" ", _DISFLUENCY.sub(" ", text)).strip()
    words = plain.split(" ")
    start, opened = 0, False
    while start < len(words) - 1:
        word = normalise(words[start])
        pair = normalise(" ".join(words[start : start + 2]))
        if pair in _TWO_WORD_OPENERS and start < len(words) - 2:
            start, opened = start + 2, True
        elif word in _OPENERS or (
            word == "este" and (opened or words[start].rstrip().endswith((",", ".", "…")))
        ):
            start, opened = start + 1, True
        else:
            break
    rest = " ".join(words[start:]).lstrip(" ,.…")
    return rest if normalise(rest) else text

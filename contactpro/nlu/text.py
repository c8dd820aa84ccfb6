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

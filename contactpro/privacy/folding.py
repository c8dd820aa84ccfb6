"""Accent- and case-folding that keeps every character where it was."""

from __future__ import annotations

import unicodedata


def fold_in_place(text: str) -> str:
    """Lower-case ``text`` and strip accents, one character for one, so spans match the input.

    ``"Código"`` becomes ``"codigo"``; a character whose folded form is not one character
    (a ligature, say) is only lower-cased, so an index into the result is an index into ``text``.
    """
    out = []
    for ch in text:
        bare = "".join(
            c for c in unicodedata.normalize("NFKD", ch.lower()) if not unicodedata.combining(c)
        )
        out.append(bare if len(bare) == 1 else ch.lower() if len(ch.lower()) == 1 else ch)
    return "".join(out)

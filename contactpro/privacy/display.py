"""Masks for showing identifiers to people who do not need them in full."""

from __future__ import annotations

VISIBLE_CHARS = 4


def mask_identifier(value: str | None, visible: int = VISIBLE_CHARS) -> str:
    """Hide all but the last ``visible`` letters or digits: ``1.020.345.678`` -> ``******5678``.

    Separators are dropped so the mask does not reveal the layout; a value of ``visible``
    characters or fewer is hidden entirely.
    """
    chars = [ch for ch in (value or "") if ch.isalnum()]
    if len(chars) <= visible:
        return "*" * len(chars)
    return "*" * (len(chars) - visible) + "".join(chars[-visible:])

"""Console strings in Spanish and English; ``t(key)`` in templates picks the request's language.

The strings live in ``contactpro/data/console/{es,en}.toml`` (:mod:`contactpro.console.strings`).
"""

from __future__ import annotations

from contactpro.console.strings import console_strings

STRINGS: dict[str, dict[str, str]] = console_strings()


def translate(key: str, language: str) -> str:
    """Return the string for ``key`` in ``language`` (English, then the key, as fallbacks)."""
    entry = STRINGS.get(key)
    if entry is None:
        return key
    return entry.get(language) or entry.get("en") or key

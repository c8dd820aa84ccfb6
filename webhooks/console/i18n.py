"""Console strings in Spanish and English; ``t(key)`` in templates picks the request's language.

The strings live in ``contactpro/data/console/{es,en}.toml`` (:mod:`contactpro.console.strings`).
"""

from __future__ import annotations

from contactpro.console.strings import console_strings, translate

STRINGS: dict[str, dict[str, str]] = console_strings()

__all__ = ["STRINGS", "translate"]

"""The console's own text (agent and manager pages), one TOML catalogue per language.

The files are ``contactpro/data/console/{es,en}.toml``, read by the loader of the caller-facing
catalogue (:func:`~contactpro.dialog.templates.load_catalogue`); both hold the same keys.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from contactpro.config import LANGUAGES
from contactpro.dialog.templates import load_catalogue
from contactpro.errors import ConfigError

STRINGS_DIR = Path(__file__).resolve().parents[1] / "data" / "console"


@lru_cache(maxsize=1)
def console_strings() -> dict[str, dict[str, str]]:
    """Return key -> language -> text (read once per process)."""
    catalogues = {
        language: load_catalogue(STRINGS_DIR / f"{language}.toml") for language in LANGUAGES
    }
    missing = set(catalogues["es"]) ^ set(catalogues["en"])
    if missing:
        raise ConfigError(f"console strings missing in one language: {sorted(missing)}")
    return {
        key: {language: str(catalogues[language][key]) for language in LANGUAGES}
        for key in catalogues["es"]
    }


def translate(key: str, language: str) -> str:
    """Return the string for ``key`` in ``language`` (English, then the key, as fallbacks)."""
    entry = console_strings().get(key)
    if entry is None:
        return key
    return entry.get(language) or entry.get("en") or key

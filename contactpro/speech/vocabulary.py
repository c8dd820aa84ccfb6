"""Domain vocabulary Whisper reads before each stretch of speech (its initial prompt)."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from contactpro.config import Settings

PROMPTS_FILE = Path(__file__).resolve().parent.parent / "data" / "speech" / "prompts.toml"


@lru_cache(maxsize=4)
def _prompts(path: Path) -> dict[str, str]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return {lang: str(table.get("prompt", "")).strip() for lang, table in data.items()}


def initial_prompt(settings: Settings, language: str, path: Path = PROMPTS_FILE) -> str:
    """Return the call-center vocabulary for ``language`` ("" when prompting is off)."""
    if not settings.whisper_prompt:
        return ""
    return _prompts(path).get(language, "")

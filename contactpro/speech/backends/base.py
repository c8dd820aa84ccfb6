"""What every transcription backend shares: the interface and Whisper's decoding helpers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from contactpro.errors import ConfigError
from contactpro.speech.audio import FloatArray
from contactpro.speech.transcript import Segment

# Whisper's fallback: decode at temperature 0, retry hotter when the output looks degenerate.
TEMPERATURES: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


@runtime_checkable
class Transcriber(Protocol):
    """Turn speech into timed text with one loaded model."""

    backend: str
    model: str
    multilingual: bool

    def detect_language(self, audio: FloatArray, candidates: Sequence[str]) -> tuple[str, float]:
        """Return the most likely of ``candidates`` and its probability among them."""
        ...

    def transcribe(self, audio: FloatArray, *, language: str, prompt: str = "") -> list[Segment]:
        """Return the segments of 16 kHz mono speech, timed from its start, without speaker.

        ``prompt`` is read as the text said before: domain vocabulary the decoder should expect.
        """
        ...


def restrict_languages(
    probabilities: Mapping[str, float], candidates: Sequence[str]
) -> tuple[str, float]:
    """Pick the most probable of ``candidates``, renormalised over the candidates only."""
    scores = {lang: float(probabilities.get(lang, 0.0)) for lang in candidates}
    total = sum(scores.values())
    best = max(candidates, key=lambda lang: scores[lang])
    return best, (scores[best] / total if total > 0 else 1.0 / len(candidates))


def english_only_language(model: str, candidates: Sequence[str]) -> tuple[str, float]:
    """Return English for an English-only model, or fail if English is not a candidate."""
    if "en" not in candidates:
        raise ConfigError(
            f"model {model!r} is English-only but the call may be in {', '.join(candidates)}; "
            "configure a multilingual model (CONTACTPRO_WHISPER_MODEL)",
            reason="model_language_mismatch",
        )
    return "en", 1.0

"""Transcription backends behind one interface, chosen by ``CONTACTPRO_TRANSCRIBER``.

``faster-whisper`` (CTranslate2, the default), ``openai-whisper`` (PyTorch) and ``fake``
(deterministic, for tests and demos) all take 16 kHz mono float32 speech and return segments
timed from its start. Twilio's own ``<Gather>`` speech result is not audio; it becomes a
transcript through :func:`contactpro.speech.backends.twilio_gather.transcript_from_gather`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Protocol, runtime_checkable

from contactpro.config import Settings
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

    def transcribe(self, audio: FloatArray, *, language: str) -> list[Segment]:
        """Return the segments of 16 kHz mono speech, timed from its start, without speaker."""
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


_LOCK = threading.Lock()


def load_transcriber(settings: Settings, model: str | None = None) -> Transcriber:
    """Return the transcriber for ``model`` (default: the configured one), loading it once."""
    with _LOCK:  # two threads of one worker must not load the same weights twice
        return _load(settings.transcriber, model or settings.whisper_model, settings)


@lru_cache(maxsize=8)
def _load(backend: str, model: str, settings: Settings) -> Transcriber:
    if backend == "faster-whisper":
        from contactpro.speech.backends.ctranslate2_whisper import FasterWhisperTranscriber

        return FasterWhisperTranscriber.from_settings(model, settings)
    if backend == "openai-whisper":
        from contactpro.speech.backends.torch_whisper import OpenAIWhisperTranscriber

        return OpenAIWhisperTranscriber.from_settings(model, settings)
    if backend == "fake":
        from contactpro.speech.backends.fake import FakeTranscriber

        return FakeTranscriber(model=model)
    raise ConfigError(f"unknown transcriber backend {backend!r}")


def clear_transcriber_cache() -> None:
    """Forget loaded models (tests, or after changing weights on disk)."""
    _load.cache_clear()

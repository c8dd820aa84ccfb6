"""Transcription backends behind one interface, chosen by ``CONTACTPRO_TRANSCRIBER``.

``faster-whisper`` (CTranslate2, the default), ``openai-whisper`` (PyTorch) and ``fake``
(deterministic, for tests and demos) all take 16 kHz mono float32 speech and return segments
timed from its start. Twilio's own ``<Gather>`` speech result is not audio; it becomes a
transcript through :func:`contactpro.speech.backends.twilio_gather.transcript_from_gather`.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from contactpro.config import Settings
from contactpro.errors import ConfigError
from contactpro.speech.backends.base import (
    TEMPERATURES,
    Transcriber,
    english_only_language,
    restrict_languages,
)
from contactpro.speech.backends.ctranslate2_whisper import FasterWhisperTranscriber
from contactpro.speech.backends.fake import FakeTranscriber
from contactpro.speech.backends.torch_whisper import OpenAIWhisperTranscriber

__all__ = [
    "TEMPERATURES",
    "FakeTranscriber",
    "FasterWhisperTranscriber",
    "OpenAIWhisperTranscriber",
    "Transcriber",
    "clear_transcriber_cache",
    "english_only_language",
    "load_transcriber",
    "restrict_languages",
]

_LOCK = threading.Lock()


def load_transcriber(settings: Settings, model: str | None = None) -> Transcriber:
    """Return the transcriber for ``model`` (default: the configured one), loading it once."""
    with _LOCK:  # two threads of one worker must not load the same weights twice
        return _load(settings.transcriber, model or settings.whisper_model, settings)


@lru_cache(maxsize=8)
def _load(backend: str, model: str, settings: Settings) -> Transcriber:
    if backend == "faster-whisper":
        return FasterWhisperTranscriber.from_settings(model, settings)
    if backend == "openai-whisper":
        return OpenAIWhisperTranscriber.from_settings(model, settings)
    if backend == "fake":
        return FakeTranscriber(model=model)
    raise ConfigError(f"unknown transcriber backend {backend!r}")


def clear_transcriber_cache() -> None:
    """Forget loaded models (tests, or after changing weights on disk)."""
    _load.cache_clear()

"""A deterministic transcriber for tests and demos: no model, same words every time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from contactpro.speech.audio import TARGET_RATE, FloatArray
from contactpro.speech.transcript import Segment

DEFAULT_TEXTS: Mapping[str, str] = {
    "es": "Hola, quiero consultar el saldo de mi factura.",
    "en": "Hello, I would like to check my bill.",
}


class FakeTranscriber:
    """Return one fixed sentence per language for any speech it is given.

    The pipeline still runs voice activity detection first, so silence stays empty and the
    fake exercises everything around the model.
    """

    backend = "fake"
    multilingual = True

    def __init__(
        self,
        texts: Mapping[str, str] | None = None,
        *,
        model: str = "fake",
        language: str | None = None,
    ) -> None:
        self.texts = dict(texts or DEFAULT_TEXTS)
        self.model = model
        self.language = language
        self.calls: list[tuple[float, str]] = []
        self.prompts: list[str] = []

    def detect_language(self, audio: FloatArray, candidates: Sequence[str]) -> tuple[str, float]:
        """Return the configured language (sure) if it is a candidate, else the first candidate
        as an even guess: a fake told no language cannot tell one from another."""
        if self.language in candidates:
            return str(self.language), 1.0
        return candidates[0], 1.0 / len(candidates)

    def transcribe(self, audio: FloatArray, *, language: str, prompt: str = "") -> list[Segment]:
        """Return one segment spanning the audio with this language's sentence."""
        duration = audio.size / TARGET_RATE
        self.calls.append((duration, language))
        self.prompts.append(prompt)
        text = self.texts.get(language, "")
        return [Segment(start=0.0, end=duration, text=text)] if text and duration else []

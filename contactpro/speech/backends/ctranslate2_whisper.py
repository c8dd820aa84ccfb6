"""The default backend: faster-whisper on CTranslate2 (int8 on CPU, configurable threads)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from contactpro.config import Settings
from contactpro.speech.audio import FloatArray
from contactpro.speech.backends.base import (
    TEMPERATURES,
    english_only_language,
    restrict_languages,
)
from contactpro.speech.models import resolve_ctranslate2_model
from contactpro.speech.transcript import Segment

if TYPE_CHECKING:
    from faster_whisper import WhisperModel


class FasterWhisperTranscriber:
    """Transcribe with a CTranslate2 Whisper model through faster-whisper."""

    backend = "faster-whisper"

    def __init__(
        self,
        model: WhisperModel,
        *,
        name: str,
        beam_size: int = 5,
        temperature: tuple[float, ...] = TEMPERATURES,
    ) -> None:
        self._model = model
        self.model = name
        self.multilingual = bool(model.model.is_multilingual)
        self.beam_size = beam_size
        self.temperature = temperature

    @classmethod
    def from_settings(
        cls, name_or_path: str, settings: Settings, **options: Any
    ) -> FasterWhisperTranscriber:
        """Resolve the model offline and load it with the configured device, type and threads."""
        from faster_whisper import WhisperModel

        location = resolve_ctranslate2_model(name_or_path, settings)
        model = WhisperModel(
            str(location.path),
            device=settings.whisper_device,
            compute_type=settings.whisper_compute_type,
            cpu_threads=settings.whisper_threads,
            local_files_only=True,
        )
        options.setdefault("beam_size", settings.whisper_beam_size)
        return cls(model, name=location.name, **options)

    def detect_language(self, audio: FloatArray, candidates: Sequence[str]) -> tuple[str, float]:
        """Return the most likely of ``candidates`` (English for English-only models)."""
        if not self.multilingual:
            return english_only_language(self.model, candidates)
        _, _, probabilities = self._model.detect_language(audio=audio)
        return restrict_languages(dict(probabilities), candidates)

    def transcribe(self, audio: FloatArray, *, language: str, prompt: str = "") -> list[Segment]:
        """Decode speech with beam search and temperature fallback."""
        if not self.multilingual and language != "en":
            english_only_language(self.model, (language,))
        segments, _ = self._model.transcribe(
            audio,
            language=language,
            task="transcribe",
            temperature=list(self.temperature),
            beam_size=self.beam_size,
            initial_prompt=prompt or None,
            vad_filter=False,  # the pipeline has already cut silence out
            # Not conditioning on earlier text stops one misheard phrase from repeating.
            condition_on_previous_text=False,
        )
        return [
            Segment(
                start=float(s.start),
                end=float(s.end),
                text=s.text.strip(),
                avg_logprob=float(s.avg_logprob),
                no_speech_prob=float(s.no_speech_prob),
            )
            for s in segments
        ]

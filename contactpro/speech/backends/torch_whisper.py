"""The openai-whisper backend (PyTorch), for teams that already run it."""

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
from contactpro.speech.models import resolve_openai_model
from contactpro.speech.transcript import Segment

if TYPE_CHECKING:
    from whisper.model import Whisper


class OpenAIWhisperTranscriber:
    """Transcribe with ``whisper.load_model(name_or_path)``."""

    backend = "openai-whisper"

    def __init__(
        self,
        model: Whisper,
        *,
        name: str,
        beam_size: int = 5,
        temperature: tuple[float, ...] = TEMPERATURES,
    ) -> None:
        self._model = model
        self.model = name
        self.multilingual = bool(model.is_multilingual)
        self.beam_size = beam_size
        self.temperature = temperature

    @classmethod
    def from_settings(
        cls, name_or_path: str, settings: Settings, **options: Any
    ) -> OpenAIWhisperTranscriber:
        """Resolve the checkpoint offline and load it on the configured device and threads."""
        import torch
        import whisper

        location = resolve_openai_model(name_or_path, settings)
        if settings.whisper_threads:
            torch.set_num_threads(settings.whisper_threads)
        if location.source == "cache":  # by name: whisper checks the file's sha256 itself
            model = whisper.load_model(
                location.name,
                device=settings.whisper_device,
                download_root=str(location.path.parent),
            )
        else:
            model = whisper.load_model(str(location.path), device=settings.whisper_device)
        options.setdefault("beam_size", settings.whisper_beam_size)
        return cls(model, name=location.name, **options)

    def detect_language(self, audio: FloatArray, candidates: Sequence[str]) -> tuple[str, float]:
        """Return the most likely of ``candidates`` from the first 30 s of speech."""
        import whisper

        if not self.multilingual:
            return english_only_language(self.model, candidates)
        mel = whisper.log_mel_spectrogram(
            whisper.pad_or_trim(audio), n_mels=self._model.dims.n_mels
        ).to(self._model.device)
        _, probabilities = self._model.detect_language(mel)
        assert isinstance(probabilities, dict)  # one mel in, one mapping out
        return restrict_languages(probabilities, candidates)

    def transcribe(self, audio: FloatArray, *, language: str, prompt: str = "") -> list[Segment]:
        """Decode speech with beam search and temperature fallback, in float32 on CPU."""
        if not self.multilingual and language != "en":
            english_only_language(self.model, (language,))
        result: dict[str, Any] = self._model.transcribe(
            audio,
            language=language,
            task="transcribe",
            temperature=self.temperature,
            beam_size=self.beam_size,
            best_of=self.beam_size,
            initial_prompt=prompt or None,
            fp16=self._model.device.type == "cuda",
            condition_on_previous_text=False,
            verbose=None,
        )
        return [
            Segment(
                start=float(s["start"]),
                end=float(s["end"]),
                text=str(s["text"]).strip(),
                avg_logprob=float(s["avg_logprob"]),
                no_speech_prob=float(s["no_speech_prob"]),
            )
            for s in result["segments"]
        ]

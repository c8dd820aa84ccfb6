"""The conversation's language is a hint: speech confidently in another language is transcribed
in that language (never translated), and the language used is kept with the transcript."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from contactpro.config import Settings
from contactpro.speech.audio import FloatArray
from contactpro.speech.backends import Transcriber
from contactpro.speech.backends.fake import FakeTranscriber
from contactpro.speech.pipeline import CONFIDENT_DETECTION, transcribe_audio_bytes

Loader = Callable[[str], bytes]


class UnsureFake(FakeTranscriber):
    """A fake whose detection names its language with the given probability."""

    def __init__(self, language: str, probability: float) -> None:
        super().__init__(language=language)
        self.probability = probability

    def detect_language(self, audio: FloatArray, candidates: Sequence[str]) -> tuple[str, float]:
        return str(self.language), self.probability


@pytest.mark.parametrize(("hint", "spoken"), [("es", "en"), ("en", "es")])
def test_confident_detection_wins_over_the_calls_language(
    phone_clip: Loader, speech_settings: Settings, hint: str, spoken: str
) -> None:
    fake = FakeTranscriber(language=spoken)
    transcript = transcribe_audio_bytes(
        phone_clip("en_cheetah_platforms.wav"),
        settings=speech_settings,
        language_hint=hint,
        transcriber=fake,
    )
    assert transcript.language == spoken
    assert [language for _, language in fake.calls] == [spoken]
    assert transcript.text == fake.texts[spoken]


@pytest.mark.parametrize(("hint", "heard"), [("es", "en"), ("en", "es")])
def test_unsure_detection_keeps_the_calls_language(
    phone_clip: Loader, speech_settings: Settings, hint: str, heard: str
) -> None:
    fake = UnsureFake(heard, CONFIDENT_DETECTION - 0.2)
    transcript = transcribe_audio_bytes(
        phone_clip("en_cheetah_platforms.wav"),
        settings=speech_settings,
        language_hint=hint,
        transcriber=fake,
    )
    assert transcript.language == hint
    assert [language for _, language in fake.calls] == [hint]


def test_a_forced_language_is_still_forced(phone_clip: Loader, speech_settings: Settings) -> None:
    fake = FakeTranscriber(language="en")
    transcript = transcribe_audio_bytes(
        phone_clip("en_cheetah_platforms.wav"),
        settings=speech_settings,
        language="es",
        transcriber=fake,
    )
    assert transcript.language == "es" and [lang for _, lang in fake.calls] == ["es"]


@pytest.mark.slow
def test_english_said_in_a_spanish_call_is_transcribed_in_english(
    phone_clip: Loader, speech_settings: Settings, base_model: Transcriber
) -> None:
    transcript = transcribe_audio_bytes(
        phone_clip("en_cheetah_platforms.wav"),
        settings=speech_settings,
        language_hint="es",
        transcriber=base_model,
    )
    assert transcript.language == "en"
    assert transcript.language_probability is not None
    assert transcript.language_probability >= CONFIDENT_DETECTION
    words = transcript.text.lower()
    assert "platform" in words and "plataforma" not in words

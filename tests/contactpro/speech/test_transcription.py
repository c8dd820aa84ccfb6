"""End to end with the packaged models: accuracy on phone audio, silence, speakers, language."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from contactpro.config import Settings
from contactpro.errors import AudioDecodeError, ConfigError
from contactpro.speech.audio import Audio, to_phone_wav
from contactpro.speech.backends import Transcriber
from contactpro.speech.backends.fake import FakeTranscriber
from contactpro.speech.pipeline import transcribe_audio, transcribe_audio_bytes
from contactpro.speech.quality import word_error_rate
from contactpro.speech.transcript import Segment

pytestmark = pytest.mark.slow

Loader = Callable[[str], bytes]


def _phone(samples: np.ndarray) -> bytes:
    return to_phone_wav(Audio(samples.astype(np.float32)[None, :], 16000))


def test_english_on_phone_audio_with_tiny_en(
    phone_clip: Loader, references: dict[str, str], speech_settings: Settings, tiny_en: Transcriber
) -> None:
    transcript = transcribe_audio_bytes(
        phone_clip("en_cheetah_platforms.wav"),
        settings=speech_settings,
        language="en",
        transcriber=tiny_en,
    )
    wer = word_error_rate(references["en_cheetah_platforms.wav"], transcript.text, "en")
    assert wer <= 0.10, transcript.text
    assert (transcript.model, transcript.backend, transcript.language) == (
        "tiny.en",
        "faster-whisper",
        "en",
    )
    first = transcript.segments[0]
    assert 0.0 <= first.start < first.end <= transcript.duration + 0.01
    assert -1.0 < first.avg_logprob <= 0.0 and 0.0 <= first.no_speech_prob < 0.5


def test_spanish_on_phone_audio_with_base_detects_the_language(
    phone_clip: Loader,
    references: dict[str, str],
    speech_settings: Settings,
    base_model: Transcriber,
) -> None:
    transcript = transcribe_audio_bytes(
        phone_clip("es_cheetah_numero.wav"), settings=speech_settings, transcriber=base_model
    )
    assert transcript.language == "es"
    assert transcript.language_probability is not None and transcript.language_probability > 0.9
    # The reference has a stray word ("de"), so a perfect transcript still scores 1/9.
    assert word_error_rate(references["es_cheetah_numero.wav"], transcript.text, "es") <= 0.30


def test_detection_is_restricted_to_configured_languages(
    phone_clip: Loader, base_model: Transcriber
) -> None:
    audio = phone_clip("es_cheetah_numero.wav")
    from contactpro.speech.audio import decode_audio, prepare

    speech = prepare(decode_audio(audio))[0]
    language, probability = base_model.detect_language(speech, ("en", "fr"))
    assert language in ("en", "fr") and 0.0 < probability <= 1.0


def test_dual_channel_recording_yields_caller_and_agent(
    phone_clip: Loader,
    references: dict[str, str],
    speech_settings: Settings,
    base_model: Transcriber,
) -> None:
    transcript = transcribe_audio_bytes(
        phone_clip("en_stereo_diarization.wav"),
        settings=speech_settings,
        language="en",
        transcriber=base_model,
    )
    assert transcript.speakers == ("caller", "agent")
    caller = transcript.text_by("caller")
    agent = transcript.text_by("agent")
    assert word_error_rate(references["en_stereo_diarization.wav#left"], caller, "en") <= 0.2
    assert word_error_rate(references["en_stereo_diarization.wav#right"], agent, "en") <= 0.2
    starts = [s.start for s in transcript.segments]
    assert starts == sorted(starts)


def test_silence_and_white_noise_give_an_empty_transcript(
    speech_settings: Settings, base_model: Transcriber
) -> None:
    rng = np.random.default_rng(11)
    cases = {
        "silence": np.zeros(16000 * 8),
        "white noise": rng.normal(0, 0.1, 16000 * 8),
        "hum and hiss": 0.05 * np.sin(2 * np.pi * 60 * np.arange(16000 * 8) / 16000)
        + rng.normal(0, 0.01, 16000 * 8),
    }
    for name, samples in cases.items():
        transcript = transcribe_audio_bytes(
            _phone(samples), settings=speech_settings, transcriber=base_model
        )
        assert transcript.segments == () and transcript.text == "", name
        assert transcript.duration == pytest.approx(8.0)


def test_speech_after_silence_keeps_its_original_timing(
    clip_audio: Callable[[str], Audio], speech_settings: Settings, tiny_en: Transcriber
) -> None:
    speech = clip_audio("en_cheetah_platforms.wav").channel(0)
    padded = np.concatenate([np.zeros(16000 * 5, dtype=np.float32), speech])
    transcript = transcribe_audio_bytes(
        _phone(padded), settings=speech_settings, language="en", transcriber=tiny_en
    )
    assert "platforms" in transcript.text.lower()
    assert 4.5 <= transcript.segments[0].start <= 6.0  # the clip's speech begins ~0.5 s in


def test_english_only_model_refuses_spanish(
    phone_clip: Loader, speech_settings: Settings, tiny_en: Transcriber
) -> None:
    with pytest.raises(ConfigError) as info:
        transcribe_audio_bytes(
            phone_clip("es_cheetah_numero.wav"),
            settings=speech_settings,
            language="es",
            transcriber=tiny_en,
        )
    assert info.value.reason == "model_language_mismatch"


def test_configured_models_are_routed_per_language(
    phone_clip: Loader, speech_settings: Settings, tiny_en: Transcriber, base_model: Transcriber
) -> None:
    from dataclasses import replace

    settings = replace(speech_settings, whisper_model="base", whisper_model_en="tiny.en")
    english = transcribe_audio_bytes(phone_clip("en_cheetah_platforms.wav"), settings=settings)
    spanish = transcribe_audio_bytes(phone_clip("es_cheetah_numero.wav"), settings=settings)
    assert (english.language, english.model) == ("en", "tiny.en")
    assert (spanish.language, spanish.model) == ("es", "base")


def test_undecodable_bytes_fail_before_any_model_runs(speech_settings: Settings) -> None:
    fake = FakeTranscriber()
    for payload, reason in ((b"", "audio_empty"), (b"not audio at all" * 50, "audio_undecodable")):
        with pytest.raises(AudioDecodeError) as info:
            transcribe_audio_bytes(payload, settings=speech_settings, transcriber=fake)
        assert info.value.reason == reason
    assert fake.calls == []


def test_fake_transcriber_runs_the_whole_pipeline(
    phone_clip: Loader, speech_settings: Settings
) -> None:
    fake = FakeTranscriber(language="es")
    transcript = transcribe_audio_bytes(
        phone_clip("en_stereo_diarization.wav"), settings=speech_settings, transcriber=fake
    )
    assert transcript.backend == "fake" and transcript.language == "es"
    assert transcript.speakers == ("caller", "agent")
    assert all(
        s.text == "Hola, quiero consultar el saldo de mi factura." for s in transcript.segments
    )
    silent = transcribe_audio(
        Audio(np.zeros((1, 16000), dtype=np.float32), 16000),
        settings=speech_settings,
        transcriber=fake,
    )
    assert silent.is_empty and len(fake.calls) == 2  # one call per leg, none for silence


class _Hallucinating(FakeTranscriber):
    """Return what Whisper returns for noise it failed to reject, plus a broken segment."""

    def transcribe(self, audio: np.ndarray, *, language: str, prompt: str = "") -> list[Segment]:
        end = audio.size / 16000
        return [
            Segment(0.0, end, "Thank you.", avg_logprob=-1.4, no_speech_prob=0.9),
            Segment(0.0, end, "???", avg_logprob=float("nan"), no_speech_prob=float("nan")),
            Segment(0.0, end, "real words", avg_logprob=-0.3, no_speech_prob=0.7),
        ]


def test_segments_whisper_marks_as_no_speech_are_dropped(
    phone_clip: Loader, speech_settings: Settings
) -> None:
    transcript = transcribe_audio_bytes(
        phone_clip("en_cheetah_platforms.wav"),
        settings=speech_settings,
        language="en",
        transcriber=_Hallucinating(),
    )
    assert [s.text for s in transcript.segments] == ["real words"]

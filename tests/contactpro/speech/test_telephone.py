"""Phone-audio shaping and the call-center prompt, through the pipeline with a recording fake."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from contactpro.errors import ConfigError
from contactpro.speech.audio import Audio, decode_audio, to_phone_wav
from contactpro.speech.backends.fake import FakeTranscriber
from contactpro.speech.pipeline import transcribe_audio
from contactpro.speech.quality import normalize_text
from contactpro.speech.telephone import PhoneShaping, condition, is_narrowband, slow_down
from contactpro.speech.vocabulary import initial_prompt

from .conftest import SPEECH_DATA, make_settings

RATE = 16_000


def _clip(name: str) -> Audio:
    return decode_audio((SPEECH_DATA / name).read_bytes())


def _phone(name: str) -> Audio:
    return decode_audio(to_phone_wav(_clip(name)))


def test_condition_brings_quiet_speech_to_the_peak_and_leaves_silence_alone() -> None:
    t = np.arange(RATE) / RATE
    quiet = (0.05 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    shaped = condition(quiet, PhoneShaping(peak=0.9))
    assert np.max(np.abs(shaped)) == pytest.approx(0.9, abs=1e-3)
    silence = np.zeros(RATE, dtype=np.float32)
    assert not np.any(condition(silence, PhoneShaping(peak=0.9)))


def test_high_pass_removes_mains_hum_and_keeps_the_voice_band() -> None:
    t = np.arange(RATE) / RATE
    hum = np.sin(2 * np.pi * 50 * t).astype(np.float32)
    voice = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    filtered_hum = condition(hum, PhoneShaping(highpass_hz=80.0, peak=0.0))
    filtered_voice = condition(voice, PhoneShaping(highpass_hz=80.0, peak=0.0))
    assert np.std(filtered_hum) < 0.3 * np.std(hum)
    assert np.std(filtered_voice) > 0.95 * np.std(voice)
    unfiltered = condition(hum, PhoneShaping(highpass_hz=0.0, peak=0.0))
    assert np.array_equal(unfiltered, hum)


def test_slow_down_lengthens_by_the_tempo() -> None:
    speech = np.ones(9 * RATE // 10, dtype=np.float32)
    assert slow_down(speech, 0.9).size == RATE
    assert slow_down(speech, 1.0) is speech


def test_only_phone_rate_audio_is_narrowband() -> None:
    assert is_narrowband(8000) and not is_narrowband(16000) and not is_narrowband(48000)


def test_phone_audio_is_slowed_and_times_map_back(tmp_path: Path) -> None:
    audio = _phone("en_cheetah_platforms.wav")
    fake = FakeTranscriber()
    slowed = transcribe_audio(
        audio, settings=make_settings(tmp_path), language="en", transcriber=fake
    )
    plain = transcribe_audio(
        audio,
        settings=make_settings(tmp_path, whisper_phone_tempo=1.0),
        language="en",
        transcriber=fake,
    )
    (slowed_seconds, _), (plain_seconds, _) = fake.calls
    assert slowed_seconds == pytest.approx(plain_seconds / 0.9, rel=0.01)
    # Segment times are in the recording's own clock whatever the tempo.
    assert slowed.segments[0].end == pytest.approx(plain.segments[0].end, abs=0.05)
    assert slowed.segments[0].end <= audio.duration + 0.01


def test_wideband_audio_is_not_shaped(tmp_path: Path) -> None:
    fake = FakeTranscriber()
    settings = make_settings(tmp_path)
    transcribe_audio(_clip("en_cheetah_platforms.wav"), settings=settings, transcriber=fake)
    transcribe_audio(
        _clip("en_cheetah_platforms.wav"),
        settings=make_settings(tmp_path, whisper_phone_tempo=1.0),
        transcriber=fake,
    )
    assert fake.calls[0][0] == pytest.approx(fake.calls[1][0])


@pytest.mark.parametrize(
    ("language", "words"), [("es", ("factura", "cuotas")), ("en", ("bill", "agent"))]
)
def test_the_call_center_prompt_reaches_the_model_in_the_call_language(
    tmp_path: Path, language: str, words: tuple[str, ...]
) -> None:
    fake = FakeTranscriber()
    audio = _phone("en_cheetah_platforms.wav")
    transcribe_audio(audio, settings=make_settings(tmp_path), language=language, transcriber=fake)
    assert all(word in fake.prompts[-1] for word in words)
    off = make_settings(tmp_path, whisper_prompt=False)
    transcribe_audio(audio, settings=off, language=language, transcriber=fake)
    assert fake.prompts[-1] == ""
    assert initial_prompt(off, language) == ""


def test_prompts_share_no_content_word_with_the_measured_clips(
    tmp_path: Path, references: dict[str, str]
) -> None:
    settings = make_settings(tmp_path)
    for name, text in references.items():
        language = name[:2]
        prompt = set(normalize_text(initial_prompt(settings, language), language).split())
        content = {w for w in normalize_text(text, language).split() if len(w) >= 5}
        assert not content & prompt, name


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("whisper_phone_tempo", 0.2),
        ("whisper_phone_peak", 1.5),
        ("whisper_phone_highpass_hz", -1),
    ],
)
def test_bad_phone_settings_are_refused_naming_the_variable(
    tmp_path: Path, name: str, value: float
) -> None:
    with pytest.raises(ConfigError, match=f"CONTACTPRO_{name.upper()}"):
        make_settings(tmp_path, **{name: value})

"""Fixtures for transcription tests: settings, clips as a phone delivers them, loaded models."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from contactpro.config import Settings, load_settings
from contactpro.speech.audio import Audio, decode_audio, to_phone_wav
from contactpro.speech.backends import Transcriber, load_transcriber

SPEECH_DATA = Path(__file__).resolve().parents[2] / "data" / "speech"


def make_settings(tmp: Path, **overrides: object) -> Settings:
    """Build test settings with models cached under ``tmp``."""
    values: dict[str, object] = {
        "env": "test",
        "validate_twilio_signature": False,
        "var_dir": tmp,
        "whisper_threads": 2,
        "twilio_account_sid": "AC" + "0" * 32,
        "twilio_auth_token": "secret-token",
        "recording_timeout_seconds": 2,
    }
    values.update(overrides)
    return load_settings(values, environ={}, dotenv_path=None)


@pytest.fixture(scope="session")
def speech_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a var dir shared by the session, so the split base model is assembled once."""
    return tmp_path_factory.mktemp("speech-var")


@pytest.fixture(scope="session")
def speech_settings(speech_var_dir: Path) -> Settings:
    """Return settings for the default backend (faster-whisper, base, int8, 2 threads)."""
    return make_settings(speech_var_dir)


@pytest.fixture(scope="session")
def references() -> dict[str, str]:
    """Return the reference transcript of each test clip (``file`` or ``file#channel``)."""
    with (SPEECH_DATA / "transcripts.tsv").open(encoding="utf-8", newline="") as fh:
        return {row["file"]: row["reference"] for row in csv.DictReader(fh, delimiter="\t")}


@pytest.fixture(scope="session")
def clip() -> Callable[[str], bytes]:
    """Return a loader of test clip bytes by file name."""
    return lambda name: (SPEECH_DATA / name).read_bytes()


@pytest.fixture(scope="session")
def phone_clip(clip: Callable[[str], bytes]) -> Callable[[str], bytes]:
    """Return a loader of test clips converted to 8 kHz mu-law WAV, as a phone call carries them."""
    return lambda name: to_phone_wav(decode_audio(clip(name)))


@pytest.fixture(scope="session")
def clip_audio(clip: Callable[[str], bytes]) -> Callable[[str], Audio]:
    """Return a loader of decoded test clips."""
    return lambda name: decode_audio(clip(name))


@pytest.fixture(scope="session")
def tiny_en(speech_settings: Settings) -> Transcriber:
    """Return the packaged English-only tiny.en model, loaded once."""
    return load_transcriber(speech_settings, "tiny.en")


@pytest.fixture(scope="session")
def base_model(speech_settings: Settings) -> Transcriber:
    """Return the packaged multilingual base model (assembled into the cache), loaded once."""
    return load_transcriber(speech_settings, "base")

"""The ``transcribe`` command, Twilio <Gather> pass-through, word error rate, URL to transcript."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.transcribe import transcribe
from contactpro.config import Settings
from contactpro.errors import AudioFetchError
from contactpro.speech.audio import PHONE_RATE, decode_audio, mulaw_encode, resample
from contactpro.speech.backends.fake import FakeTranscriber
from contactpro.speech.backends.twilio_gather import transcript_from_gather
from contactpro.speech.fetch import AllowList
from contactpro.speech.pipeline import transcribe_recording_url
from contactpro.speech.quality import normalize_text, word_error_rate


@pytest.fixture()
def english_wav(tmp_path: Path, phone_clip: Callable[[str], bytes]) -> Path:
    path = tmp_path / "call.wav"
    path.write_bytes(phone_clip("en_cheetah_platforms.wav"))
    return path


@pytest.mark.slow
def test_cli_prints_timed_segments_speed_and_model(
    english_wav: Path, speech_settings: Settings
) -> None:
    result = CliRunner().invoke(
        transcribe,
        [str(english_wav), "--language", "en", "--model", "tiny.en"],
        obj=speech_settings,
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("[00:0") and "->" in lines[0] and "platforms" in lines[0].lower()
    assert "model: tiny.en (faster-whisper)" in lines[-1]
    assert "real-time factor" in lines[-1] and "language: en" in lines[-1]


@pytest.mark.slow
def test_cli_json_reads_raw_mulaw(
    tmp_path: Path, clip_audio: Callable, speech_settings: Settings
) -> None:
    raw = tmp_path / "stream.ulaw"
    samples = clip_audio("es_cheetah_numero.wav").channel(0)
    raw.write_bytes(mulaw_encode(resample(samples, 16000, PHONE_RATE)))
    result = CliRunner().invoke(transcribe, [str(raw), "--json"], obj=speech_settings)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["language"] == "es" and data["model"] == "base"
    assert data["backend"] == "faster-whisper" and data["real_time_factor"] > 0
    assert "favorito" in data["text"] and data["segments"][0]["end"] <= data["duration"] + 0.01
    assert set(data["segments"][0]) == {
        "start",
        "end",
        "text",
        "speaker",
        "avg_logprob",
        "no_speech_prob",
    }


def test_cli_reports_undecodable_files(tmp_path: Path, speech_settings: Settings) -> None:
    bad = tmp_path / "notes.wav"
    bad.write_text("not a recording")
    settings = replace(speech_settings, transcriber="fake")
    result = CliRunner().invoke(transcribe, [str(bad)], obj=settings)
    assert result.exit_code == 1
    assert "audio_undecodable" in result.output


def test_cli_reports_unknown_models(english_wav: Path, speech_settings: Settings) -> None:
    result = CliRunner().invoke(
        transcribe, [str(english_wav), "--model", "large-v9"], obj=speech_settings
    )
    assert result.exit_code == 1 and "model_unavailable" in result.output


def test_gather_speech_result_passes_through() -> None:
    transcript = transcript_from_gather("Quiero pagar mi factura", "0.92", language="es")
    assert transcript.text == "Quiero pagar mi factura"
    assert (transcript.backend, transcript.model, transcript.speakers) == (
        "twilio",
        "twilio-gather",
        ("caller",),
    )
    assert transcript.segments[0].avg_logprob == pytest.approx(-0.0834, abs=1e-3)
    assert transcript_from_gather("", None, language="en").is_empty
    assert transcript_from_gather("hi", "garbage", language="en").segments[0].avg_logprob == 0.0


def test_word_error_rate_normalises_first() -> None:
    assert (
        word_error_rate(
            "Today only platforms one and three are used.",
            "today, only platforms 1 and 3 are used",
            "en",
        )
        == 0.0
    )
    assert (
        normalize_text("Es el 21% de 1.500", "es") == "es el veintiuno por ciento de mil quinientos"
    )
    assert word_error_rate("a b c d", "a x c", "en") == pytest.approx(0.5)
    assert word_error_rate("", "", "en") == 0.0


class _Recording(BaseHTTPRequestHandler):
    body = b""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "audio/x-wav")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


@pytest.fixture()
def recording_host(phone_clip: Callable[[str], bytes]) -> Iterator[str]:
    handler = type("Handler", (_Recording,), {"body": phone_clip("en_stereo_diarization.wav")})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_recording_url_to_transcript(recording_host: str, speech_settings: Settings) -> None:
    allow = AllowList(hosts=frozenset({recording_host}), schemes=frozenset({"http"}))
    transcript = transcribe_recording_url(
        f"http://{recording_host}/2010-04-01/Accounts/AC1/Recordings/RE1",
        settings=speech_settings,
        language="en",
        allow_list=allow,
        transcriber=FakeTranscriber(),
    )
    assert transcript.speakers == ("caller", "agent") and transcript.language == "en"
    assert transcript.duration == pytest.approx(5.0)
    with pytest.raises(AudioFetchError) as info:  # the default allow-list: Twilio only
        transcribe_recording_url(
            f"http://{recording_host}/RE1", settings=speech_settings, transcriber=FakeTranscriber()
        )
    assert (info.value.reason, info.value.retryable) == ("recording_url_refused", False)


def test_decoding_a_downloaded_mp3_content_type(phone_clip: Callable[[str], bytes]) -> None:
    # Twilio answers .wav URLs with audio/x-wav; the content type never overrides sniffing.
    audio = decode_audio(phone_clip("es_cheetah_numero.wav"), content_type="audio/mpeg")
    assert audio.sample_rate == PHONE_RATE

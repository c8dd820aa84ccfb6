"""Voice test helpers: a call that follows the hold loop, a local recording server, hours."""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from contactpro.speech.audio import decode_audio, to_phone_wav
from contactpro.voice.hours import DAYS
from tests.conftest import TwilioClient
from tests.webhooks.test_voice import Call

SPEECH_DATA = Path(__file__).resolve().parents[2] / "data" / "speech"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "voice_config(**settings): settings for the app under test; recording_host=True or "
        "bad_audio_host=True allow-lists that local server for recording downloads",
    )


@pytest.fixture(autouse=True)
def _voice_config(request: pytest.FixtureRequest) -> None:
    """Apply a test's ``voice_config`` marker to ``app_config`` before the app is built."""
    marker = request.node.get_closest_marker("voice_config")
    if marker is None:
        return
    values = dict(marker.kwargs)
    for host in ("recording_host", "bad_audio_host"):
        if values.pop(host, False):
            values["voice_recording_hosts"] = request.getfixturevalue(host)
    request.getfixturevalue("app_config").update(values)


class VoiceCall(Call):
    """A call that also records, follows ``<Redirect>`` and waits out the hold loop."""

    def post(self, path: str, **extra: str) -> ET.Element:
        root = super().post(path, **extra)
        record = root.find("Record")
        if record is not None:
            self.next_path = record.get("action")
        return root

    def follow(self, root: ET.Element) -> ET.Element:
        """Post to the document's ``<Redirect>`` once, as Twilio does after the verbs before it."""
        redirect = root.find("Redirect")
        assert redirect is not None, ET.tostring(root)
        return self.post(urlsplit(redirect.text).path + "?" + urlsplit(redirect.text).query)

    def wait_out_hold(self, root: ET.Element, timeout: float = 20.0) -> ET.Element:
        """Follow the hold loop until the answer is something other than another poll."""
        deadline = time.monotonic() + timeout
        while is_hold(root):
            assert time.monotonic() < deadline, "hold loop never ended"
            if root.find("Pause") is not None:
                time.sleep(0.2)  # Twilio would pause a second here
            root = self.follow(root)
        return root

    def record(self, url: str, sid: str, duration: int = 4, **extra: str) -> ET.Element:
        return self.post(
            self.next_path,
            RecordingUrl=url,
            RecordingSid=sid,
            RecordingDuration=str(duration),
            **extra,
        )


def is_hold(root: ET.Element) -> bool:
    redirect = root.find("Redirect")
    return redirect is not None and "/twilio/voice/hold" in (redirect.text or "")


@pytest.fixture
def call(twilio: TwilioClient) -> VoiceCall:
    """A call from the default test customer's number."""
    return VoiceCall(twilio, "+573001112233")


def closed_now(timezone: str = "America/Bogota") -> str:
    """Business hours that exclude the current moment (a day other than today)."""
    from zoneinfo import ZoneInfo

    tomorrow = (datetime.now(ZoneInfo(timezone)).weekday() + 1) % 7
    return f"{DAYS[tomorrow]} 08:00-18:00"


class _Audio(BaseHTTPRequestHandler):
    body = b""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "audio/x-wav")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


@pytest.fixture
def recording_host() -> Iterator[str]:
    """A local server answering every GET with a Spanish phone recording."""
    body = to_phone_wav(decode_audio((SPEECH_DATA / "es_cheetah_numero.wav").read_bytes()))
    yield from _serve(body)


def _serve(body: bytes) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), type("Audio", (_Audio,), {"body": body}))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def bad_audio_host() -> Iterator[str]:
    """A local server answering every GET with bytes that are not audio."""
    yield from _serve(b"<html>not audio</html>" * 20)

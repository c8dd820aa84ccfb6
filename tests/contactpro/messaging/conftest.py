"""Messaging test helpers: WhatsApp's webhook parameters, a local media server, Ogg/Opus clips,
the customer a test writes as, and what the app sent through the Twilio REST fake."""

from __future__ import annotations

import io
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from flask import Flask

from contactpro.models import Customer
from contactpro.speech.audio import Audio, decode_audio
from contactpro.speech.backends import FakeTranscriber, load_transcriber
from devtools.simulator import new_sid
from tests.conftest import TWILIO_ACCOUNT_SID, FakeTwilioApi

SPEECH_DATA = Path(__file__).resolve().parents[2] / "data" / "speech"
SHARED_SPEECH = Path("/work/shared/data/speech")
BUSINESS = "+14155238886"
# The acknowledgement of one voice note, answered once it is transcribed.
LISTENING = {
    "es": "Escuchando tu nota de voz… Te respondo en un momento.",
    "en": "Listening to your voice note… I'll answer in a moment.",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "messaging_config(**settings): settings for the app under test; twilio_api=True sends "
        "through the local Twilio REST fake and media_host=True allow-lists the media server",
    )


@pytest.fixture(autouse=True)
def _messaging_config(request: pytest.FixtureRequest) -> None:
    """Apply a test's ``messaging_config`` marker to ``app_config`` before the app is built."""
    marker = request.node.get_closest_marker("messaging_config")
    if marker is None:
        return
    values = dict(marker.kwargs)
    if values.pop("twilio_api", False):
        _, url = request.getfixturevalue("twilio_api")
        values.update(telephony="twilio", twilio_api_url=url)
        values["twilio_account_sid"] = TWILIO_ACCOUNT_SID
        values.setdefault("twilio_phone_number", "+15550001000")
    if values.pop("media_host", False):
        values["voice_recording_hosts"] = (request.getfixturevalue("media_server").host,)
    request.getfixturevalue("app_config").update(values)


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One model cache for the session, so the split base model is assembled once."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def _shared_models(request: pytest.FixtureRequest, model_cache: Path) -> None:
    if "app_config" in request.fixturenames:
        config = request.getfixturevalue("app_config")
        config.update(model_cache_dir=str(model_cache), whisper_threads=2)


def whatsapp_params(
    from_number: str,
    body: str = "",
    *,
    media: list[tuple[str, str]] | None = None,
    profile: str = "Camila",
    channel: str = "whatsapp",
    sid: str | None = None,
) -> dict[str, str]:
    """The parameters Twilio posts for an inbound WhatsApp message (or an SMS/MMS with
    ``channel="sms"``), with ``media`` as (url, content type) pairs."""
    prefix = "whatsapp:" if channel == "whatsapp" else ""
    sid = sid or new_sid("MM" if media else "SM")
    params = {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "AccountSid": TWILIO_ACCOUNT_SID,
        "MessagingServiceSid": "",
        "From": prefix + from_number,
        "To": prefix + BUSINESS,
        "Body": body,
        "NumMedia": str(len(media or [])),
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    if channel == "whatsapp":
        params.update(WaId=from_number.lstrip("+"), ProfileName=profile, MessageType="text")
    for index, (url, content_type) in enumerate(media or []):
        params[f"MediaUrl{index}"] = url
        params[f"MediaContentType{index}"] = content_type
    if media and channel == "whatsapp":
        params["MessageType"] = "audio" if media[0][1].startswith("audio/") else "image"
    return params


def replies(response: Any) -> list[str]:
    """Parse a messaging TwiML answer into its message texts."""
    assert response.status_code == 200, response.data
    root = ET.fromstring(response.data)
    return [el.text or "" for el in root.findall("Message")]


def sent_messages(twilio_api: tuple[FakeTwilioApi, str]) -> list[dict[str, str]]:
    """The messages the app sent through the Twilio REST fake, as posted."""
    api, _ = twilio_api
    return [r["form"] for r in api.requests if str(r["path"]).endswith("/Messages.json")]


def sent_bodies(twilio_api: tuple[FakeTwilioApi, str]) -> list[str]:
    """The texts of the messages the app sent through the Twilio REST fake."""
    return [message["Body"] for message in sent_messages(twilio_api)]


@pytest.fixture
def customer_phone(
    request: pytest.FixtureRequest, customer_factory: Callable[..., Customer], language: str
) -> str:
    """The number (the module's ``PHONES[language]``) of a customer who reads the test's
    ``language``, billed in that country's currency."""
    phone: str = request.module.PHONES[language]
    customer_factory(phone=phone, language=language, currency="COP" if language == "es" else "USD")
    return phone


def ogg_opus(audio: Audio) -> bytes:
    """Encode the first channel of ``audio`` as Ogg/Opus, as WhatsApp sends voice notes."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=audio.sample_rate)
        stream.layout = "mono"
        samples = np.ascontiguousarray(audio.samples[:1].astype(np.float32))
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
        frame.sample_rate = audio.sample_rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def clip_ogg(name: str, *, pad_seconds: float = 0.0) -> bytes:
    """A speech clip as an Ogg/Opus voice note (optionally padded with silence)."""
    folder = SPEECH_DATA if (SPEECH_DATA / name).exists() else SHARED_SPEECH
    audio = decode_audio((folder / name).read_bytes())
    if pad_seconds:
        silence = np.zeros((audio.samples.shape[0], int(pad_seconds * audio.sample_rate)))
        samples = np.concatenate([audio.samples, silence.astype(np.float32)], axis=1)
        audio = Audio(samples, audio.sample_rate)
    return ogg_opus(audio)


def silent_ogg(seconds: float = 3.0) -> bytes:
    """A voice note of silence."""
    return ogg_opus(Audio(np.zeros((1, int(16000 * seconds)), dtype=np.float32), 16000))


class MediaServer:
    """Stands in for Twilio's media URLs: ``files[path] = (status, type, data)``."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[int, str, bytes]] = {}
        self.requests: list[dict[str, str | None]] = []
        self.host = ""

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def serve(
        self, path: str, body: bytes, content_type: str = "audio/ogg", status: int = 200
    ) -> str:
        """Serve ``body`` at ``path``; return its URL."""
        self.files[path] = (status, content_type, body)
        return self.url(path)


@pytest.fixture
def media_server() -> Iterator[MediaServer]:
    """A local media server the app under test may download from (``media_host=True``)."""
    server = MediaServer()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            server.requests.append(
                {"path": self.path, "authorization": self.headers.get("Authorization")}
            )
            status, content_type, body = server.files.get(self.path, (404, "text/plain", b""))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.host = f"127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def media(backend: object, media_server: MediaServer) -> MediaServer:
    """The media server, for a test whose app answers voice notes in the request: skipped on
    PostgreSQL, whose shared worker has no test media host."""
    if backend is not None:
        pytest.skip("the shared worker has no test media host")
    return media_server


@pytest.fixture
def voice_note(
    app: Flask, media: MediaServer, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str, str], str]:
    """Serve a voice note the fake transcriber (``transcriber="fake"``) hears as ``said`` in
    ``language``: ``voice_note(language, said)`` returns its URL."""
    transcriber = load_transcriber(app.extensions["contactpro"].settings)
    assert isinstance(transcriber, FakeTranscriber)

    def serve(language: str, said: str) -> str:
        monkeypatch.setitem(transcriber.texts, language, said)
        return media.serve(f"/Media/ME{len(media.files) + 1}", clip_ogg("es_cheetah_numero.wav"))

    return serve

"""Recording downloads: the Twilio host allow-list, credentials, limits, retries."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from contactpro.config import Settings
from contactpro.errors import AudioFetchError
from contactpro.speech.fetch import TWILIO_ALLOW_LIST, AllowList, fetch_recording

from .conftest import make_settings

SID = "AC" + "0" * 32
GOOD_AUTH = "Basic " + base64.b64encode(f"{SID}:secret-token".encode()).decode()


@dataclass
class Recorder:
    """What the fake Twilio server saw and how it should answer."""

    body: bytes = b""
    hits: dict[str, int] = field(default_factory=dict)
    auth: list[str | None] = field(default_factory=list)


class FakeTwilio(BaseHTTPRequestHandler):
    """Speak HTTP the way Twilio's recording endpoint does (and misbehaves)."""

    recorder: Recorder

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        fields = {key.replace("_", "-"): value for key, value in headers.items()}
        fields.setdefault("Content-Length", str(len(body)))
        for key, value in fields.items():
            self.send_header(key, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
            pass

    def do_GET(self) -> None:
        rec = self.recorder
        path = self.path.split("?")[0]
        rec.hits[path] = rec.hits.get(path, 0) + 1
        rec.auth.append(self.headers.get("Authorization"))
        if self.headers.get("Authorization") != GOOD_AUTH and path != "/public":
            self._send(401, b'{"code": 20003}', Content_Type="application/json")
        elif path in ("/ok", "/public"):
            self._send(200, rec.body, Content_Type="audio/x-wav")
        elif path == "/late":  # 404 twice right after the call ends, then the file
            if rec.hits[path] <= 2:
                self._send(404, b'{"code": 20404}', Content_Type="application/json")
            else:
                self._send(200, rec.body, Content_Type="audio/x-wav")
        elif path == "/busy":
            self._send(503, Retry_After="0")
        elif path == "/gone":
            self._send(410)
        elif path == "/huge":
            self._send(200, rec.body, Content_Length=str(10**9))
        elif path == "/chunked":  # no Content-Length: the limit must hold while streaming
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(50):
                chunk = b"\0" * 10_000
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/slow":
            time.sleep(1.6)
            self._send(200, rec.body)
        elif path == "/hop":
            self._send(307, Location="/ok")
        elif path == "/escape":
            self._send(302, Location="https://evil.example.com/steal")
        else:
            self._send(404)


@pytest.fixture()
def server() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder(body=b"RIFF....WAVE")
    handler = type("Handler", (FakeTwilio,), {"recorder": recorder})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}", recorder
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, recording_max_bytes=100_000, recording_fetch_attempts=3)


def _fetcher(
    server: tuple[str, Recorder], settings: Settings
) -> tuple[Callable[[str], object], list[float]]:
    host, _ = server
    local = AllowList(hosts=frozenset({host}), schemes=frozenset({"http"}))
    delays: list[float] = []

    def fetch(path: str) -> object:
        return fetch_recording(
            f"http://{host}{path}", settings=settings, allow_list=local, sleep=delays.append
        )

    return fetch, delays


@pytest.mark.parametrize(
    "url",
    [
        "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
        "https://api.ie1.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1.wav",
        "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1.mp3",
        "https://API.Sydney.AU1.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
    ],
)
def test_twilio_api_hosts_are_allowed(url: str) -> None:
    assert TWILIO_ALLOW_LIST.permits(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",  # not https
        "https://evil.example.com/RE1.wav",
        "https://api.twilio.com.evil.example.com/RE1",
        "https://api.twilio.com@evil.example.com/RE1",
        "https://evil.example.com#@api.twilio.com/RE1",
        "https://user:pw@api.twilio.com/RE1",
        "https://api.twilio.com:8443/RE1",
        "https://api.twilio.com\\@evil.example.com/RE1",
        "https://media.twiliocdn.com/RE1",
        "https://127.0.0.1/RE1",
        "https://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "api.twilio.com/RE1",
        "",
    ],
)
def test_other_hosts_are_refused(url: str, settings: Settings) -> None:
    assert not TWILIO_ALLOW_LIST.permits(url)
    with pytest.raises(AudioFetchError) as info:
        fetch_recording(url, settings=settings)
    assert info.value.reason == "recording_url_refused"
    assert info.value.retryable is False


def test_local_server_is_refused_by_default(
    server: tuple[str, Recorder], settings: Settings
) -> None:
    host, recorder = server
    with pytest.raises(AudioFetchError, match="refusing") as info:
        fetch_recording(f"http://{host}/ok", settings=settings)
    assert info.value.reason == "recording_url_refused"
    assert recorder.hits == {}  # refused before any request left the process


def test_downloads_with_account_credentials(
    server: tuple[str, Recorder], settings: Settings
) -> None:
    fetch, delays = _fetcher(server, settings)
    got = fetch("/ok")
    assert got.data == b"RIFF....WAVE" and got.content_type == "audio/x-wav"  # type: ignore[attr-defined]
    assert server[1].auth == [GOOD_AUTH]
    assert delays == []


def test_wrong_credentials_are_not_retried(server: tuple[str, Recorder], tmp_path: Path) -> None:
    fetch, delays = _fetcher(server, make_settings(tmp_path, twilio_auth_token="wrong"))
    with pytest.raises(AudioFetchError) as info:
        fetch("/ok")
    assert (info.value.reason, info.value.retryable) == ("recording_unauthorized", False)
    assert server[1].hits == {"/ok": 1} and delays == []


def test_recording_not_ready_yet_is_retried_with_backoff(
    server: tuple[str, Recorder], settings: Settings
) -> None:
    fetch, delays = _fetcher(server, settings)
    got = fetch("/late")
    assert got.data == b"RIFF....WAVE" and got.attempts == 3  # type: ignore[attr-defined]
    assert delays == [1.0, 2.0]


def test_gives_up_retryably_after_the_last_attempt(
    server: tuple[str, Recorder], settings: Settings
) -> None:
    fetch, delays = _fetcher(server, settings)
    with pytest.raises(AudioFetchError) as info:
        fetch("/busy")
    assert (info.value.reason, info.value.retryable) == ("recording_server_error", True)
    assert server[1].hits["/busy"] == 3 and len(delays) == 2


def test_other_client_errors_are_final(server: tuple[str, Recorder], settings: Settings) -> None:
    fetch, _ = _fetcher(server, settings)
    with pytest.raises(AudioFetchError) as info:
        fetch("/gone")
    assert (info.value.reason, info.value.retryable) == ("recording_fetch_failed", False)


@pytest.mark.parametrize("path", ["/huge", "/chunked"])
def test_size_limit(path: str, server: tuple[str, Recorder], settings: Settings) -> None:
    fetch, _ = _fetcher(server, settings)
    with pytest.raises(AudioFetchError, match="limit") as info:
        fetch(path)
    assert (info.value.reason, info.value.retryable) == ("recording_too_large", False)
    assert server[1].hits[path] == 1


def test_timeout_is_retryable(server: tuple[str, Recorder], tmp_path: Path) -> None:
    settings = make_settings(tmp_path, recording_timeout_seconds=1, recording_fetch_attempts=1)
    fetch, _ = _fetcher(server, settings)
    started = time.monotonic()
    with pytest.raises(AudioFetchError) as info:
        fetch("/slow")
    assert (info.value.reason, info.value.retryable) == ("recording_timeout", True)
    assert time.monotonic() - started < 1.5


def test_redirect_within_the_allow_list_is_followed(
    server: tuple[str, Recorder], settings: Settings
) -> None:
    fetch, _ = _fetcher(server, settings)
    assert fetch("/hop").data == b"RIFF....WAVE"  # type: ignore[attr-defined]
    assert server[1].hits == {"/hop": 1, "/ok": 1}


def test_redirect_off_the_allow_list_is_refused(
    server: tuple[str, Recorder], settings: Settings
) -> None:
    fetch, _ = _fetcher(server, settings)
    with pytest.raises(AudioFetchError) as info:
        fetch("/escape")
    assert (info.value.reason, info.value.retryable) == ("recording_url_refused", False)
    assert "evil.example.com" in info.value.message

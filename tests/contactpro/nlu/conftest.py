"""Fixtures for the understanding tests: settings, the shipped model, a local Messages API."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from contactpro.config import Settings, load_settings
from contactpro.nlu.cascade import load_model
from contactpro.nlu.classifier import IntentModel
from contactpro.nlu.stats import TierStats
from tests.conftest import serve_http


def make_settings(**overrides: Any) -> Settings:
    """Return test settings that ignore the machine's environment and .env file."""
    base = {"env": "test", "validate_twilio_signature": False}
    return load_settings({**base, **overrides}, environ={}, dotenv_path=None)


@pytest.fixture(scope="session")
def shipped_model() -> IntentModel:
    """The shipped intent model of the default encoder, loaded once per test session."""
    return load_model(make_settings())


@pytest.fixture
def stats() -> TierStats:
    """Fresh counters, so tests do not see each other's turns."""
    return TierStats()


def tool_answer(
    intent: str, confidence: float, *, reason: str = "clear", entities: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return a Messages API body whose only content is a classify_intent tool call."""
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": [
            {
                "type": "tool_use",
                "id": "toolu_test",
                "name": "classify_intent",
                "input": {
                    "intent": intent,
                    "confidence": confidence,
                    "reason": reason,
                    "entities": entities or {},
                },
            }
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 400, "output_tokens": 40},
    }


def error_body(kind: str, message: str) -> dict[str, Any]:
    """Return a Messages API error body."""
    return {"type": "error", "error": {"type": kind, "message": message}}


@dataclass
class Reply:
    """One scripted answer of the fake server."""

    status: int = 200
    body: Any = None  # dict (sent as JSON) or bytes
    delay: float = 0.0


@dataclass
class MessagesServer:
    """A local HTTP server speaking the Anthropic Messages API from a script of replies."""

    url: str = ""
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    default: Reply = field(default_factory=lambda: Reply(body=tool_answer("billing_inquiry", 0.9)))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, *replies: Reply) -> None:
        """Queue replies, answered in order; then the default reply."""
        with self.lock:
            self.replies.extend(replies)

    def next_reply(self, request: dict[str, Any]) -> Reply:
        with self.lock:
            self.requests.append(request)
            return self.replies.pop(0) if self.replies else self.default


@pytest.fixture
def messages_server() -> Iterator[MessagesServer]:
    """Start a Messages API server on a free local port for one test."""
    server_state = MessagesServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("content-length", 0))
            raw = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            request = {"path": self.path, "headers": headers, "json": json.loads(raw or b"{}")}
            reply = server_state.next_reply(request)
            if reply.delay:
                time.sleep(reply.delay)
            payload = (
                reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            )
            # The client may have given up already (the time-out tests).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.send_header("request-id", "req_test")
                self.end_headers()
                self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    with serve_http(Handler) as url:
        server_state.url = url
        yield server_state

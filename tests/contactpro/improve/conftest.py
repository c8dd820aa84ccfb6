"""Local LLM servers for the improvement loop: Anthropic Messages and OpenAI chat completions."""

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
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import serve_http
from tests.webhooks.console.conftest import add_users, login


def anthropic_text(text: str) -> dict[str, Any]:
    """A Messages API body answering ``text``."""
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 300, "output_tokens": 60},
    }


def openai_text(text: str | None) -> dict[str, Any]:
    """A chat completions body answering ``text`` (as Ollama, llama.cpp and vLLM send it)."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1764700000,
        "model": "llama-test",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 300, "completion_tokens": 60, "total_tokens": 360},
    }


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: Any = None  # dict (sent as JSON) or bytes
    delay: float = 0.0


@dataclass
class ChatServer:
    """A local HTTP server answering POSTs from a script; it records every request."""

    url: str = ""
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, *replies: Reply) -> None:
        """Queue replies, answered in order (then 500s)."""
        with self.lock:
            self.replies.extend(replies)

    def next_reply(self, request: dict[str, Any]) -> Reply:
        with self.lock:
            self.requests.append(request)
            return self.replies.pop(0) if self.replies else Reply(500, {"error": "unscripted"})


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    """Start a scripted JSON server on a free local port for one test."""
    state = ChatServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            raw = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = state.next_reply(
                {"path": self.path, "headers": headers, "json": json.loads(raw or b"{}")}
            )
            if reply.delay:
                time.sleep(reply.delay)
            payload = (
                reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            )
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    with serve_http(Handler) as url:
        state.url = url
        yield state


@pytest.fixture
def manager(app: Flask, session: Session) -> tuple[FlaskClient, str]:
    """A logged-in manager and the session's CSRF token."""
    add_users(session)
    session.commit()
    client = app.test_client()
    return client, login(client, "max@example.com")

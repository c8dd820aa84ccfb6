"""``contactpro beat`` while Redis is down: one line saying what is down and what to do, no
traceback per scheduled task, and one line when Redis answers again."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.cli.test_entry_point import ENTRY_POINT, run
from tests.conftest import AUTH_TOKEN

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(port: int, tmp_path: Path) -> subprocess.Popen[bytes]:
    assert REDIS_SERVER
    redis = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return redis
        except OSError:
            time.sleep(0.1)
    redis.kill()
    raise AssertionError("redis-server did not start")


def wait_for_line(path: Path, words: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while words not in path.read_text() and time.monotonic() < deadline:
        assert process.poll() is None, path.read_text()[-3000:]
        time.sleep(0.3)
    assert words in path.read_text(), path.read_text()[-3000:]


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_beat_says_once_that_redis_is_down_and_retries_quietly(tmp_path: Path, backend) -> None:
    if backend is not None:
        pytest.skip("runs once, on its own Redis")
    assert run(["init-db"], tmp_path).returncode == 0
    port = free_port()
    redis = start_redis(port, tmp_path)
    env = {
        **os.environ,
        "CONTACTPRO_ENV": "test",
        "CONTACTPRO_VAR_DIR": str(tmp_path / "var"),
        "CONTACTPRO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "CONTACTPRO_BROKER_URL": f"redis://127.0.0.1:{port}/9",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "CONTACTPRO_LOG_FORMAT": "json",
    }
    stderr = tmp_path / "beat.err"
    assert ENTRY_POINT
    with stderr.open("wb") as err:
        beat = subprocess.Popen(
            [ENTRY_POINT, "beat"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=err
        )
        try:
            wait_for_line(stderr, "beat: Starting", beat, 120)
            time.sleep(2)
            redis.terminate()
            redis.wait(timeout=20)
            wait_for_line(stderr, "task broker unreachable", beat, 60)
            time.sleep(35)  # the outbox flush is due every 15 s, the journal replay every 30 s
            redis = start_redis(port, tmp_path)
            wait_for_line(stderr, "task broker reachable again", beat, 90)
        finally:
            beat.terminate()
            beat.wait(timeout=60)
            redis.terminate()
            redis.wait(timeout=20)
    text = stderr.read_text()
    assert "Traceback" not in text and "Message Error" not in text, text[-3000:]
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    down = [r for r in records if r["message"].startswith("task broker unreachable")]
    assert len(down) == 1, text[-3000:]
    assert "start Redis or fix CONTACTPRO_BROKER_URL" in down[0]["message"]
    assert not [r for r in records if r["level"] == "ERROR"], text[-3000:]

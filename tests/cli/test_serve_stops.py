"""Stopping ``contactpro serve`` stops every process it started (no beat left behind)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.cli.test_entry_point import ENTRY_POINT, run
from tests.conftest import AUTH_TOKEN


def descendants(pid: int) -> set[int]:
    """Every living process below ``pid`` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until_serving(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Wait until ``contactpro serve`` answers /healthz (two minutes at most); fail with its log
    if it exits first."""
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return
        except OSError:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "serve did not answer /healthz"
            time.sleep(0.5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_stopping_serve_leaves_no_process_behind(tmp_path: Path) -> None:
    assert run(["init-db"], tmp_path).returncode == 0
    port = free_port()
    env = {
        **os.environ,
        "CONTACTPRO_ENV": "test",
        "CONTACTPRO_VAR_DIR": str(tmp_path / "var"),
        "CONTACTPRO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
    }
    output = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [ENTRY_POINT, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_serving(server, port, tmp_path / "serve.log")
        time.sleep(3)  # beat starts after the worker: give it time to appear
        started = descendants(server.pid)
        assert (tmp_path / "var" / "celerybeat-schedule").exists() or any(
            p.name.startswith("celerybeat-schedule") for p in (tmp_path / "var").iterdir()
        ), "the embedded beat is running"
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        time.sleep(1)
        left = {pid for pid in started if alive(pid)}
        assert not left, f"processes left after serve stopped: {left}"
        assert not descendants(server.pid)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        output.close()

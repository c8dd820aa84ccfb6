"""The README's "Run your own server" steps, followed as written through the installed entry point.

Each line of the section's shell block runs in a subprocess (``serve`` in the background on a free
port instead of 5000, ``curl`` as an HTTP GET), in a fresh folder with its own SQLite file.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.cli.test_entry_point import ENTRY_POINT
from tests.conftest import AUTH_TOKEN, REPO

PASSWORD = "correct horse battery"


def readme_steps() -> list[str]:
    """Return the lines of the shell block under "## Run your own server"."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Run your own server", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    """GET ``url``; return the status and body (errors too)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_for(url: str, server: subprocess.Popen[str], seconds: float = 120) -> None:
    """Wait until ``url`` answers (or the server dies)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped; see its log"
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} never answered")


def test_readme_steps_run_your_own_server(tmp_path: Path) -> None:
    steps = readme_steps()
    assert ENTRY_POINT
    commands = [line.split()[1] for line in steps if line.startswith("contactpro ")]
    assert commands == ["init-db", "seed", "users", "serve", "simulate"], commands
    port = str(free_port())
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CONTACTPRO_", "TWILIO_"))
    }
    env |= {"CONTACTPRO_VAR_DIR": str(tmp_path / "var"), "NO_COLOR": "1"}
    (tmp_path / "var").mkdir()
    server: subprocess.Popen[str] | None = None
    outputs: dict[str, str] = {}
    log = (tmp_path / "serve.log").open("w", encoding="utf-8")
    try:
        for line in steps:
            line = line.replace(":5000", f":{port}").replace("--port 5000", f"--port {port}")
            words = shlex.split(line.removesuffix("&").strip())
            if words[0] == "export":
                name, _, value = words[1].partition("=")
                env[name] = AUTH_TOKEN if name == "TWILIO_AUTH_TOKEN" else value
            elif words[0] == "curl":
                status, body = get(words[-1])
                assert status == 200, body
                outputs["curl"] = body
            elif words[1] == "serve":
                assert line.endswith("&"), "serve runs in the background"
                server = subprocess.Popen(
                    [ENTRY_POINT, *words[1:]],
                    cwd=tmp_path,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
                wait_for(f"http://127.0.0.1:{port}/healthz", server)
            else:
                done = subprocess.run(
                    [ENTRY_POINT, *words[1:]],
                    cwd=tmp_path,
                    env=env,
                    input=f"{PASSWORD}\n{PASSWORD}\n",
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                assert done.returncode == 0, (line, done.stdout, done.stderr[-2000:])
                outputs[words[1]] = done.stdout
        assert json.loads(outputs["curl"])["database"] == "ok"
        assert (tmp_path / "var" / "contactpro.sqlite3").is_file()
        # The seeded customers and the console account are in the database the server reads.
        status, page = get(f"http://127.0.0.1:{port}/console/login")
        assert status == 200 and "csrf_token" in page
        reply = outputs["simulate"]
        assert reply.strip() and "Traceback" not in reply
        listed = subprocess.run(
            [ENTRY_POINT, "users", "list"], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert "admin@example.com" in listed.stdout
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        log.close()

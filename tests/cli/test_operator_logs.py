"""What an operator's terminal shows: the command's answer, not libraries' internals.

Every command runs through the installed ``contactpro`` entry point in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import click
import pytest

from cli import COMMANDS, load
from contactpro import migrate
from tests.cli.test_entry_point import ENTRY_POINT, run
from tests.cli.test_serve_stops import free_port, wait_until_serving
from tests.conftest import AUTH_TOKEN

# What ``-h`` must never load: the model runtimes, the LLM SDK and the web app.
HEAVY = ("sklearn", "anthropic", "onnxruntime", "torch", "webhooks")


def _every_command() -> list[list[str]]:
    """Each registered command, and each subcommand of the groups."""
    found: list[list[str]] = []
    for entry in COMMANDS:
        found.append([entry.name])
        command = load(entry.target)
        if isinstance(command, click.Group):
            found.extend([entry.name, sub] for sub in command.commands)
    return found


def _imported(stderr: str) -> set[str]:
    """The top-level packages ``python -X importtime`` reports as imported."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


@pytest.mark.parametrize("words", _every_command(), ids=" ".join)
def test_help_loads_no_model_runtime_nor_the_web_app(tmp_path: Path, words: list[str]) -> None:
    assert ENTRY_POINT
    done = subprocess.run(
        [sys.executable, "-X", "importtime", ENTRY_POINT, *words, "-h"],
        cwd=tmp_path,
        env={**os.environ, "CONTACTPRO_ENV": "test", "CONTACTPRO_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Usage: contactpro" in done.stdout
    assert not _imported(done.stderr) & set(HEAVY)


# A development install whose logs go to a pipe: JSON lines (the test setting logs nothing).
DEVELOPMENT = {"CONTACTPRO_ENV": "development", "CONTACTPRO_LOG_FORMAT": "auto"}


def test_init_db_piped_prints_the_revision_and_no_alembic_internals(tmp_path: Path) -> None:
    done = run(["init-db"], tmp_path, **DEVELOPMENT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"database at revision {migrate.packaged_head()}"
    assert "alembic" not in done.stderr
    again = run(["users", "list"], tmp_path, **DEVELOPMENT)
    assert again.returncode == 0, again.stderr
    assert "alembic" not in again.stderr and "Context impl" not in again.stderr


def test_serve_logs_probes_without_alembic_colour_codes_or_broker_warnings(
    tmp_path: Path,
) -> None:
    assert run(["init-db"], tmp_path).returncode == 0
    port = free_port()
    env = {
        **os.environ,
        "CONTACTPRO_VAR_DIR": str(tmp_path / "var"),
        "CONTACTPRO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        **DEVELOPMENT,
    }
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [ENTRY_POINT, "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_serving(server, port, log)
            for path in ("/healthz", "/readyz", "/healthz"):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5):
                    pass
            with pytest.raises(urllib.error.HTTPError):  # werkzeug colours a 404's line
                urllib.request.urlopen(f"http://127.0.0.1:{port}/nowhere", timeout=5)
            time.sleep(1)
        finally:
            server.terminate()
            server.wait(timeout=60)
    text = log.read_text()
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    requests = [r["message"] for r in records if r["logger"] == "werkzeug"]
    assert any("/nowhere" in message and "404" in message for message in requests), text
    assert not any("\x1b" in message for message in requests)
    assert "\\u001b" not in text
    assert not [r for r in records if r["logger"].startswith("alembic")]
    assert "No hostname was supplied" not in text


@pytest.mark.parametrize("command", ["worker", "beat"])
def test_worker_and_beat_stop_at_once_when_the_broker_does_not_answer(
    tmp_path: Path, command: str
) -> None:
    assert run(["init-db"], tmp_path).returncode == 0
    done = run([command], tmp_path, CONTACTPRO_BROKER_URL="redis://127.0.0.1:1/0")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("Error: cannot reach the broker at redis://127.0.0.1:1/0: ")
    assert lines[-1].endswith("start Redis or fix CONTACTPRO_BROKER_URL")
    assert "Trying again" not in done.stderr and "celery@" not in done.stdout


@pytest.mark.parametrize("command", ["worker", "beat"])
def test_worker_and_beat_refuse_an_outdated_schema_like_serve(tmp_path: Path, command: str) -> None:
    migrate.upgrade(f"sqlite:///{tmp_path / 'cli.sqlite3'}", "0014")
    done = run([command], tmp_path)
    assert done.returncode == 1
    assert "has another schema than this release: run `contactpro init-db`" in done.stderr
    assert "celery@" not in done.stdout

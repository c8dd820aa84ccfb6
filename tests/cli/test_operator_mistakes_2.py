"""What an operator got wrong through the installed ``contactpro``, and what it now says: a
conversation file with no conversation measured as an empty set, ``serve`` on a busy port
starting a second worker and beat first, a password typed twice for a database or an e-mail
that cannot take it, a JSON file scored as a CSV, an audio file that is not named."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.db import make_engine
from contactpro.models import Agent, DatasetConversation, Interaction, Proposal
from tests.cli.test_entry_point import ENTRY_POINT, run
from tests.cli.test_operator_errors import count, migrated, one_error  # noqa: F401 - fixture
from tests.cli.test_serve_stops import free_port, wait_until_serving
from tests.conftest import AUTH_TOKEN

PASSWORD = "Correct-Horse-9"

# One conversation in English keys and one in Spanish keys, as docs/improve.md writes them.
GOOD: list[dict[str, Any]] = [
    {
        "conversation_id": "en-1",
        "meta": {"channel": "sms", "language": "en", "resolved": False},
        "transcript": [{"role": "user", "content": "my internet is down"}],
    },
    {
        "conversation_id": "es-1",
        "meta": {"canal": "sms", "idioma": "es", "resuelto": "no"},
        "transcripcion": [{"rol": "usuario", "contenido": "no tengo internet"}],
    },
]
# Lines none of which is a conversation: a missing id (Spanish keys), a missing transcript.
BAD: list[dict[str, Any]] = [
    {"meta": {"idioma": "es"}, "transcripcion": [{"rol": "usuario", "contenido": "hola"}]},
    {"conversation_id": "en-2", "meta": {"language": "en"}},
]


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "words",
    [["conversations", "metrics"], ["improve", "rank"], ["improve", "propose"]],
    ids=" ".join,
)
def test_a_conversation_file_with_no_conversation_is_refused(
    migrated: Path,  # noqa: F811
    words: list[str],
) -> None:
    """Was: exit 0 with every figure empty ("conversations 0", "0 proposals drafted")."""
    bad = _jsonl(migrated / "bad.jsonl", BAD)
    result = run([*words, "--data", str(bad)], migrated)
    assert one_error(result) == f"Error: {bad} holds no valid conversation"
    assert "skipped line 1: conversation_id is missing" in result.stderr
    assert "conversations            0" not in result.stdout
    assert count(migrated, Proposal) == 0


@pytest.mark.parametrize(
    "words",
    [["conversations", "metrics"], ["improve", "rank"], ["improve", "propose"]],
    ids=" ".join,
)
def test_a_file_and_a_dataset_together_are_refused(
    migrated: Path,  # noqa: F811
    words: list[str],
) -> None:
    """Was: the file measured and --dataset silently ignored."""
    good = _jsonl(migrated / "march.jsonl", GOOD)
    assert run(["conversations", "import", str(good)], migrated).returncode == 0
    result = run([*words, "--data", str(good), "--dataset", "march"], migrated)
    assert "give --data FILE or --dataset NAME, not both" in one_error(result, code=2)
    assert count(migrated, Proposal) == 0


def test_importing_a_file_with_no_conversation_keeps_the_dataset(migrated: Path) -> None:  # noqa: F811
    """Was: "dataset march: imported 0 conversations" printed before the error."""
    good = _jsonl(migrated / "march.jsonl", GOOD)
    imported = run(["conversations", "import", str(good)], migrated)
    assert "imported 2 conversations (2 new, 0 replaced)" in imported.stdout
    bad = _jsonl(migrated / "bad.jsonl", BAD)
    result = run(["conversations", "import", str(bad), "--dataset", "march"], migrated)
    assert one_error(result) == f"Error: {bad} holds no valid conversation"
    assert "imported" not in result.stdout
    assert count(migrated, DatasetConversation) == 2
    measured = run(["conversations", "metrics", "--dataset", "march", "--json"], migrated)
    assert json.loads(measured.stdout)["conversations"] == 2


def test_serve_on_a_busy_port_starts_nothing(migrated: Path) -> None:  # noqa: F811
    """Was: an embedded worker and beat started (taking the running server's tasks), then
    werkzeug's two lines without ``Error:``."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(["serve", "--port", str(port)], migrated)
    line = one_error(result)
    assert line.startswith(f"Error: cannot listen on 127.0.0.1:{port} (Address already in use)")
    assert "stop it, or pick another --port" in line
    assert "worker started" not in result.stdout
    assert "beat" not in result.stderr
    assert not (migrated / "var" / "celerybeat-schedule").exists()


def test_serve_on_a_host_that_is_not_there_says_so(migrated: Path) -> None:  # noqa: F811
    result = run(["serve", "--host", "nosuchhost.invalid", "--port", "5999"], migrated)
    line = one_error(result)
    assert line.startswith("Error: cannot listen on nosuchhost.invalid:5999")
    assert line.endswith("give --host an address of this machine (127.0.0.1, or 0.0.0.0 for all)")
    assert "worker started" not in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["users", "create", "--email", "ana@example.com", "--name", "Ana Pérez"],
        ["users", "set-password", "ana@example.com"],
    ],
    ids=["create", "set-password"],
)
def test_no_password_is_asked_for_a_database_not_initialised(
    tmp_path: Path, args: list[str]
) -> None:
    """Was: the password typed twice, then "no database file"."""
    result = run(args, tmp_path, f"{PASSWORD}\n{PASSWORD}\n")
    assert "no database file at" in one_error(result)
    assert "Password" not in result.stdout + result.stderr
    assert not (tmp_path / "cli.sqlite3").exists()


def test_no_password_is_asked_for_a_taken_or_unknown_e_mail(migrated: Path) -> None:  # noqa: F811
    """Was: the password typed twice, then "already exists" or "no user"."""
    created = run(
        ["users", "create", "--email", "ana@example.com", "--name", "Ana Pérez"],
        migrated,
        f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert created.returncode == 0, created.stderr
    # Piped by a provisioning script: stdout is the result alone, no getpass warnings.
    assert created.stdout == "created agent ana@example.com (id 1)\n"
    assert "GetPassWarning" not in created.stderr and "may be echoed" not in created.stderr
    again = run(
        ["users", "create", "--email", "ANA@example.com", "--name", "Ana"],
        migrated,
        f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert one_error(again) == "Error: a user with e-mail ana@example.com already exists"
    assert "Password" not in again.stderr
    unknown = run(["users", "set-password", "luis@example.com"], migrated, "x\nx\n")
    assert one_error(unknown) == "Error: no user with e-mail luis@example.com"
    assert "Password" not in unknown.stderr
    assert count(migrated, Agent) == 1


def test_scoring_a_json_file_says_it_is_not_a_csv(tmp_path: Path) -> None:
    """Was: "no column 'text' (its columns: '{"conversation_id": "c1"', ' "meta": ...)"."""
    data = _jsonl(tmp_path / "march.jsonl", GOOD)
    result = run(["conformity", "score", "--data", str(data), "--text-column", "text"], tmp_path)
    assert one_error(result) == (
        f"Error: {data} is JSON, not a CSV: give a CSV file whose first row names the columns"
    )
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"col{i}" for i in range(30)) + "\n", encoding="utf-8")
    result = run(["conformity", "score", "--data", str(wide), "--text-column", "text"], tmp_path)
    line = one_error(result, code=2)
    assert "'col11' and 18 more)" in line and "col12" not in line


def test_an_audio_file_that_is_not_audio_is_named(tmp_path: Path) -> None:
    """Was: "the bytes are not audio ..." without the file's name."""
    bad = tmp_path / "llamada.wav"
    bad.write_text("no es una grabación", encoding="utf-8")
    result = run(["transcribe", str(bad), "--backend", "fake"], tmp_path)
    assert one_error(result).startswith(f"Error: cannot read {bad}: the bytes are not audio")


def test_totp_run_twice_keeps_the_authenticator_working(migrated: Path) -> None:  # noqa: F811
    """Was: a second run replaced the secret silently; the admin's app stopped working."""
    made = run(
        ["users", "create", "--email", "max@example.com", "--name", "Max", "--role", "admin"]
        + ["--password", PASSWORD],
        migrated,
    )
    assert made.returncode == 0, made.stderr
    first = run(["users", "totp", "max@example.com"], migrated)
    assert first.returncode == 0, first.stderr
    uri = first.stdout.strip().splitlines()[-1]
    again = run(["users", "totp", "max@example.com"], migrated)
    assert one_error(again) == (
        "Error: max@example.com already has a second factor (a new secret would stop their "
        "authenticator): for a new phone, run `contactpro users totp max@example.com "
        "--disable` first"
    )
    assert "otpauth://" not in again.stdout
    with Session(make_engine(f"sqlite:///{migrated / 'cli.sqlite3'}")) as session:
        secret = session.scalars(select(Agent.totp_secret)).one()
    assert f"secret={secret}&" in uri
    # The documented way to a new phone still works: off, then on with a new secret.
    assert run(["users", "totp", "max@example.com", "--disable"], migrated).returncode == 0
    renewed = run(["users", "totp", "max@example.com"], migrated)
    assert renewed.returncode == 0 and f"secret={secret}&" not in renewed.stdout


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("analyse", "'analyze'"), ("user", "'users'"), ("dashboard", "'dashboards'")],
)
def test_a_misspelt_command_is_told_the_nearest_one(tmp_path: Path, typed: str, meant: str) -> None:
    """Was: "No such command 'analyse'." and nothing more (click suggests only among the
    commands already loaded, and ours load on first use)."""
    result = run([typed], tmp_path)
    line = one_error(result, code=2)
    assert line.startswith(f"Error: No such command '{typed}'.") and meant in line


def test_matrix_export_before_any_analysis_says_how_to_make_the_matrix(
    migrated: Path,  # noqa: F811
) -> None:
    """Was: "exported 0 customers" alone, with customers in the database."""
    assert run(["seed", "--customers", "3"], migrated).returncode == 0
    out = migrated / "m.csv"
    result = run(["matrix", "export", "--out", str(out)], migrated)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"exported 0 customers to {out}\n"
    assert "Warning: no analysis run yet" in result.stderr
    assert "run `contactpro analyze` first" in result.stderr
    analysed = run(["analyze", "--no-dashboards", "--out", str(migrated / "an")], migrated)
    assert analysed.returncode == 0, analysed.stderr
    again = run(["matrix", "export", "--out", str(out)], migrated)
    assert again.returncode == 0 and "Warning" not in again.stderr


def test_ctrl_d_in_a_simulated_call_hangs_up(migrated: Path) -> None:  # noqa: F811
    """Was: "Aborted!", exit 1, and the call left active on the server until the stale sweep."""
    port = free_port()
    log = migrated / "serve.log"
    environ = {
        **os.environ,
        "CONTACTPRO_ENV": "test",
        "CONTACTPRO_VAR_DIR": str(migrated / "var"),
        "CONTACTPRO_DATABASE_URL": f"sqlite:///{migrated / 'cli.sqlite3'}",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
    }
    with log.open("w") as output:
        server = subprocess.Popen(
            [ENTRY_POINT or "contactpro", "serve", "--port", str(port), "--no-worker"],
            cwd=migrated,
            env=environ,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_serving(server, port, log)
            url = f"http://127.0.0.1:{port}"
            result = run(
                ["simulate", "call", "--from", "+573001112233", "--url", url], migrated, ""
            )
        finally:
            server.terminate()
            server.wait(timeout=60)
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert "Aborted" not in result.stderr
    assert "bot (says)>" in result.stdout and "call ended after" in result.stdout
    with Session(make_engine(f"sqlite:///{migrated / 'cli.sqlite3'}")) as session:
        calls = session.execute(select(Interaction.channel, Interaction.twilio_status)).all()
    assert calls == [("voice", "completed")]  # the hang-up reached the server (closed by a task)

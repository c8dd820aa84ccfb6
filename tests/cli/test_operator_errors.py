"""What an operator sees when a path, a number or a name is wrong: one line, a non-zero exit,
nothing half-written; personal data files readable by their owner only. All through the
installed ``contactpro`` entry point."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpro.db import make_engine
from contactpro.models import AnalysisRun, LoginAttempt
from tests.cli.test_customers import PHONE, cli, conversation  # noqa: F401 - fixture
from tests.cli.test_entry_point import run


def one_error(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """Assert the command failed with ``code`` and one ``Error:`` line, no traceback; return it."""
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def count(tmp_path: Path, model: type) -> int:
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    try:
        with Session(engine) as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        engine.dispose()


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    """A migrated throwaway database and a regular file ``afile`` to put paths under."""
    assert run(["init-db"], tmp_path).returncode == 0
    (tmp_path / "afile").write_text("not a folder\n", encoding="utf-8")
    return tmp_path


def test_analyze_checks_its_folder_before_it_starts(migrated: Path) -> None:
    """An --out under a regular file stops at once: one line, and no run row at all."""
    out = migrated / "afile" / "an"
    line = one_error(run(["analyze", "--out", str(out), "--no-dashboards"], migrated))
    assert line == f"Error: cannot write {out}: {migrated / 'afile'} is a file, not a folder"
    assert count(migrated, AnalysisRun) == 0


def test_personal_data_files_are_0600_even_over_a_world_readable_file(migrated: Path) -> None:
    """An existing 0644 file is replaced by a new 0600 one, never rewritten in place."""
    for args in (["conversations", "export"], ["matrix", "export"]):
        out = migrated / f"{args[0]}.out"
        out.write_text("old content\n", encoding="utf-8")
        out.chmod(0o644)
        result = run([*args, "--out", str(out)], migrated)
        assert result.returncode == 0, result.stderr
        assert stat.S_IMODE(out.stat().st_mode) == 0o600, args
        assert "old content" not in out.read_text(encoding="utf-8")
        assert not [p for p in migrated.iterdir() if p.name.endswith(".part")]


@pytest.mark.usefixtures("conversation")
def test_customers_export_over_an_existing_file_is_0600(app_config, tmp_path: Path) -> None:
    """The access-request export replaces a world-readable file with an owner-only one."""
    out = tmp_path / "access.json"
    out.write_text("{}", encoding="utf-8")
    out.chmod(0o644)
    exported = cli(
        ["customers", "export", "--phone", PHONE, "--out", str(out)], tmp_path, app_config
    )
    assert exported.returncode == 0, exported.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "1020304050" in out.read_text(encoding="utf-8")
    blocked = tmp_path / "access.json" / "inside.json"
    line = one_error(
        cli(["customers", "export", "--phone", PHONE, "--out", str(blocked)], tmp_path, app_config)
    )
    assert line == f"Error: cannot write {blocked}: {out} is a file, not a folder"


def test_bad_input_files_give_one_line(migrated: Path) -> None:
    """Empty, binary and misplaced files: ``cannot read|write PATH: why``, never a traceback."""
    empty = migrated / "empty.csv"
    empty.write_bytes(b"")
    binary = migrated / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81text,label\n")
    texts = migrated / "texts.csv"
    texts.write_text("text\nhola\n", encoding="utf-8")
    score = ["conformity", "score", "--text-column", "text", "--data"]
    line = one_error(run([*score, str(empty)], migrated))
    assert line.startswith(f"Error: cannot read {empty}: ")
    line = one_error(run([*score, str(binary)], migrated))
    assert line.startswith(f"Error: cannot read {binary}: not UTF-8 text")
    one_error(run([*score, str(migrated)], migrated), code=2)  # a folder: click says so
    out = migrated / "afile" / "o.csv"
    line = one_error(run([*score, str(texts), "--out", str(out)], migrated))
    assert line == f"Error: cannot write {out}: {migrated / 'afile'} is a file, not a folder"
    line = one_error(run(["intents", "train", "--data", str(binary), "--out", "m"], migrated))
    assert line.startswith(f"Error: cannot read {binary}: not UTF-8 text")
    assert not (migrated / "m").exists()
    line = one_error(run(["intents", "evaluate", "--model", "m", "--data", str(binary)], migrated))
    assert "cannot read" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_files_give_one_line(migrated: Path) -> None:
    secret = migrated / "secret.csv"
    secret.write_text("text,label\nhola,greeting\n", encoding="utf-8")
    secret.chmod(0)
    for args in (
        ["conformity", "score", "--text-column", "text", "--data", str(secret)],
        ["intents", "train", "--data", str(secret), "--out", "m"],
    ):
        result = run(args, migrated)
        assert result.returncode != 0 and "Traceback" not in result.stderr
        assert str(secret) in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["matrix", "export", "--out"],
        ["conversations", "export", "--out"],
        ["improve", "rank", "--out"],
    ],
    ids=" ".join,
)
def test_outputs_under_a_regular_file_give_one_line(migrated: Path, args: list[str]) -> None:
    out = migrated / "afile" / "out"
    line = one_error(run([*args, str(out)], migrated))
    assert line == f"Error: cannot write {out}: {migrated / 'afile'} is a file, not a folder"


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["serve", "--port", "99999"], "--port"),
        (["serve", "--port", "0"], "--port"),
        (["improve", "rank", "--top", "-3"], "--top"),
        (["improve", "explain", "--failure-reason", "x", "-k", "0"], "-k"),
        (["improve", "index", "--batch", "0"], "--batch"),
        (["dashboards", "--run", "0"], "--run"),
        (["worker", "-c", "0"], "--concurrency"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else value,
)
def test_impossible_numbers_are_refused(migrated: Path, args: list[str], option: str) -> None:
    """Refused before anything runs (no server starts on another port)."""
    line = one_error(run(args, migrated), code=2)
    assert option in line and "is not in the range" in line


def test_unlock_names_a_user_and_an_ip_address(migrated: Path) -> None:
    """As deactivate and set-password: an unknown e-mail is an error; so is a non-IP address."""
    line = one_error(run(["users", "unlock", "nobody@example.com"], migrated))
    assert line == "Error: no user with e-mail nobody@example.com"
    line = one_error(run(["users", "unlock", "--address", "not-an-ip"], migrated))
    assert line == "Error: 'not-an-ip' is not an IP address (e.g. 203.0.113.7)"
    assert count(migrated, LoginAttempt) == 0
    done = run(["users", "unlock", "--address", "203.0.113.7"], migrated)
    assert done.returncode == 0 and "unlocked 203.0.113.7" in done.stdout

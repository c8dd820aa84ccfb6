"""Every command on the database refuses a schema behind this release, before building the app.

Each runs through the installed ``contactpro`` entry point in a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from contactpro import migrate
from tests.cli.test_entry_point import ENTRY_POINT, run
from tests.cli.test_operator_logs import _imported
from tests.conftest import AUTH_TOKEN

OUTDATED = (
    "Error: the database at sqlite:///{path} has another schema than this release:"
    " run `contactpro init-db`"
)


def _behind(tmp_path: Path) -> Path:
    """A database one migration behind this release, as an upgrade not yet run leaves it."""
    path = tmp_path / "cli.sqlite3"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    migrate.downgrade(url, "-1")
    assert migrate.current_revision(url) != migrate.packaged_head()
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["users", "list"],
        ["users", "create", "--email", "a@example.com", "--name", "A", "--role", "admin"]
        + ["--password", "Correct-horse-battery-9"],
        ["customers", "export", "--phone", "+573001234567", "--out", "out.json"],
        ["customers", "erase", "--phone", "+573001234567", "--yes"],
        ["customers", "retention"],
        ["analyze", "--no-dashboards"],
        ["report"],
        ["conversations", "export", "--out", "out.jsonl"],
        ["improve", "proposals"],
        ["matrix", "export", "--out", "out.csv"],
        ["seed", "--customers", "2"],
    ],
    ids=" ".join,
)
def test_a_command_on_a_schema_behind_says_so_in_one_line(args: list[str], tmp_path: Path) -> None:
    path = _behind(tmp_path)
    result = run(args, tmp_path)
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [OUTDATED.format(path=path)], result.stderr
    assert not any((tmp_path / name).exists() for name in ("out.json", "out.jsonl", "out.csv"))


def test_init_db_brings_a_schema_behind_up_to_date(tmp_path: Path) -> None:
    _behind(tmp_path)
    assert run(["init-db"], tmp_path).returncode == 0
    listed = run(["users", "list"], tmp_path)
    assert listed.returncode == 0 and listed.stdout.startswith("no console users yet"), listed


@pytest.mark.parametrize("state", ["missing file", "behind"])
def test_worker_refuses_a_bad_database_without_building_the_app(state: str, tmp_path: Path) -> None:
    """The refusal comes before the web app, the tasks and the models are imported."""
    path = _behind(tmp_path) if state == "behind" else tmp_path / "nowhere" / "cp.sqlite3"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(ENTRY_POINT), "worker"],
        cwd=tmp_path,
        env={
            **os.environ,
            "CONTACTPRO_ENV": "test",
            "CONTACTPRO_VAR_DIR": str(tmp_path / "var"),
            "CONTACTPRO_DATABASE_URL": f"sqlite:///{path}",
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if not line.startswith("import time:")]
    if state == "behind":
        assert lines == [OUTDATED.format(path=path)], lines
    else:
        assert lines[-1].startswith(f"Error: no database file at {path}"), lines
    assert not _imported(done.stderr) & {"webhooks", "tasks", "celery", "dashboards", "sklearn"}
    assert "celery@" not in done.stdout

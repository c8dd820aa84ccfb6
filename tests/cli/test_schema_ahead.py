"""A database a later release migrated: every command, ``init-db`` included, says so in one line.

An older release still running on a machine (a rollback, or a web machine not yet upgraded
after ``init-db`` ran from the new one) knows neither the revision nor how to take it back.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from contactpro import migrate
from tests.cli.test_entry_point import run
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from webhooks import create_app

LATER = "9999"


def _ahead(tmp_path: Path) -> Path:
    """A database at a revision this release does not ship, as a later release leaves it."""
    path = tmp_path / "cli.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (LATER,))
    return path


@pytest.mark.parametrize(
    "args", [["init-db"], ["users", "list"], ["seed", "--customers", "2"], ["worker"]], ids=" ".join
)
def test_a_command_on_a_schema_ahead_says_to_run_the_later_release(
    args: list[str], tmp_path: Path
) -> None:
    path = _ahead(tmp_path)
    result = run(args, tmp_path)
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and re.fullmatch(
        f"Error: the database at sqlite:///{re.escape(str(path))} is at schema revision {LATER},"
        r" newer than this release \(\d{4}\): run the release that migrated it;"
        " init-db cannot take it back",
        lines[0],
    ), result.stderr
    assert "run `contactpro init-db`" not in result.stderr  # it would fail the same way
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(LATER,)]


def test_probes_say_the_schema_is_newer(tmp_path: Path) -> None:
    path = _ahead(tmp_path)
    app = create_app(
        {
            "env": "test",
            "var_dir": str(tmp_path / "var"),
            "database_url": f"sqlite:///{path}",
            "twilio_auth_token": AUTH_TOKEN,
            "public_url": PUBLIC_URL,
            "task_always_eager": True,
        }
    )
    try:
        ready = app.test_client().get("/readyz")
        assert ready.status_code == 503 and ready.json["database"] == "schema_newer"
    finally:
        app.extensions["contactpro"].db.dispose()

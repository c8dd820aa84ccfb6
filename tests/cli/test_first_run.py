"""A first run before ``init-db``: one line with the fix, never a traceback; probes say so too."""

from __future__ import annotations

from pathlib import Path

import pytest

from contactpro import migrate
from tests.cli.test_entry_point import run
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from webhooks import create_app

FIX = "run `contactpro init-db`"


@pytest.mark.parametrize(
    "words",
    [["users", "list"], ["seed", "--customers", "2"], ["analyze", "--no-dashboards"], ["serve"]],
    ids=" ".join,
)
def test_a_command_before_init_db_says_to_run_it(words: list[str], tmp_path: Path) -> None:
    result = run(words, tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    # The SQLite file does not exist yet: it is named, and left for init-db to create.
    assert len(lines) == 1 and FIX in lines[0] and "no database file at" in lines[0], lines
    assert not (tmp_path / "cli.sqlite3").exists()


def test_an_unreachable_database_is_named_in_one_line(tmp_path: Path) -> None:
    url = "postgresql+psycopg://contactpro:hunter2@127.0.0.1:1/contactpro"
    result = run(["users", "list"], tmp_path, CONTACTPRO_DATABASE_URL=url)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: cannot reach the database at"), lines
    assert "hunter2" not in lines[0] and "***" in lines[0]


def test_after_init_db_the_same_command_works(tmp_path: Path) -> None:
    assert run(["init-db"], tmp_path).returncode == 0
    listed = run(["users", "list"], tmp_path)
    assert listed.returncode == 0 and listed.stderr == "", listed.stderr


def test_probes_check_the_schema_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'probe.sqlite3'}"
    app = create_app(
        {
            "env": "test",
            "var_dir": str(tmp_path / "var"),
            "database_url": url,
            "twilio_auth_token": AUTH_TOKEN,
            "public_url": PUBLIC_URL,
            "task_always_eager": True,
        }
    )
    client = app.test_client()
    try:
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json["database"] == "schema_missing"
        assert health.json["status"] == "degraded"
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json["database"] == "schema_missing"
        migrate.upgrade(url, "0005")
        assert client.get("/readyz").json["database"] == "schema_outdated"
        migrate.upgrade(url)
        assert client.get("/healthz").json["database"] == "ok"
        assert client.get("/readyz").status_code == 200
    finally:
        app.extensions["contactpro"].db.dispose()

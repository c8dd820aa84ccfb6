"""What the installed ``contactpro`` does with a mistyped setting or path."""

from __future__ import annotations

from pathlib import Path

import pytest

from contactpro.config import load_settings
from contactpro.errors import ConfigError
from tests.cli.test_entry_point import run


@pytest.mark.parametrize(
    "args",
    [
        ["users", "list"],
        ["customers", "export", "--phone", "+573001234567", "--out", "out.json"],
        ["customers", "retention"],
        ["conversations", "metrics"],
        ["serve", "--port", "5999"],
    ],
    ids=" ".join,
)
def test_a_mistyped_sqlite_path_is_named_and_left_uncreated(
    args: list[str], tmp_path: Path
) -> None:
    """No folder, no empty database: one line naming the file and the two ways out."""
    typo = tmp_path / "vra" / "sub" / "contactpro.sqlite3"
    result = run(args, tmp_path, CONTACTPRO_DATABASE_URL=f"sqlite:///{typo}")
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines[-1].endswith(
        f"no database file at {typo}: check CONTACTPRO_DATABASE_URL,"
        " or run `contactpro init-db` to create it"
    ), result.stderr
    assert not (tmp_path / "vra").exists()
    assert not (tmp_path / "out.json").exists()


def test_init_db_still_creates_the_file_and_its_folders(tmp_path: Path) -> None:
    """``init-db`` is the one command that makes the database; the others then use it."""
    fresh = tmp_path / "new" / "folder" / "contactpro.sqlite3"
    url = f"sqlite:///{fresh}"
    assert run(["init-db"], tmp_path, CONTACTPRO_DATABASE_URL=url).returncode == 0
    assert fresh.is_file()
    listed = run(["users", "list"], tmp_path, CONTACTPRO_DATABASE_URL=url)
    assert listed.returncode == 0, listed.stderr
    # An empty list says so, with the command that fills it.
    assert listed.stdout.startswith("no console users yet: add one with `contactpro users create")


@pytest.mark.parametrize("url", ["sqlite://tmp/contactpro.sqlite3", "sqlite://var/cp.sqlite3"])
def test_a_sqlite_url_with_two_slashes_is_refused_at_start_up(url: str) -> None:
    """``sqlite://tmp/x`` reads ``tmp`` as a host: say how many slashes a file takes."""
    environ = {"TWILIO_AUTH_TOKEN": "t0ken", "CONTACTPRO_DATABASE_URL": url}
    with pytest.raises(ConfigError, match="three slashes before a relative path and four"):
        load_settings(environ=environ, dotenv_path=None)

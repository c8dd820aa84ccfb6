"""Every command the README names runs through the installed ``contactpro`` entry point."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import AUTH_TOKEN, REPO

ENTRY_POINT = shutil.which("contactpro", path=str(Path(sys.executable).parent))


def readme_commands() -> list[list[str]]:
    """The command words of every ``contactpro ...`` row in the README's commands table."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text.split("## Commands", 1)[1].split("\n## ", 1)[0]
    found: list[list[str]] = []
    for cell in re.findall(r"^\| `contactpro ([^`]+)`", table, flags=re.M):
        for variant in cell.split(" / "):
            words = variant.strip("`").split()
            head = words[0]
            subs = words[1].split("\\|") if len(words) > 1 and "|" in words[1] else []
            if len(words) > 1 and re.fullmatch(r"[a-z][a-z-]*", words[1]) and not subs:
                subs = [words[1]]
            for sub in subs or [""]:
                found.append([head, sub] if sub else [head])
    return found


def run(
    args: list[str], tmp_path: Path, typed: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``contactpro`` with a throwaway SQLite database; ``typed`` is piped to
    it, as a provisioning script types it."""
    assert ENTRY_POINT, "the contactpro entry point is not installed (pip install -e .)"
    environ = {
        **os.environ,
        "CONTACTPRO_ENV": "test",
        "CONTACTPRO_VAR_DIR": str(tmp_path / "var"),
        "CONTACTPRO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        **env,
    }
    return subprocess.run(
        [ENTRY_POINT, *args],
        cwd=tmp_path,
        env=environ,
        input=typed,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_readme_names_the_commands() -> None:
    """The table is read: every documented command family is found."""
    heads = {words[0] for words in readme_commands()}
    assert {"init-db", "serve", "worker", "intents", "transcribe", "users", "analyze"} <= heads
    assert ["intents", "train"] in readme_commands() and ["users", "list"] in readme_commands()


@pytest.mark.parametrize("words", readme_commands(), ids=" ".join)
def test_every_readme_command_is_registered(words: list[str], tmp_path: Path) -> None:
    """``contactpro WORDS --help`` answers with that command's usage, not "No such command"."""
    result = run([*words, "--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Usage: contactpro {' '.join(words)}" in result.stdout
    assert "No such command" not in result.stdout + result.stderr


def test_init_db_seed_and_users_through_the_entry_point(tmp_path: Path) -> None:
    """A fresh database is created, seeded and given a console user by the installed command."""
    created = run(["init-db"], tmp_path)
    assert created.returncode == 0, created.stderr
    assert "database at revision" in created.stdout
    seeded = run(["seed", "--customers", "3"], tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert "added 3 customers" in seeded.stdout
    user = run(
        [
            "users",
            "create",
            "--email",
            "ana@example.com",
            "--name",
            "Ana Gómez",
            "--role",
            "manager",
            "--password",
            "a-long-passphrase-7",
        ],
        tmp_path,
    )
    assert user.returncode == 0, user.stderr
    listing = run(["users", "list"], tmp_path)
    assert "ana@example.com" in listing.stdout and "manager" in listing.stdout

"""The one command registry: lazily loaded, and ``--help`` imports no heavy library."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import click
import pytest

from cli import COMMANDS, build, load
from tests.cli.test_entry_point import ENTRY_POINT

# Libraries that only some commands need: listing the commands must not load them.
HEAVY = {"torch", "transformers", "whisper", "sklearn", "pandas", "matplotlib", "sqlalchemy"}


def imported_at_start(*args: str) -> set[str]:
    """Top-level packages the installed ``contactpro ARGS`` imports (``python -X importtime``)."""
    assert ENTRY_POINT, "the contactpro entry point is not installed (pip install -e .)"
    result = subprocess.run(
        [sys.executable, "-X", "importtime", ENTRY_POINT, *args],
        env={**os.environ, "CONTACTPRO_ENV": "test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)$", result.stderr, flags=re.M)
    assert "cli" in names, "no import trace: the entry point did not run"
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["--version"]], ids=" ".join)
def test_help_and_version_load_no_heavy_library(args: list[str]) -> None:
    """``contactpro --help`` lists every command without importing what the commands use."""
    assert imported_at_start(*args).isdisjoint(HEAVY)


def test_a_command_help_loads_its_command() -> None:
    """Asking one command for its help loads that command's module (the trace is real)."""
    assert "pandas" in imported_at_start("analyze", "--help")


def test_every_entry_names_its_command_and_summary() -> None:
    """The summary shown by ``--help`` is the command's own first help line."""
    for entry in COMMANDS:
        command = load(entry.target)
        assert isinstance(command, click.Command)
        assert command.name == entry.name
        assert entry.summary in (command.short_help, (command.help or "").splitlines()[0])


def test_help_lists_every_command_and_unknown_ones_fail() -> None:
    """The group lists the registry and rejects a name it does not hold."""
    group = build()
    ctx = click.Context(group)
    assert group.list_commands(ctx) == [entry.name for entry in COMMANDS]
    assert group.get_command(ctx, "no-such-command") is None
    assert group.get_command(ctx, "init-db") is load("cli.server:init_db")

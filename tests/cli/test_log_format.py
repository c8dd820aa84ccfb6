"""Logs read well on a terminal and parse as JSON elsewhere; long commands show progress."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from contactpro.observability.logs import JsonFormatter, TextFormatter, formatter_for
from tests.cli.test_entry_point import run


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _record() -> logging.LogRecord:
    record = logging.makeLogRecord(
        {"name": "contactpro.x", "levelname": "WARNING", "levelno": 30, "msg": "held %s"}
    )
    record.args = ("call",)
    record.interaction_id = 7
    return record


def test_auto_is_coloured_text_on_a_terminal_and_json_elsewhere(monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    on_tty = formatter_for("auto", Terminal())
    assert isinstance(on_tty, TextFormatter)
    line = on_tty.format(_record())
    assert "\x1b[33mWARNING" in line and "contactpro.x: held call" in line
    assert "interaction_id=7" in line
    piped = formatter_for("auto", io.StringIO())
    assert isinstance(piped, JsonFormatter)
    payload = json.loads(piped.format(_record()))
    assert payload["message"] == "held call" and payload["interaction_id"] == 7


def test_the_setting_overrides_the_terminal(monkeypatch) -> None:
    assert isinstance(formatter_for("json", Terminal()), JsonFormatter)
    text = formatter_for("text", io.StringIO())
    assert isinstance(text, TextFormatter) and "\x1b[" not in text.format(_record())
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in formatter_for("text", Terminal()).format(_record())


@pytest.mark.parametrize(
    ("flag", "env", "json_lines"),
    [
        ([], {}, True),
        (["--log-format", "text"], {}, False),
        ([], {"CONTACTPRO_LOG_FORMAT": "text"}, False),
    ],
)
def test_init_db_logs_through_the_entry_point(
    tmp_path: Path, flag: list[str], env: dict[str, str], json_lines: bool
) -> None:
    # Signatures off: the app warns, and that warning is the log line looked at.
    off = {"CONTACTPRO_VALIDATE_TWILIO_SIGNATURE": "false"}
    done = run([*flag, "init-db"], tmp_path, CONTACTPRO_ENV="development", **off, **env)
    assert done.returncode == 0, done.stderr
    assert "alembic" not in done.stderr  # its INFO lines are internals: test_operator_logs.py
    lines = [line for line in done.stderr.splitlines() if "signature verification" in line]
    assert lines, done.stderr
    for line in lines:
        if json_lines:
            assert json.loads(line)["logger"] == "webhooks"
        else:
            assert not line.startswith("{") and " WARNING webhooks: " in line
            assert "\x1b[" not in line


def test_a_bad_log_format_is_refused_in_one_line(tmp_path: Path) -> None:
    done = run(["init-db"], tmp_path, CONTACTPRO_LOG_FORMAT="xml")
    assert (
        done.returncode == 2 and "CONTACTPRO_LOG_FORMAT must be auto, json or text" in done.stderr
    )


def test_seed_shows_its_progress(tmp_path: Path) -> None:
    assert run(["init-db"], tmp_path).returncode == 0
    done = run(["seed", "--customers", "3"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "seeding customers" in done.stderr and "added 3 customers" in done.stdout

"""Logs: one JSON object a line for machines, coloured readable lines on a terminal.

``CONTACTPRO_LOG_FORMAT`` (or ``contactpro --log-format``) picks ``json``, ``text`` or ``auto``:
text when standard error is a terminal, JSON otherwise. ``NO_COLOR`` turns colours off.

Libraries' internals stay out of the operator's way: Alembic logs at WARNING and above (every
command and health probe that reads the schema revision would print two INFO lines), so does
Twilio's client (nine INFO lines of headers for every message sent), and a
library's own colour codes (werkzeug's request lines) are taken out of JSON and plain text.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from typing import Any, TextIO

LOG_FORMATS = ("auto", "json", "text")
_COLOURS = {"DEBUG": "2", "INFO": "36", "WARNING": "33", "ERROR": "31", "CRITICAL": "1;31"}

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Loggers whose INFO lines narrate a library's internals, not the service: warnings still show.
QUIET_LOGGERS = ("alembic", "twilio.http_client")


def plain(text: str) -> str:
    """Return ``text`` without terminal colour codes."""
    return _ANSI.sub("", text)


class JsonFormatter(logging.Formatter):
    """Format a record as JSON, keeping ``extra=`` fields such as interaction_id."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": plain(record.getMessage()),
        }
        payload.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Format a record for a person: time, level, logger, message and its ``extra=`` fields."""

    def __init__(self, colour: bool) -> None:
        super().__init__()
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(
            f"{k}={v}"
            for k, v in vars(record).items()
            if k not in _STANDARD and k != "color_message"
        )
        level = record.levelname
        if self.colour:
            level = f"\x1b[{_COLOURS.get(level, '0')}m{level:<7}\x1b[0m"
        else:
            level = f"{level:<7}"
        message = record.getMessage() if self.colour else plain(record.getMessage())
        line = f"{self.formatTime(record, '%H:%M:%S')} {level} {record.name}: {message}"
        if extra:
            line += f"  {extra}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def formatter_for(log_format: str, stream: TextIO) -> logging.Formatter:
    """Return the formatter ``log_format`` asks for on ``stream`` (``auto``: text on a tty)."""
    terminal = hasattr(stream, "isatty") and stream.isatty()
    if log_format == "json" or (log_format == "auto" and not terminal):
        return JsonFormatter()
    return TextFormatter(colour=terminal and not os.environ.get("NO_COLOR"))


def configure_logging(level: str = "INFO", log_format: str = "auto") -> None:
    """Send logs to stderr once per process, as JSON or readable text (see the module)."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter | TextFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter_for(log_format, sys.stderr))
    root.addHandler(handler)
    root.setLevel(level)

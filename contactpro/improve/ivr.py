"""IVR call logs as CSV (commas, semicolons or tabs): columns mapped by name, one call a row,
read into conversations."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

from contactpro.errors import file_problem
from contactpro.improve.dataset import (
    Conversation,
    DatasetError,
    LineProblem,
    Message,
    parse_time,
)
from contactpro.nlu.datasets import dict_reader

# Field -> the column it is read from unless mapped otherwise.
COLUMNS: dict[str, str] = {
    "call_id": "call_id",
    "timestamp": "timestamp",
    "call_type": "call_type",
    "failure_step": "failure_step",
    "failure_reason": "failure_reason",
    "segment": "segment",
    "duration": "duration",
    "transcript": "transcript",
}
# A log may carry a narrative instead of a transcript.
ALTERNATIVES = {"transcript": ("narrative",)}


def column_map(mapping: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return field -> column, with ``mapping`` overriding the default names."""
    unknown = sorted(set(mapping or {}) - set(COLUMNS))
    if unknown:
        raise DatasetError(
            f"unknown field(s) in the column map: {', '.join(unknown)}; "
            f"fields are {', '.join(COLUMNS)}"
        )
    return {**COLUMNS, **(mapping or {})}


def _resolve(header: list[str], columns: dict[str, str], path: Path) -> dict[str, str]:
    resolved: dict[str, str] = {}
    missing: list[str] = []
    for name, column in columns.items():
        candidates = (column, *ALTERNATIVES.get(name, ())) if column == COLUMNS[name] else (column,)
        found = next((c for c in candidates if c in header), None)
        if found is None:
            missing.append(f"{name} (column {column!r})")
        else:
            resolved[name] = found
    if missing:
        raise DatasetError(
            f"{path.name}: missing column(s): {'; '.join(missing)}. The file has: "
            f"{', '.join(header) or 'no header'}. Map a field with --map FIELD=COLUMN."
        )
    return resolved


def _row(row: Mapping[str, str], cols: Mapping[str, str]) -> Conversation:
    value = {name: (row.get(column) or "").strip() for name, column in cols.items()}
    if not value["call_id"]:
        raise ValueError("call_id is empty")
    try:
        duration = float(value["duration"]) if value["duration"] else None
    except ValueError:
        raise ValueError(f"duration is not a number: {value['duration']!r}") from None
    if duration is not None and duration < 0:
        raise ValueError(f"duration is negative: {duration}")
    failed = bool(value["failure_step"] or value["failure_reason"])
    return Conversation(
        conversation_id=value["call_id"],
        transcript=[Message("user", value["transcript"])] if value["transcript"] else [],
        channel="voice",
        resolved=not failed,
        duration_sec=duration,
        started_at=parse_time(value["timestamp"], "timestamp"),
        call_type=value["call_type"] or None,
        failure_step=value["failure_step"] or None,
        failure_reason=value["failure_reason"] or None,
        segment=value["segment"] or None,
    )


def read_ivr_csv(
    path: Path, mapping: Mapping[str, str] | None = None
) -> tuple[list[Conversation], list[LineProblem]]:
    """Read an IVR call log; a bad row is reported with its line number and skipped."""
    columns = column_map(mapping)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = dict_reader(handle)
            cols = _resolve(list(reader.fieldnames or []), columns, path)
            conversations: list[Conversation] = []
            problems: list[LineProblem] = []
            for row in reader:
                try:
                    conversations.append(_row(row, cols))
                except ValueError as exc:
                    problems.append(LineProblem(reader.line_num, str(exc)))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(file_problem(path, exc)) from None
    return conversations, problems

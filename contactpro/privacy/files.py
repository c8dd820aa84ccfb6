"""The files under the var folder that may hold personal data: archives, logs, the journal.

Archives are gzip-compressed JSON lines under ``<var>/archive/`` written by the retention task,
one file per run and kind. Log files (``<var>/log/``, where an operator sends them) and the
journal's files are plain text. :func:`scrub` rewrites any of them without the lines that name
a customer; :func:`remove_older_than` deletes the old ones.
"""

from __future__ import annotations

import gzip
import json
import os
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from contactpro.config import Settings

ARCHIVE = "archive"
LOGS = "log"
JOURNAL = "journal"
# Journal files that wait for replay are never removed for age: they are not yet in the database.
JOURNAL_AGEING = ("rejected.jsonl",)


def archive_dir(settings: Settings) -> Path:
    """Return the folder retention archives go to."""
    return Path(settings.var_dir) / ARCHIVE


def write_archive(
    settings: Settings, kind: str, rows: Iterable[dict[str, Any]], now: datetime
) -> Path | None:
    """Append ``rows`` as JSON lines to this run's ``<kind>-<date>.jsonl.gz``; None if no rows."""
    lines = [json.dumps(row, ensure_ascii=False, default=str) + "\n" for row in rows]
    if not lines:
        return None
    folder = archive_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}-{now:%Y%m%d}.jsonl.gz"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "ab") as raw, gzip.GzipFile(fileobj=raw, mode="ab") as out:
        out.write("".join(lines).encode())
        out.flush()
        os.fsync(raw.fileno())
    return path


def read_archive(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the rows of one archive file."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def personal_files(settings: Settings) -> list[Path]:
    """Every archive, log and journal file under the var folder."""
    var = Path(settings.var_dir)
    found: list[Path] = []
    for name in (ARCHIVE, LOGS, JOURNAL):
        folder = var / name
        if folder.is_dir():
            found += sorted(p for p in folder.iterdir() if p.is_file() and p.suffix != ".lock")
    return found


def _open_text(path: Path, mode: str) -> Any:
    if path.name.endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8")
    return path.open(mode, encoding="utf-8")


def scrub(path: Path, needles: Iterable[str]) -> int:
    """Rewrite ``path`` without the lines holding any of ``needles``; return lines removed."""
    wanted = [n for n in needles if n]
    with _open_text(path, "r") as source:
        lines = source.readlines()
    kept = [line for line in lines if not any(n in line for n in wanted)]
    removed = len(lines) - len(kept)
    if removed:
        temporary = path.with_name(path.name + ".scrub")
        with _open_text(temporary, "w") as out:
            out.writelines(kept)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    return removed


def remove_older_than(settings: Settings, now: float | None = None) -> int:
    """Delete log files and rejected journal entries past ``retention_file_days``, and
    archives past ``retention_archive_days``; return how many files were removed."""
    now = time.time() if now is None else now
    var = Path(settings.var_dir)
    ages = [
        (var / LOGS, None, settings.retention_file_days),
        (var / JOURNAL, JOURNAL_AGEING, settings.retention_file_days),
        (var / ARCHIVE, None, settings.retention_archive_days),
    ]
    removed = 0
    for folder, names, days in ages:
        if days == 0 or not folder.is_dir():
            continue
        for path in folder.iterdir():
            if not path.is_file() or (names is not None and path.name not in names):
                continue
            if now - path.stat().st_mtime > days * 86400:
                path.unlink(missing_ok=True)
                removed += 1
    return removed

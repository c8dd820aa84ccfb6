"""Labelled utterances from CSV or JSONL files with ``text`` and ``label`` columns, and the
reading of the CSV files operators give (commas, semicolons or tabs)."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from contactpro.errors import UnderstandingError

# The separators a CSV header line may use (a spreadsheet set to Spanish saves semicolons), the
# first winning a tie.
SEPARATORS = (",", ";", "\t")


def separator_of(handle: TextIO) -> str:
    """Return the separator of the CSV ``handle`` starts, from its header line (the one it uses
    most; a comma when it uses none), and rewind the handle."""
    header = handle.readline()
    handle.seek(0)
    best = max(SEPARATORS, key=header.count)
    return best if header.count(best) else ","


def dict_reader(handle: TextIO) -> csv.DictReader[str]:
    """Return a reader of the rows of the CSV ``handle`` starts, by its header's names, with
    the separator its header line uses."""
    return csv.DictReader(handle, delimiter=separator_of(handle))


CORPUS_PATH = Path(__file__).resolve().parent.parent / "data" / "intents" / "corpus.csv"
HELD_OUT_PERCENT = 20


@dataclass(frozen=True)
class Example:
    """One labelled utterance; ``language`` is set when the file has a language column."""

    text: str
    label: str
    language: str | None = None


@dataclass(frozen=True)
class LabelledFile:
    """The labelled rows of a file, and the lines of the rows left out for a blank text or
    label (a row blank in every column is an empty line, not counted)."""

    examples: list[Example]
    skipped: list[int]


def _rows(path: Path) -> list[tuple[int, object]]:
    """Return the rows of a CSV (header row) or JSONL file, each with its line number."""
    rows: list[tuple[int, object]] = []
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rows.append((number, json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise UnderstandingError(
                        f"{path}:{number}: not JSON ({exc.msg})", reason="bad_data"
                    ) from None
        return rows
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = dict_reader(fh)
        columns = reader.fieldnames or []
        if "text" not in columns or "label" not in columns:
            found = ", ".join(repr(name) for name in columns[:12]) or "none"
            raise UnderstandingError(
                f"{path}: the header row has no text and label columns (its columns: {found})",
                reason="bad_data",
            )
        # The line a row ends on: its own line, but for a quoted text holding line breaks.
        rows.extend((reader.line_num, row) for row in reader)
    return rows


def read_examples(path: Path) -> LabelledFile:
    """Read a CSV (header row) or JSONL file, keeping the lines of the rows left out for a
    blank text or label; raise UnderstandingError on a malformed file."""
    if not path.is_file():
        raise UnderstandingError(f"no data file at {path}", reason="bad_data")
    examples: list[Example] = []
    skipped: list[int] = []
    for number, row in _rows(path):
        if not isinstance(row, dict) or "text" not in row or "label" not in row:
            raise UnderstandingError(
                f"{path}:{number}: the row has no text and label columns", reason="bad_data"
            )
        text, label = str(row["text"] or "").strip(), str(row["label"] or "").strip()
        if text and label:
            language = row.get("language") or row.get("lang")
            examples.append(Example(text, label, str(language) if language else None))
        elif any(str(value or "").strip() for value in row.values()):
            skipped.append(number)
    return LabelledFile(examples, skipped)


def load_examples(path: Path) -> list[Example]:
    """Read a CSV (header row) or JSONL file; raise UnderstandingError on a malformed file or
    one without a labelled row."""
    examples = read_examples(path).examples
    if not examples:
        raise UnderstandingError(f"{path} holds no labelled rows", reason="bad_data")
    return examples


def data_hash(examples: Iterable[Example]) -> str:
    """Return a SHA-256 over the texts and labels, in order."""
    digest = hashlib.sha256()
    for ex in examples:
        digest.update(f"{ex.text}\t{ex.label}\n".encode())
    return digest.hexdigest()


def _bucket(text: str, salt: str) -> int:
    return int(hashlib.sha256(f"{salt}:{text.lower()}".encode()).hexdigest()[:8], 16) % 100


def split_examples(
    examples: Sequence[Example], percent: int, *, salt: str = "val"
) -> tuple[list[Example], list[Example]]:
    """Split deterministically by a hash of each text: (rest, the ``percent`` part).

    Stratified by label so that every intent is represented on both sides.
    """
    by_label: dict[str, list[Example]] = {}
    for ex in examples:
        by_label.setdefault(ex.label, []).append(ex)
    rest: list[Example] = []
    part: list[Example] = []
    for group in by_label.values():
        ranked = sorted(group, key=lambda ex: (_bucket(ex.text, salt), ex.text))
        n_part = round(len(group) * percent / 100) if len(group) > 1 else 0
        part.extend(ranked[:n_part])
        rest.extend(ranked[n_part:])
    return rest, part


def shipped_split() -> tuple[list[Example], list[Example]]:
    """Return the shipped corpus as (training part, held-out part) for the quality gates."""
    examples = load_examples(CORPUS_PATH)
    # Stratify by label and language so both languages are held out for every intent.
    train: list[Example] = []
    held_out: list[Example] = []
    for language in sorted({ex.language or "" for ex in examples}):
        rest, part = split_examples(
            [ex for ex in examples if (ex.language or "") == language],
            HELD_OUT_PERCENT,
            salt="held-out",
        )
        train.extend(rest)
        held_out.extend(part)
    return train, held_out


def write_examples(path: Path, examples: Sequence[Example]) -> None:
    """Write examples as CSV with text, label and (when known) language columns."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label", "language"])
        for ex in examples:
            writer.writerow([ex.text, ex.label, ex.language or ""])

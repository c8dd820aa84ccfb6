"""The six files of a replay, named as the workbench managers already know them."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from contactpro.improve.dataset import Conversation, write_jsonl
from contactpro.improve.rank import Candidate, write_csv
from contactpro.improve.replay import Comparison, Replayed

FILES = (
    "llm_rewrite_response.json",
    "candidate_tools_ranked.csv",
    "baseline_conversations.jsonl",
    "proposed_conversations.jsonl",
    "baseline_meta.csv",
    "proposed_meta.csv",
)


def _meta_csv(rows: Sequence[Replayed], path: Path) -> None:
    names = [f.name for f in fields(Replayed) if f.name != "transcript"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        for row in rows:
            writer.writerow(row.row())


def write_all(
    out: Path,
    conversations: Sequence[Conversation],
    comparison: Comparison,
    ranking: Sequence[Candidate],
    proposal: dict[str, Any],
) -> list[Path]:
    """Write the six files into ``out``; return their paths.

    ``llm_rewrite_response.json`` holds the proposal that was replayed (drafted by an LLM or
    by rules, or written by hand) with the side-by-side figures and the changed conversations.
    """
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / name for name in FILES]
    document = {
        "proposal": proposal,
        "summary": comparison.summary,
        "changed": comparison.changed,
    }
    paths[0].write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    write_csv(ranking, paths[1])
    for rows, path in ((comparison.baseline, paths[2]), (comparison.proposed, paths[3])):
        write_jsonl((r.as_conversation(c) for r, c in zip(rows, conversations, strict=True)), path)
    _meta_csv(comparison.baseline, paths[4])
    _meta_csv(comparison.proposed, paths[5])
    return paths

"""``improve rank`` counts as unresolved only what the data says went unresolved."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.cli.test_entry_point import run

SAID = {
    "es": ("cuánto debo", "no tengo internet"),
    "en": ("how much do I owe", "my internet is down"),
}


def _line(cid: str, language: str, text: str, intent: str, **meta: object) -> str:
    return json.dumps(
        {
            "conversation_id": cid,
            "meta": {"channel": "sms", "language": language, "duration_sec": 300, **meta},
            "transcript": [{"role": "user", "content": text}],
            "outcomes": {"intent_detected": [intent]},
        },
        ensure_ascii=False,
    )


@pytest.mark.parametrize("language", ["es", "en"])
def test_conversations_that_do_not_say_how_they_ended_are_not_ranked_unresolved(
    tmp_path: Path, language: str
) -> None:
    """Ten balance questions whose export says nothing of how they ended, one escalated
    without a resolved flag, five outage chats that say unresolved: the outages rank first and
    the balance question counts one unresolved of eleven, not eleven."""
    balance, outage = SAID[language]
    lines = [_line(f"u{i}", language, balance, "billing_inquiry") for i in range(10)]
    lines.append(_line("esc", language, balance, "billing_inquiry", escalation_reason="timeout"))
    lines += [
        _line(f"n{i}", language, outage, "connection_problem", resolved=False) for i in range(5)
    ]
    path = tmp_path / "month.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(["init-db"], tmp_path).returncode == 0
    out = tmp_path / "rank.csv"
    result = run(["improve", "rank", "--data", str(path), "--out", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {r["name"]: r for r in csv.DictReader(out.read_text(encoding="utf-8").splitlines())}
    first = result.stdout.splitlines()[1].split()
    assert first[1:3] == ["intent", "connection_problem"]
    assert rows["connection_problem"]["unresolved"] == "5"
    assert float(rows["connection_problem"]["unresolved_share"]) == 1.0
    billing = rows["billing_inquiry"]
    assert (billing["volume"], billing["unresolved"]) == ("11", "1")
    assert float(billing["unresolved_share"]) == round(1 / 11, 4)
    assert float(billing["expected_contained"]) == 0.6

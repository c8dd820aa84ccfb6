"""``conversations`` and ``improve`` say what is wrong: an impossible CSAT is skipped with its
reason, a missing dataset is named, an explanation lists its cases. Through the entry point."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.db import make_engine
from contactpro.models import DatasetConversation, ImproveRun
from tests.cli.test_entry_point import run
from tests.cli.test_operator_errors import one_error

HELLO = [{"role": "user", "content": "no tengo luz en la casa"}]
FAST = {"CONTACTPRO_IMPROVE_CASE_ENCODER": "hashing"}


def _rows(tmp_path: Path, model: type) -> list:
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    try:
        with Session(engine) as session:
            return list(session.scalars(select(model)))
    finally:
        engine.dispose()


def test_a_csat_outside_1_to_5_is_skipped_with_its_reason(tmp_path: Path) -> None:
    lines = [
        {"conversation_id": "nine", "meta": {"csat": 9}, "transcript": HELLO},
        {"conversation_id": "zero", "meta": {"csat": 0}, "transcript": HELLO},
        {"conversation_id": "est", "outcomes": {"csat_estimated_1_5": 7}, "transcript": HELLO},
        {"conversation_id": "four", "meta": {"csat": 4}, "transcript": HELLO},
    ]
    data = tmp_path / "csat.jsonl"
    data.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    assert run(["init-db"], tmp_path).returncode == 0
    imported = run(["conversations", "import", str(data), "--dataset", "csat"], tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "imported 1 conversation (1 new, 0 replaced), skipped 3 lines" in imported.stdout
    assert "skipped line 1: csat must be 1-5, got 9" in imported.stderr
    assert "skipped line 2: csat must be 1-5, got 0" in imported.stderr
    assert "skipped line 3: csat_estimated_1_5 must be 1-5, got 7" in imported.stderr
    assert [row.external_id for row in _rows(tmp_path, DatasetConversation)] == ["four"]
    measured = run(["conversations", "metrics", "--dataset", "csat", "--json"], tmp_path)
    assert measured.returncode == 0, measured.stderr
    assert json.loads(measured.stdout)["csat_mean"] == 4


def test_replay_of_a_missing_dataset_names_it(tmp_path: Path) -> None:
    """As ``conversations metrics`` does, and before any run is recorded."""
    assert run(["init-db"], tmp_path).returncode == 0
    (tmp_path / "prop1").mkdir()
    line = one_error(
        run(["improve", "replay", "--dataset", "nosuch", "--proposed", "prop1"], tmp_path)
    )
    assert line == "Error: no imported dataset named 'nosuch'"
    metrics = one_error(run(["conversations", "metrics", "--dataset", "nosuch"], tmp_path))
    assert metrics == line
    assert _rows(tmp_path, ImproveRun) == []


def test_explain_lists_its_cases_or_says_there_are_none(tmp_path: Path) -> None:
    log = tmp_path / "ivr.csv"
    log.write_text(
        "call_id,timestamp,call_type,failure_step,failure_reason,segment,duration,narrative\n"
        "A1,2026-11-02T10:00:00Z,auth,authentication,no_power,premium,61,no hay luz en casa\n"
        "A2,2026-11-02T10:05:00Z,billing,payment,no_power,standard,40,sin energia desde ayer\n",
        encoding="utf-8",
    )
    assert run(["init-db"], tmp_path).returncode == 0
    assert run(["conversations", "import", str(log)], tmp_path).returncode == 0
    assert run(["improve", "index"], tmp_path, **FAST).returncode == 0
    found = run(["improve", "explain", "--failure-reason", "no_power"], tmp_path, **FAST)
    assert found.returncode == 0, found.stderr
    assert "Closest cases: [dataset-" in found.stdout and "Closest cases: ." not in found.stdout
    assert "Closest cases (2):" in found.stdout
    assert "no hay luz en casa" in found.stdout and "sin energia desde ayer" in found.stdout
    none = run(["improve", "explain", "--failure-reason", "no_such_reason"], tmp_path, **FAST)
    assert none.returncode == 0, none.stderr
    assert "No similar case to show." in none.stdout and "Closest cases" not in none.stdout

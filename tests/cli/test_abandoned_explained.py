"""Abandoned conversations can be explained: ``contactpro improve explain --failure-reason
abandoned`` finds the conversations the reports count as abandoned, live and imported, and an
interaction left abandoned is explained from the other abandoned ones."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, text

from contactpro import migrate
from contactpro.db import Database
from contactpro.models import Escalation, Interaction, Turn
from tests.cli.test_entry_point import run

HASHING = {"CONTACTPRO_IMPROVE_CASE_ENCODER": "hashing"}


def _interaction(sid: str, outcome: str, said: str) -> Interaction:
    interaction = Interaction(
        channel="sms",
        twilio_sid=sid,
        from_number="+573001112233",
        to_number="+15550001000",
        status="closed",
        outcome=outcome,
        state={"steps": ["asked_verification"]},
    )
    interaction.turns = [Turn(sequence=1, speaker="caller", text=said, source="sms")]
    return interaction


def _seed(tmp_path: Path) -> dict[str, int]:
    assert run(["init-db"], tmp_path).returncode == 0
    db = Database(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    with db.session() as session:
        left = _interaction("SMleft", "abandoned", "quiero pagar mi factura en cuotas")
        gone = _interaction("SMgone", "abandoned", "quiero pagar la factura a plazos")
        handed = _interaction("SMhanded", "escalated", "quiero pagar mi factura")
        session.add_all([left, gone, handed])
        session.flush()
        session.add(
            Escalation(
                interaction_id=handed.id, reason="verify_failed", queue="general", status="open"
            )
        )
        ids = {"left": left.id, "gone": gone.id, "handed": handed.id}
    db.dispose()
    data = tmp_path / "march.jsonl"
    imported = {
        "conversation_id": "hung-up",
        "meta": {"channel": "sms", "language": "en", "resolved": False},
        "transcript": [{"role": "user", "content": "I want to pay my bill in instalments"}],
    }
    data.write_text(json.dumps(imported) + "\n", encoding="utf-8")
    imported_run = run(["conversations", "import", str(data), "--dataset", "march"], tmp_path)
    assert imported_run.returncode == 0, imported_run.stderr
    indexed = run(["improve", "index"], tmp_path, **HASHING)
    assert indexed.returncode == 0, indexed.stderr
    assert indexed.stdout.startswith("4 conversations added"), indexed.stdout
    return ids


def test_abandoned_is_a_failure_reason_to_explain(tmp_path: Path) -> None:
    """The live and imported abandoned conversations are found; the escalated one is not."""
    ids = _seed(tmp_path)
    args = ["improve", "explain", "--failure-reason", "abandoned", "--json"]
    result = run(args, tmp_path, **HASHING)
    assert result.returncode == 0, result.stderr
    cases = json.loads(result.stdout)["cases"]
    found = {c["id"] for c in cases}
    assert {f"live-{ids['left']}", f"live-{ids['gone']}"} <= found
    assert f"live-{ids['handed']}" not in found
    assert len(found) == 3  # the imported conversation that ended unresolved with no reason
    assert {c["failure_reason"] for c in cases} == {"abandoned"}
    assert {c["outcome"] for c in cases} == {"abandoned"}

    printed = run(["improve", "explain", "--failure-reason", "abandoned"], tmp_path, **HASHING)
    assert printed.returncode == 0, printed.stderr
    assert "Closest cases (3):" in printed.stdout
    assert "No similar case" not in printed.stdout


def test_an_abandoned_interaction_is_explained_by_the_other_abandoned_ones(
    tmp_path: Path,
) -> None:
    """Not by the conversation a person took over: the closest cases share its reason."""
    ids = _seed(tmp_path)
    args = ["improve", "explain", "--interaction", str(ids["left"]), "--json"]
    result = run(args, tmp_path, **HASHING)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    found = [c["id"] for c in body["cases"]]
    assert f"live-{ids['gone']}" in found
    assert f"live-{ids['left']}" not in found and f"live-{ids['handed']}" not in found
    assert {c["failure_reason"] for c in body["cases"]} == {"abandoned"}


def test_cases_indexed_before_the_upgrade_are_given_the_reason(tmp_path: Path) -> None:
    """An index built by an earlier release (no reason on abandoned cases) is mended by
    ``init-db``; an escalated case keeps its own reason."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    migrate.upgrade(url, "0018")
    engine = create_engine(url)
    insert = (
        "INSERT INTO case_vectors (source, ref_id, encoder, vector, text, outcome, "
        "failure_reason, created_at) VALUES ('live', :ref, 'hashing', x'00', 'hola', :outcome, "
        ":reason, CURRENT_TIMESTAMP)"
    )
    with engine.begin() as conn:
        conn.execute(text(insert), {"ref": 1, "outcome": "abandoned", "reason": None})
        conn.execute(text(insert), {"ref": 2, "outcome": "escalated", "reason": "verify_failed"})
    upgraded = run(["init-db"], tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT ref_id, failure_reason FROM case_vectors ORDER BY ref_id")
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "abandoned"), (2, "verify_failed")]

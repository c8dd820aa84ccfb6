"""``contactpro conversations`` through the installed entry point: import, export, metrics."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from contactpro.db import Database
from contactpro.models import Escalation, Interaction, Turn
from tests.cli.test_entry_point import run

SPANISH = {
    "conversation_id": "es-1",
    "meta": {"contexto": "hogar", "canal": "chat", "idioma": "es", "resuelto": False},
    "transcripcion": [
        {"rol": "usuario", "contenido": "no tengo internet desde ayer"},
        {"rol": "asistente", "contenido": "Lo siento, reviso la línea."},
    ],
    "resultados": {"resumen": "sin servicio", "herramientas_necesarias": ["diagnostico_linea"]},
}
ENGLISH = {
    "conversation_id": "en-1",
    "meta": {"channel": "voice", "language": "en", "resolved": True, "duration_sec": 95},
    "transcript": [{"role": "user", "content": "how much do I owe this month"}],
    "outcomes": {"csat_estimated_1_5": 4, "intent_detected": ["billing_inquiry"]},
}


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_accepts_both_spellings_and_reports_bad_lines(tmp_path: Path) -> None:
    """Good lines are stored, each bad one is named by line number, and the rest still load."""
    data = _write(
        tmp_path / "calls.jsonl",
        [
            json.dumps(SPANISH, ensure_ascii=False),
            "{broken json",
            json.dumps({"conversation_id": "x", "transcript": "not a list"}),
            json.dumps({"meta": {}, "transcript": []}),
            json.dumps({**ENGLISH, "conversation_id": "bad-role", "transcript": [{"role": "x"}]}),
            json.dumps({**ENGLISH, "conversation_id": "bad-type", "meta": {"resolved": "maybe"}}),
            "",
            json.dumps(ENGLISH),
        ],
    )
    assert run(["init-db"], tmp_path).returncode == 0
    result = run(["conversations", "import", str(data), "--dataset", "march"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "imported 2 conversations (2 new, 0 replaced), skipped 5 lines" in result.stdout
    assert "line 2: broken JSON" in result.stderr
    assert "line 3: transcript is missing or not a list" in result.stderr
    assert "line 4: conversation_id is missing" in result.stderr
    assert "line 5: transcript[0].role must be user or assistant" in result.stderr
    assert "line 6: resolved must be true or false" in result.stderr
    measured = run(
        ["conversations", "metrics", "--dataset", "march", "--json", "--out", "m.csv"], tmp_path
    )
    assert measured.returncode == 0, measured.stderr
    summary = json.loads(measured.stdout)
    assert summary["conversations"] == 2 and summary["resolution_rate"] == 0.5
    assert summary["csat_estimated_share"] == 1.0
    assert summary["intents"]["billing_inquiry"] == 1
    assert "connection_problem" in summary["intents"]  # found by the cascade: no label given
    rows = (tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("conversation_id,outcome,resolved,csat,csat_estimated")
    assert rows[1].startswith("es-1,abandoned,False,") and rows[2].startswith("en-1,auto_resolved")


def test_empty_and_unreadable_files_fail_with_a_message(tmp_path: Path) -> None:
    """An empty file imports nothing and says so; a file of garbage bytes too."""
    assert run(["init-db"], tmp_path).returncode == 0
    empty = _write(tmp_path / "empty.jsonl", [])
    result = run(["conversations", "import", str(empty)], tmp_path)
    assert result.returncode == 1
    assert "holds no valid conversation" in result.stderr
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_bytes(b"\xff\xfe\x00\x81")
    result = run(["conversations", "import", str(garbage)], tmp_path)
    assert result.returncode == 1 and "cannot read" in result.stderr


def test_ivr_csv_maps_columns_and_names_a_missing_one(tmp_path: Path) -> None:
    """Columns are found by name (or mapped); a missing one stops with the file's header."""
    assert run(["init-db"], tmp_path).returncode == 0
    log = tmp_path / "ivr.csv"
    log.write_text(
        "CallID,timestamp,call_type,failure_step,failure_reason,segment,duration,narrative\n"
        "A1,2026-11-02T10:00:00Z,auth,authentication,biometric_fail,premium,61,voice not matched\n"
        "A2,2026-11-02T10:05:00Z,billing,,,standard,40,balance told\n"
        "A3,yesterday,billing,,,standard,40,bad date\n"
        "A4,2026-11-02T10:09:00Z,billing,,,standard,-3,bad duration\n",
        encoding="utf-8",
    )
    missing = run(["conversations", "import", str(log)], tmp_path)
    assert missing.returncode == 1
    assert "missing column(s): call_id (column 'call_id')" in missing.stderr
    assert "--map FIELD=COLUMN" in missing.stderr and "CallID" in missing.stderr
    mapped = run(["conversations", "import", str(log), "--map", "call_id=CallID"], tmp_path)
    assert mapped.returncode == 0, mapped.stderr
    assert "imported 2 conversations" in mapped.stdout and "skipped 2 lines" in mapped.stdout
    assert "line 4: timestamp is not an ISO date-time" in mapped.stderr
    assert "line 5: duration is negative" in mapped.stderr
    bad_map = run(["conversations", "import", str(log), "--map", "caller=CallID"], tmp_path)
    assert (
        bad_map.returncode == 1 and "unknown field(s) in the column map: caller" in bad_map.stderr
    )


def _live_interaction(url: str) -> None:
    db = Database(url)
    with db.session() as session:
        started = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
        for sid, channel, outcome in (
            ("CA1", "voice", "escalated"),
            ("SM1", "sms", "auto_resolved"),
        ):
            interaction = Interaction(
                channel=channel,
                twilio_sid=sid,
                from_number="+573001112233",
                to_number="+5715550000",
                started_at=started,
                status="closed",
                outcome=outcome,
                language="es",
                duration_seconds=80,
                state={"steps": ["asked_clarification"], "csat": 2},
            )
            interaction.turns = [
                Turn(
                    sequence=1,
                    speaker="caller",
                    text="quiero hablar con alguien",
                    source="speech",
                    intent="agent_request",
                    reply="Le comunico con un asesor.",
                    latency_ms=120.0,
                )
            ]
            session.add(interaction)
            session.flush()
            if outcome == "escalated":
                session.add(
                    Escalation(interaction_id=interaction.id, reason="agent_request", queue="q")
                )
    db.dispose()


def test_export_writes_live_conversations_filtered(tmp_path: Path) -> None:
    """Closed live interactions come out as JSONL that imports back unchanged."""
    assert run(["init-db"], tmp_path).returncode == 0
    _live_interaction(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    out = tmp_path / "live.jsonl"
    result = run(
        [
            "conversations",
            "export",
            "--out",
            str(out),
            "--channel",
            "voice",
            "--since",
            "2026-11-01",
        ],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "exported 1 conversation " in result.stdout
    line = json.loads(out.read_text(encoding="utf-8"))
    assert line["meta"]["channel"] == "voice" and line["meta"]["resolved"] is False
    assert line["meta"]["escalation_reason"] == "agent_request" and line["meta"]["csat"] == 2
    assert line["transcript"][0] == {"role": "user", "content": "quiero hablar con alguien"}
    assert line["outcomes"]["intent_detected"] == ["agent_request"]
    none = run(
        ["conversations", "export", "--out", str(tmp_path / "none.jsonl"), "--until", "2026-11-01"],
        tmp_path,
    )
    assert none.returncode == 0 and "exported 0 conversations" in none.stdout
    back = run(["conversations", "import", str(out), "--dataset", "again"], tmp_path)
    assert back.returncode == 0, back.stderr
    assert "imported 1 conversation" in back.stdout

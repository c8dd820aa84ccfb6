"""WhatsApp conversations through ``contactpro conversations``: exported and measured apart."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from contactpro.db import Database
from contactpro.models import Interaction, Turn
from tests.cli.test_entry_point import run


def _closed_conversations(url: str) -> None:
    db = Database(url)
    with db.session() as session:
        started = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
        for sid, channel, said in (
            ("SM1", "sms", "cuánto debo"),
            ("SM2", "whatsapp", "quiero el link de pago"),
            ("CA1", "voice", "mi saldo"),
        ):
            interaction = Interaction(
                channel=channel,
                twilio_sid=sid,
                from_number="+573001112233",
                to_number="+14155238886",
                started_at=started,
                status="closed",
                outcome="auto_resolved",
                language="es",
            )
            interaction.turns = [
                Turn(sequence=1, speaker="caller", text=said, source="sms", reply="Listo.")
            ]
            session.add(interaction)
    db.dispose()


def test_export_and_metrics_take_the_whatsapp_channel(tmp_path: Path) -> None:
    assert run(["init-db"], tmp_path).returncode == 0
    _closed_conversations(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    out = tmp_path / "whatsapp.jsonl"
    result = run(["conversations", "export", "--out", str(out), "--channel", "whatsapp"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "exported 1 conversation " in result.stdout
    [line] = [json.loads(raw) for raw in out.read_text(encoding="utf-8").splitlines()]
    assert line["meta"]["channel"] == "whatsapp"
    assert line["transcript"][0] == {"role": "user", "content": "quiero el link de pago"}
    sms = run(
        ["conversations", "export", "--out", str(tmp_path / "sms.jsonl"), "--channel", "sms"],
        tmp_path,
    )
    assert sms.returncode == 0 and "exported 1 conversation " in sms.stdout
    assert "quiero el link" not in (tmp_path / "sms.jsonl").read_text(encoding="utf-8")
    metrics = run(["conversations", "metrics", "--channel", "whatsapp", "--json"], tmp_path)
    assert metrics.returncode == 0, metrics.stderr
    assert json.loads(metrics.stdout)["conversations"] == 1

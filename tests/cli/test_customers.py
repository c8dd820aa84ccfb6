"""Access requests, retention and erasure through the installed ``contactpro customers``."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from contactpro.models import (
    AuditLog,
    Base,
    Customer,
    Escalation,
    Interaction,
    Recording,
    Turn,
    utcnow,
)
from contactpro.resilience.journal import Journal
from tests.cli.test_entry_point import run
from tests.webhooks.test_sms import replies, sms_params

PHONE = "+573001112233"
SAID = "quiero pagar mi factura, mi cédula es 1020304050, mi correo camila@example.com"


def everything_in_the_database(session) -> str:
    """Every value of every row of every table, as one text to search."""
    session.expire_all()
    parts = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)):
            parts.append(json.dumps([str(v) for v in row], ensure_ascii=False))
    return "\n".join(parts)


def everything_on_disk(var: Path) -> str:
    """Every file under the var folder, decompressed when it is an archive."""
    parts = []
    for path in var.rglob("*"):
        if path.is_file() and path.suffix not in (".lock", ".sqlite3"):
            data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
            parts.append(data.decode("utf-8", "replace"))
    return "\n".join(parts)


@pytest.fixture
def conversation(backend, app, app_config, twilio, session, customer_factory):
    """A customer who texted and called, with log, journal and recording traces."""
    if backend is not None:
        pytest.skip("the entry point runs on the test's SQLite file")
    customer = customer_factory()
    session.execute(update(Customer).values(email="camila@example.com"))
    session.commit()
    for body in (SAID, "quiero hablar con un asesor"):
        replies(twilio.post("/twilio/sms", sms_params(PHONE, body)))
    interaction = session.scalars(select(Interaction)).one()
    session.add(
        Recording(
            interaction_id=interaction.id,
            recording_sid="RE" + "a" * 32,
            call_sid="CA" + "a" * 32,
            kind="voicemail",
            url="https://api.twilio.com/Recordings/RE" + "a" * 32,
            status="completed",
            transcript="soy Camila Rojas, mi número es 3001112233",
            segments=[{"text": "soy Camila Rojas, mi número es 3001112233"}],
        )
    )
    session.commit()
    var = Path(app_config["var_dir"])
    (var / "log").mkdir(parents=True, exist_ok=True)
    (var / "log" / "contactpro.log").write_text(
        f"INFO sms from {PHONE} received\nINFO analytics run finished\n", encoding="utf-8"
    )
    (var / "journal").mkdir(parents=True, exist_ok=True)
    Journal(var / "journal").rejected.write_text(
        json.dumps({"kind": "sms", "params": {"From": PHONE, "Body": "hola"}}) + "\n",
        encoding="utf-8",
    )
    return customer


def cli(args: list[str], tmp_path: Path, app_config, **env: str):
    return run(
        args,
        tmp_path,
        CONTACTPRO_DATABASE_URL=app_config["database_url"],
        CONTACTPRO_VAR_DIR=app_config["var_dir"],
        **env,
    )


def test_export_retention_and_erasure_through_the_entry_point(
    conversation, app_config, session, tmp_path
):
    out = tmp_path / "access.json"
    exported = cli(
        ["customers", "export", "--phone", PHONE, "--out", str(out)], tmp_path, app_config
    )
    assert exported.returncode == 0, exported.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    tables = document["tables"]
    assert tables["customers"][0]["name"] == "Camila Rojas Pérez"
    assert tables["accounts"][0]["number"] == "0000120451"
    assert any("1020304050" in t["text"] for t in tables["turns"])
    assert tables["recordings"][0]["transcript"].startswith("soy Camila")
    assert tables["escalations"] and len(tables["interactions"]) == 1
    assert oct(out.stat().st_mode & 0o777) == "0o600"

    # Retention: the conversation is closed and old; its text goes to the archive first.
    session.execute(
        update(Interaction).values(status="closed", last_activity_at=utcnow() - timedelta(days=40))
    )
    session.execute(update(Recording).values(created_at=utcnow() - timedelta(days=40)))
    session.commit()
    kept = cli(["customers", "retention"], tmp_path, app_config)  # defaults keep 40-day data
    assert kept.returncode == 0 and "0 conversations, 0 transcripts, 0 recordings" in kept.stdout
    short = {
        "CONTACTPRO_RETENTION_TRANSCRIPT_DAYS": "30",
        "CONTACTPRO_RETENTION_TRANSCRIPTION_DAYS": "30",
        "CONTACTPRO_RETENTION_RECORDING_DAYS": "30",
    }
    applied = cli(["customers", "retention"], tmp_path, app_config, **short)
    assert applied.returncode == 0, applied.stderr
    assert "1 conversation, 1 transcript, 1 recording" in applied.stdout
    session.expire_all()
    assert all(t.text == "" and t.reply is None for t in session.scalars(select(Turn)))
    recording = session.scalars(select(Recording)).one()
    assert (recording.url, recording.transcript, recording.status) == (None, None, "completed")
    archived = everything_on_disk(Path(app_config["var_dir"]) / "archive")
    assert "1020304050" in archived and "soy Camila" in archived
    again = cli(["customers", "export", "--phone", PHONE, "--out", str(out)], tmp_path, app_config)
    assert again.returncode == 0
    assert any("1020304050" in json.dumps(r) for r in json.loads(out.read_text())["archives"])

    figures_before = figures(session)
    erased = cli(
        ["customers", "erase", "--national-id", "1.020.304.050", "--yes"], tmp_path, app_config
    )
    assert erased.returncode == 0, erased.stderr
    assert "erased customer" in erased.stdout and "1 conversation," in erased.stdout
    everything = everything_in_the_database(session) + everything_on_disk(
        Path(app_config["var_dir"])
    )
    for trace in (PHONE, "3001112233", "1020304050", "Camila", "camila@example.com", "0000120451"):
        assert trace not in everything, trace
    assert "analytics run finished" in everything  # lines about nobody stay
    assert figures(session) == figures_before
    audit = session.scalars(select(AuditLog).where(AuditLog.action == "customer.erase")).one()
    assert audit.target == f"customer:{conversation.id}" and audit.after["conversations"] == 1
    # The hand-off left open has nothing to work on any more: it leaves the queue, audited.
    assert "1 open escalation closed" in erased.stdout
    escalation = session.scalars(select(Escalation)).one()
    assert (escalation.status, escalation.resolution) == ("resolved", "data_erased")
    closed = session.scalars(select(AuditLog).where(AuditLog.action == "escalation.close_erased"))
    assert closed.one().target == f"escalation:{escalation.id}"

    gone = cli(["customers", "erase", "--phone", PHONE, "--yes"], tmp_path, app_config)
    assert gone.returncode == 1 and f"no customer with phone {PHONE}" in gone.stderr
    both = cli(["customers", "export", "--out", str(out)], tmp_path, app_config)
    assert both.returncode == 1 and "exactly one of --phone and --national-id" in both.stderr


def figures(session) -> tuple[int, ...]:
    """The counts reports are built on: conversations, turns, intents, recordings' seconds."""
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(Interaction)),
        session.scalar(select(func.count()).select_from(Turn)),
        session.scalar(select(func.count()).where(Turn.intent.is_not(None))),
        session.scalar(select(func.count()).select_from(Customer)),
    )

"""What an operator found through the installed ``contactpro``: the insight report writes its
amounts with their currency and counts one customer in the singular, ``users create`` names
the part of the e-mail a password holds, and ``conversations export`` counts the open
conversations it leaves out and refuses a period that ends before it starts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.db import make_engine
from contactpro.models import AnalysisRun, Interaction
from tests.cli.test_entry_point import run
from tests.cli.test_operator_errors import migrated  # noqa: F401 - fixture


def _no_traceback(result: object) -> None:
    assert "Traceback" not in result.stdout + result.stderr  # type: ignore[attr-defined]


def _database(folder: Path) -> Session:
    return Session(make_engine(f"sqlite:///{folder / 'cli.sqlite3'}"))


# 5. The report's retention matrix


@pytest.mark.parametrize(
    ("customers", "said"),
    [
        (1, "Call the 1 customer in the retain quadrant (250,000.50 COP a month)"),
        (3, "Call the 3 customers in the retain quadrant (250,000.50 COP a month)"),
    ],
)
def test_the_report_writes_amounts_with_their_currency_and_counts_in_agreement(
    migrated: Path,  # noqa: F811
    customers: int,
    said: str,
) -> None:
    analysed = run(["analyze", "--out", str(migrated / "an"), "--no-dashboards"], migrated)
    assert analysed.returncode == 0, analysed.stderr
    # A period whose figures lead to the retain advice: every KPI measured, retain customers.
    with _database(migrated) as session:
        stored = session.scalars(select(AnalysisRun)).one()
        results = json.loads(json.dumps(stored.results))
        for kpi in results["kpis"]:
            kpi["value"], kpi["text"] = 0.5, "50.0 %"
        results["currency"] = "COP"
        for quadrant in results["matrix"]["quadrants"]:
            quadrant["customers"], quadrant["billing"] = 0, 0
            if quadrant["quadrant"] == "retain":
                quadrant["customers"], quadrant["billing"] = customers, 250000.5
        stored.results = results
        run_id = stored.id
        session.commit()

    written = run(["report", "--run", str(run_id), "--out", str(migrated / "rep")], migrated)

    assert written.returncode == 0, written.stderr
    markdown = (migrated / "rep" / "report.md").read_text(encoding="utf-8")
    assert said in markdown, markdown
    table = markdown.split("## Priority matrix", 1)[1]
    retain_row = next(line for line in table.splitlines() if line.startswith("| Retain |"))
    assert "250,000.50 COP" in retain_row, table
    assert "| 0.00 COP |" in table and "| 0.0 |" not in table, table
    assert "billing threshold " in table and " COP." in table.split("billing threshold ", 1)[1]
    if customers == 1:
        assert "Call the 1 customers" not in markdown


# 7. A password holding the e-mail's local part


def test_users_create_names_the_part_of_the_e_mail_the_password_holds(
    migrated: Path,  # noqa: F811
) -> None:
    created = run(
        [
            "users", "create", "--email", "ana.perez@example.com", "--name", "Ana",
            "--password", "ana.perez-clave-2026",
        ],
        migrated,
    )  # fmt: skip

    assert created.returncode == 1
    _no_traceback(created)
    assert created.stderr.strip() == (
        "Error: the password must not contain the part of the e-mail address before the @ "
        "(ana.perez)"
    )
    whole = run(
        [
            "users", "create", "--email", "luz@example.com", "--name", "Luz",
            "--password", "luz@example.com",
        ],
        migrated,
    )  # fmt: skip
    assert whole.returncode == 1
    assert whole.stderr.strip() == "Error: the password must not contain the e-mail address"


# 8. conversations export


def _interaction(n: int, status: str, started: datetime) -> Interaction:
    return Interaction(
        channel="sms",
        twilio_sid=f"SM{n}",
        from_number="+573001112233",
        to_number="+15550001000",
        started_at=started.replace(tzinfo=None),
        status=status,
        outcome="auto_resolved" if status == "closed" else None,
    )


@pytest.mark.parametrize(
    ("open_count", "words"),
    [
        (1, "1 open conversation (not over yet: export it once it closes)"),
        (2, "2 open conversations (not over yet: export them once they close)"),
    ],
)
def test_export_counts_the_open_conversations_it_leaves_out(
    migrated: Path,  # noqa: F811
    open_count: int,
    words: str,
) -> None:
    now = datetime.now(UTC)
    with _database(migrated) as session:
        session.add(_interaction(0, "closed", now - timedelta(hours=2)))
        for n in range(open_count):
            session.add(_interaction(n + 1, "active", now - timedelta(minutes=5)))
        session.commit()
    out = migrated / "live.jsonl"

    done = run(["conversations", "export", "--out", str(out)], migrated)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"exported 1 conversation to {out}"
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    left_out = [line for line in done.stderr.splitlines() if line.strip()]
    assert left_out == [f"left out {words}"]


def test_export_says_nothing_when_no_conversation_is_open(migrated: Path) -> None:  # noqa: F811
    done = run(["conversations", "export", "--out", str(migrated / "none.jsonl")], migrated)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""


@pytest.mark.parametrize("command", [["export", "--out", "x.jsonl"], ["metrics"]])
def test_a_period_that_ends_before_it_starts_is_refused(
    migrated: Path,  # noqa: F811
    command: list[str],
) -> None:
    done = run(
        ["conversations", *command, "--since", "2026-12-05", "--until", "2026-12-01"], migrated
    )

    assert done.returncode == 1
    _no_traceback(done)
    assert done.stderr.strip().splitlines() == [
        "Error: --since (2026-12-05 00:00) must be before --until (2026-12-01 00:00): "
        "that period holds no conversation"
    ]
    assert not (migrated / "x.jsonl").exists()

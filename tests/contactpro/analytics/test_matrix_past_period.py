"""An analysis of a past period reports on that period and leaves the customers' current
quadrants (offers, queue, console) as the most recent period left them. Through the installed
``contactpro`` entry point."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from contactpro.config import Settings
from contactpro.db import Database
from contactpro.models import AnalysisRun, CustomerScore
from tests.contactpro.analytics.test_failed_runs import contactpro


def placements(db: Database) -> dict[int, tuple[str, int | None]]:
    """Return each placed customer's quadrant and the run that placed it."""
    with db.session() as session:
        return {
            s.customer_id: (s.quadrant, s.run_id) for s in session.scalars(select(CustomerScore))
        }


def analyze(settings: Settings, tmp_path: Path, start: str, end: str, name: str) -> int:
    """Run ``contactpro analyze`` for ``[start, end)``; return the run id it printed."""
    out = tmp_path / name
    done = contactpro(
        ["analyze", "--from", start, "--to", end, "--out", str(out), "--no-dashboards"],
        settings,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip().splitlines()[-1].split(":")[0].removeprefix("run "))


def test_analysing_a_past_period_keeps_the_current_quadrants(
    db: Database, settings: Settings, case_ids: dict[int, int], tmp_path: Path
) -> None:
    current = analyze(settings, tmp_path, "2026-03-02", "2026-03-09", "current")
    before = placements(db)
    assert before and {run for _, run in before.values()} == {current}

    past = analyze(settings, tmp_path, "2026-02-23", "2026-03-02", "past")

    assert placements(db) == before  # offers and the queue still read the current matrix
    with db.session() as session:
        stored = session.get(AnalysisRun, past)
        assert stored is not None and stored.results["matrix"]["current"] is False
    report = (tmp_path / "past" / "report.md").read_text(encoding="utf-8")
    assert "past period" in report and "current quadrants" in report
    assert "past period" not in (tmp_path / "current" / "report.md").read_text(encoding="utf-8")
    export = tmp_path / "matrix.csv"
    exported = contactpro(["matrix", "export", "--out", str(export)], settings, tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert len(export.read_text(encoding="utf-8").splitlines()) == len(before) + 1

    later = analyze(settings, tmp_path, "2026-03-03", "2026-03-10", "later")
    assert {run for _, run in placements(db).values()} == {later}  # a newer period replaces

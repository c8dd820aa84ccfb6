"""``contactpro report`` and ``dashboards`` without ``--run`` take the run of the latest period,
not a past period analysed afterwards; ``--run`` still reaches the past one. Through the
installed entry point."""

from __future__ import annotations

from pathlib import Path

from contactpro.analytics.runs import latest_run
from contactpro.config import Settings
from contactpro.db import Database
from tests.contactpro.analytics.test_failed_runs import contactpro
from tests.contactpro.analytics.test_matrix_past_period import analyze


def test_report_and_dashboards_take_the_latest_period_not_the_newest_run(
    db: Database, settings: Settings, case_ids: dict[int, int], tmp_path: Path
) -> None:
    current = analyze(settings, tmp_path, "2026-03-02", "2026-03-09", "current")
    past = analyze(settings, tmp_path, "2026-02-23", "2026-03-02", "past")
    assert past > current
    with db.session() as session:
        latest = latest_run(session)
        assert latest is not None and latest.id == current

    done = contactpro(["report", "--out", str(tmp_path / "report")], settings, tmp_path)
    assert done.returncode == 0, done.stderr
    markdown = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert f"Run {current}," in markdown and "2026-03-02 00:00 to 2026-03-09 00:00" in markdown
    assert "past period" not in markdown

    done = contactpro(["dashboards", "--out", str(tmp_path / "dash")], settings, tmp_path)
    assert done.returncode == 0, done.stderr
    index = (tmp_path / "dash" / "index.html").read_text(encoding="utf-8")
    assert "2026-03-02 00:00 to 2026-03-09 00:00" in index

    asked = contactpro(
        ["report", "--run", str(past), "--out", str(tmp_path / "asked")], settings, tmp_path
    )
    assert asked.returncode == 0, asked.stderr
    markdown = (tmp_path / "asked" / "report.md").read_text(encoding="utf-8")
    assert f"Run {past}," in markdown and "past period" in markdown

"""A run that fails is recorded as failed and never hides the last good one; a run that is
asked for by id and does not exist is named. The commands run through the entry point."""

from __future__ import annotations

import errno
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from contactpro.analytics import run_full_analysis
from contactpro.analytics.patterns import Period
from contactpro.analytics.runs import latest_run, run_error
from contactpro.config import Settings
from contactpro.console.reports import latest_runs
from contactpro.db import Database
from contactpro.models import AnalysisRun
from tests.cli.test_entry_point import run
from tests.cli.test_operator_errors import one_error


def disk_full(results: Mapping[str, Any], out_dir: Path, progress: Any = None) -> dict[str, Path]:
    """A renderer whose disk fills up half-way."""
    (out_dir / "half.png").write_bytes(b"\x89PNG")
    raise OSError(errno.ENOSPC, "No space left on device")


def contactpro(args: list[str], settings: Settings, tmp_path: Path) -> Any:
    return run(
        args,
        tmp_path,
        CONTACTPRO_DATABASE_URL=settings.database_url,
        CONTACTPRO_VAR_DIR=str(settings.var_dir),
        CONTACTPRO_COMPANY_TIMEZONE="UTC",
    )


def test_a_failed_run_is_failed_and_the_latest_good_one_stays_the_latest(
    db: Database, settings: Settings, case_ids: dict[int, int], period: Period, tmp_path: Path
) -> None:
    good = run_full_analysis(db, settings, period.start, period.end, tmp_path / "good")
    with pytest.raises(OSError, match="No space"):
        run_full_analysis(
            db, settings, period.start, period.end, tmp_path / "bad", render=disk_full
        )
    with db.session() as session:
        failed = session.scalars(select(AnalysisRun).where(AnalysisRun.id != good.run_id)).one()
        assert failed.seconds is None  # not finished
        assert "No space left on device" in (run_error(failed) or "")
        assert failed.outputs == {}
        latest = latest_run(session)
        assert latest is not None and latest.id == good.run_id
        assert [r.id for r in latest_runs(session)] == [good.run_id]  # the manager console
        failed_id = failed.id

    report = contactpro(["report", "--out", str(tmp_path / "again")], settings, tmp_path)
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "again" / "report.md").read_text() == (
        tmp_path / "good" / "report.md"
    ).read_text()
    line = one_error(contactpro(["report", "--run", str(failed_id)], settings, tmp_path))
    assert line.startswith(f"Error: analysis run {failed_id} failed: ")
    assert "No space left on device" in line
    for command in ("report", "dashboards"):
        line = one_error(contactpro([command, "--run", "999"], settings, tmp_path))
        assert line == "Error: no analysis run 999"
    blocked = tmp_path / "good" / "report.md" / "inside"
    line = one_error(contactpro(["report", "--out", str(blocked)], settings, tmp_path))
    assert line == f"Error: cannot write {blocked}: {blocked.parent} is a file, not a folder"


def test_a_run_whose_folder_cannot_be_written_does_not_start(
    db: Database, settings: Settings, case_ids: dict[int, int], period: Period, tmp_path: Path
) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    with pytest.raises(NotADirectoryError):
        run_full_analysis(db, settings, period.start, period.end, tmp_path / "afile" / "out")
    with db.session() as session:
        assert session.scalars(select(AnalysisRun)).all() == []

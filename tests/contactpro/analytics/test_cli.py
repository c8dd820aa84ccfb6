"""The operator commands, through the app's CLI runner."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from cli.analytics import company_time
from contactpro.analytics.patterns import Period
from contactpro.config import Settings
from contactpro.db import Database
from dashboards import draw_dashboards
from tests.conftest import ContactproCliRunner
from webhooks import create_app


@pytest.fixture
def app(settings: Settings, db: Database) -> Flask:
    app = create_app(
        {
            "env": "test",
            "validate_twilio_signature": "false",
            "database_url": settings.database_url,
            "var_dir": str(settings.var_dir),
            "secret_key": "x" * 32,
            "task_always_eager": "true",
            "company_timezone": "UTC",  # --from/--to are company dates; the cases are UTC
        }
    )
    app.extensions["contactpro"].renderer = draw_dashboards  # as the contactpro command does
    return app


def test_analyze_then_dashboards_report_and_matrix_export(
    app: Flask, case_ids: dict[int, int], period: Period, tmp_path: Path
) -> None:
    runner = ContactproCliRunner(app)
    out = tmp_path / "run"
    result = runner.invoke(
        args=[
            "analyze",
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-09",
            "--out",
            str(out),
            "--no-dashboards",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Net containment (no repeat in 7 days)" in result.output and "28.6 %" in result.output
    assert "scoring conformity" in result.output  # progress lines
    assert (out / "report.md").exists() and not (out / "index.html").exists()
    drawn = runner.invoke(args=["dashboards", "--out", str(out)])
    assert drawn.exit_code == 0, drawn.output
    assert (out / "index.html").exists() and (out / "matrix.png").exists()
    written = runner.invoke(args=["report", "--out", str(tmp_path / "again")])
    assert written.exit_code == 0 and (tmp_path / "again" / "report.html").exists()
    exported = runner.invoke(args=["matrix", "export", "--out", str(tmp_path / "m.csv")])
    assert exported.exit_code == 0, exported.output
    with (tmp_path / "m.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 4


def test_dashboards_without_a_run_is_a_clear_error(app: Flask) -> None:
    result = ContactproCliRunner(app).invoke(args=["dashboards"])
    assert result.exit_code != 0
    assert "contactpro analyze" in result.output


def test_analyze_task_returns_the_kpis(
    app: Flask, case_ids: dict[int, int], period: Period, tmp_path: Path
) -> None:
    from tasks.analytics import analyze, run_scheduled

    with app.app_context():
        answer = analyze.delay(
            period.start.isoformat(), period.end.isoformat(), str(tmp_path / "t")
        ).get()
        scheduled = run_scheduled.run("hourly")
    kpis = {k["key"]: k["text"] for k in answer["kpis"]}
    assert kpis["interactions"] == "7" and kpis["auto_resolution"] == "57.1 %"
    assert Path(answer["outputs"]["index"]).exists()
    assert scheduled > answer["run_id"]


def test_period_dates_are_read_in_the_company_time_zone() -> None:
    from_date = company_time(datetime(2026, 3, 2), "America/Bogota")
    assert from_date == datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # midnight in Bogotá
    assert company_time(datetime(2026, 3, 2, tzinfo=UTC), "Asia/Tokyo") == datetime(
        2026, 3, 2, tzinfo=UTC
    )
    assert company_time(None, "UTC") is None

"""Scheduled runs cover the company's day and hour, and the beat fires at the company's hour."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

from contactpro.analytics.runs import period_for
from contactpro.analytics.targets import parse_targets
from contactpro.config import load_settings
from contactpro.console.durations import sla_level
from tasks.schedule import beat_schedule
from tests.conftest import AUTH_TOKEN


def test_daily_period_is_the_company_day_not_the_utc_one() -> None:
    now = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # 22:00 on 9 March in Bogotá
    period = period_for("daily", now, "America/Bogota")
    assert (period.start, period.end) == (
        datetime(2026, 3, 8, 5, 0, tzinfo=UTC),
        datetime(2026, 3, 9, 5, 0, tzinfo=UTC),
    )
    utc = period_for("daily", now)
    assert (utc.start, utc.end) == (
        datetime(2026, 3, 9, tzinfo=UTC),
        datetime(2026, 3, 10, tzinfo=UTC),
    )


def test_a_daylight_saving_day_has_23_hours() -> None:
    now = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)  # New York moved its clocks on 8 March
    period = period_for("daily", now, "America/New_York")
    assert (period.end - period.start).total_seconds() == 23 * 3600
    assert period.start == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)


def test_hourly_period_ends_on_the_local_hour() -> None:
    now = datetime(2026, 3, 10, 3, 50, tzinfo=UTC)
    period = period_for("hourly", now, "Asia/Kolkata")  # UTC+05:30
    assert period.end == datetime(2026, 3, 10, 3, 30, tzinfo=UTC)


def test_the_daily_beat_runs_at_the_company_hour_and_can_be_stored() -> None:
    settings = load_settings(
        environ={
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "CONTACTPRO_COMPANY_TIMEZONE": "America/Bogota",
            "CONTACTPRO_ANALYTICS_DAILY_HOUR": "2",
        },
        dotenv_path=None,
    )
    schedule = beat_schedule(settings)["analytics-daily"]["schedule"]
    now = schedule.nowfun()
    assert now.utcoffset().total_seconds() == -5 * 3600
    pickle.loads(pickle.dumps(schedule))  # beat keeps its schedule in a shelve file


def test_kpi_targets_and_sla_follow_their_settings() -> None:
    targets = parse_targets("auto_resolution>=60,queue_wait<=120")
    assert targets["auto_resolution"].met(0.61, "%") and not targets["auto_resolution"].met(
        0.5, "%"
    )
    assert (
        targets["queue_wait"].text("s") == "≤ 120 s"
        and targets["queue_wait"].met(None, "s") is None
    )
    assert [sla_level(s, 300) for s in (0, 149, 150, 299, 300)] == [
        "ok",
        "ok",
        "warn",
        "warn",
        "late",
    ]
    assert sla_level(200, 600) == "ok"

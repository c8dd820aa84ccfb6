"""The KPIs as docs/analytics.md defines them: change an input, watch the figure follow."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from contactpro.analytics import patterns, report
from contactpro.analytics.kpis import _fmt, kpi_table, wait_reduction
from contactpro.config import Settings
from contactpro.db import Database
from contactpro.models import Escalation, Interaction
from dashboards.figures import intent_mix
from tests.contactpro.analytics.conftest import make_settings


def analyse(db: Database, settings: Settings, period: patterns.Period) -> tuple[dict, dict]:
    with db.engine.begin() as conn:
        return patterns.analyse_patterns(conn, settings, period)


def kpis_of(total: dict, tables: dict, settings: Settings, period: patterns.Period) -> dict:
    return {k.key: k for k in kpi_table(total, tables["tiers"], settings, period, None)}


def test_handling_with_an_agent_runs_to_the_agents_resolution(
    db: Database, settings: Settings, case_ids: dict[int, int], period: patterns.Period
) -> None:
    # Case 4 (600 s on the line) is resolved by the agent 30 minutes after it started; case 6
    # (300 s) has no resolution yet, so its call's end is its end.
    with db.session() as session:
        esc = session.scalars(select(Escalation).where(Escalation.interaction_id == case_ids[4]))
        escalation = esc.one()
        started = session.get(Interaction, case_ids[4]).started_at  # type: ignore[union-attr]
        escalation.resolved_at = started + timedelta(minutes=30)
    total, tables = analyse(db, settings, period)
    assert total["agent_seconds"] == pytest.approx((1800 + 300) / 2)
    assert total["agent_contacts"] == 2
    assert kpis_of(total, tables, settings, period)["agent_minutes"].text == "17.5 min"


def test_wait_reduction_comes_only_from_measured_waits(
    db: Database, settings: Settings, case_ids: dict[int, int], period: patterns.Period
) -> None:
    total, tables = analyse(db, settings, period)
    assert (total["queue_waits"], total["queue_seconds"]) == (2, 90.0)
    assert kpis_of(total, tables, settings, period)["wait_reduction"].text == "50.0 %"
    with db.session() as session:
        session.execute(update(Escalation).values(queue_seconds=None))
    total, tables = analyse(db, settings, period)
    assert total["queue_waits"] == 0 and wait_reduction(total, settings) is None
    kpi = kpis_of(total, tables, settings, period)["wait_reduction"]
    assert kpi.value is None and kpi.text == "not measured"


def test_slower_waits_than_the_baseline_show_as_a_negative_reduction(
    db: Database, tmp_path: Path, case_ids: dict[int, int], period: patterns.Period
) -> None:
    settings = make_settings(tmp_path, baseline_wait_seconds=60)
    total, tables = analyse(db, settings, period)
    assert kpis_of(total, tables, settings, period)["wait_reduction"].text == "-50.0 %"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(-0.4, "currency", "0 USD"), (-0.0004, "%", "0.0 %"), (-3.0, "currency", "-3 USD")],
)
def test_no_negative_zero(value: float, unit: str, text: str) -> None:
    assert _fmt(value, unit, "USD") == text


def test_recommendations_need_volume_and_never_target_a_person(
    db: Database, tmp_path: Path, case_ids: dict[int, int], period: patterns.Period
) -> None:
    settings = make_settings(tmp_path)
    total, tables = analyse(db, settings, period)
    results = {
        "kpis": [k.as_dict() for k in kpis_of(total, tables, settings, period).values()],
        "totals": total,
        "tables": {name: frame.to_dict("records") for name, frame in tables.items()},
        "matrix": {"quadrants": []},
        "min_contacts": 1,
    }
    named = report.facts(results)
    assert named["worst_intent"] and "worst_hour" in named and "top_failure_step" in named
    # seven contacts are too few when the minimum is 30: no intent, hour or step is singled out
    few = report.facts({**results, "min_contacts": 30})
    assert not {"worst_intent", "worst_hour", "top_failure_step", "top_escalation_reason"} & set(
        few
    )
    prose = report.DeterministicWriter().write(few)
    assert not any("Review" in r or "Staff agents" in r for r in prose.recommendations)
    # callers who asked for a person are never "a flow to fix", however badly contained
    for row in results["tables"]["by_intent"]:
        row["intent"] = "agent_request" if row["intent"] == named["worst_intent"] else row["intent"]
    for row in results["tables"]["escalation_reasons"]:
        row["reason"] = "agent_request"
    again = report.facts(results)
    assert again.get("worst_intent") != "agent request"
    assert "top_escalation_reason" not in again


def test_intent_mix_is_weekly_counts_in_the_company_time_zone(
    db: Database, tmp_path: Path, case_ids: dict[int, int], period: patterns.Period
) -> None:
    utc = make_settings(tmp_path)
    _, tables = analyse(db, utc, period)
    weeks = tables["intent_trend"]
    assert set(weeks["week"]) == {"2026-03-02"}  # every contact is in the week of Monday 2nd
    assert int(weeks["contacts"].sum()) == 7
    figure = intent_mix(weeks.to_dict("records"), "UTC")
    heights = sum(p.get_height() for p in figure.axes[0].patches)
    assert heights == pytest.approx(7)  # counts, not a 100 % bar
    assert "n=7" in [t.get_text() for t in figure.axes[0].texts]


def test_hours_and_days_are_the_companys(
    db: Database, tmp_path: Path, case_ids: dict[int, int], period: patterns.Period
) -> None:
    with db.session() as session:
        first = session.get(Interaction, case_ids[1])
        assert first is not None and first.started_at.hour == 9  # 09:10 UTC, a Monday
    bogota = make_settings(tmp_path, company_timezone="America/Bogota")  # UTC-5, no DST
    _, utc_tables = analyse(db, make_settings(tmp_path), period)
    _, local_tables = analyse(db, bogota, period)
    utc_hours = sorted(int(h) for h in utc_tables["failures_by_hour"]["hour"])
    local_hours = sorted(int(h) for h in local_tables["failures_by_hour"]["hour"])
    assert local_hours == sorted((h - 5) % 24 for h in utc_hours)
    tokyo = make_settings(tmp_path, company_timezone="Asia/Tokyo")  # UTC+9: 09:10 is 18:10
    _, tokyo_tables = analyse(db, tokyo, period)
    volume = tokyo_tables["volume"]
    assert ((volume["weekday"] == 0) & (volume["hour"] == 18)).any()

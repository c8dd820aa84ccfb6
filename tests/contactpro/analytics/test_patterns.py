"""Pattern analysis and KPIs on the constructed data set, whose answers are known exactly."""

from __future__ import annotations

import pytest

from contactpro.analytics import patterns
from contactpro.analytics.kpis import kpi_table, savings
from contactpro.config import Settings
from contactpro.db import Database


@pytest.fixture
def analysed(db: Database, settings: Settings, case_ids: dict[int, int], period: patterns.Period):
    with db.engine.begin() as conn:
        return patterns.analyse_patterns(conn, settings, period)


def test_outcomes_containment_and_net_containment(analysed) -> None:
    total, _ = analysed
    assert total["contacts"] == 7
    assert total["resolved"] == 4
    # 1 is followed by 2 (same caller, same intent, 2 days later); 7 by 8 just after the period.
    assert total["contained"] == 2
    assert (total["escalated"], total["abandoned"]) == (2, 1)


def test_handling_times_and_queue_wait(analysed) -> None:
    total, _ = analysed
    assert total["automated_seconds"] == pytest.approx((60 + 90 + 120 + 45) / 4)
    assert total["agent_seconds"] == pytest.approx((600 + 300) / 2)
    assert total["queue_seconds"] == pytest.approx(90.0)
    assert total["queue_seconds_total"] == 180


def test_repeats_surveys_and_offers(analysed) -> None:
    total, _ = analysed
    # 1 repeats case 9 (two days earlier), 2 repeats 1, 4 repeats 3.
    assert total["repeat_contacts"] == 3
    assert total["repeat_callers"] == 2
    assert (total["csat_responses"], total["csat_mean"], total["offers_accepted"]) == (1, 5.0, 1)


def test_funnel_counts(analysed) -> None:
    _, tables = analysed
    funnel = dict(zip(tables["funnel"]["stage"], tables["funnel"]["contacts"], strict=True))
    assert funnel == {
        "contacts": 7,
        "identified": 6,
        "understood": 6,
        "served": 5,
        "resolved": 4,
        "contained": 2,
    }


def test_per_intent_and_channel(analysed) -> None:
    _, tables = analysed
    intents = tables["by_intent"].set_index("intent")
    balance = intents.loc["check_balance"]
    assert (balance["contacts"], balance["resolved"], balance["contained"]) == (4, 3, 1)
    assert balance["containment_rate"] == pytest.approx(0.25)
    assert intents.loc["unrecognised", "abandoned"] == 1
    channels = tables["by_channel"].set_index("channel")
    assert channels.loc["sms", "contacts"] == 1
    assert channels.loc["voice", "resolution_rate"] == pytest.approx(3 / 6)


def test_failures_by_step_reason_segment_and_hour(analysed) -> None:
    _, tables = analysed
    rows = {(r.step, r.reason, r.segment): r.failures for r in tables["failures"].itertuples()}
    assert rows == {
        ("asked_clarification", "complaint", "premium"): 1,
        ("before_first_step", "abandoned", "vip"): 1,
        ("before_first_step", "unknown_caller", "unknown"): 1,
    }
    hours = tables["failures_by_hour"].set_index("hour")
    assert hours.loc[14, "failure_rate"] == pytest.approx(1.0)
    assert hours.loc[10, "failure_rate"] == pytest.approx(0.5)


def test_volume_by_weekday_and_hour(analysed) -> None:
    _, tables = analysed
    cells = {(r.weekday, r.hour): r.contacts for r in tables["volume"].itertuples()}
    assert cells == {
        (0, 9): 1,
        (0, 10): 1,
        (2, 9): 1,
        (1, 10): 1,
        (1, 14): 1,
        (3, 14): 1,
        (4, 20): 1,
    }


def test_escalation_reasons_and_tiers(analysed, settings: Settings) -> None:
    _, tables = analysed
    reasons = tables["escalation_reasons"].set_index("reason")
    assert reasons.loc["complaint", "mean_queue_seconds"] == pytest.approx(120.0)
    tiers = tables["tiers"].groupby("tier")["turns"].sum().to_dict()
    assert tiers == {"rules": 4, "model": 1, "llm": 1, "none": 1}
    cost = tables["tiers"]["cost"].sum()
    assert cost == pytest.approx(settings.llm_cost_per_call + settings.model_cost_per_call)


def test_savings_and_kpi_table(analysed, settings: Settings, period: patterns.Period) -> None:
    total, tables = analysed
    money = savings(total, tables["tiers"], settings, period)
    avoided = 2 * 7.5 * settings.agent_cost_per_minute
    bot = 2 * (315 / 4 / 60) * settings.bot_cost_per_minute
    net = avoided - bot - tables["tiers"]["cost"].sum()
    assert money["period_savings"] == pytest.approx(net)
    assert money["monthly_savings"] == pytest.approx(net * 30 / 7)
    kpis = {k.key: k for k in kpi_table(total, tables["tiers"], settings, period, 60.0)}
    assert kpis["net_containment"].value == pytest.approx(2 / 7)
    # measured waits only: 120 s and 60 s, a mean of 90 s against the 180 s baseline
    assert kpis["wait_reduction"].value == pytest.approx(1 - 90 / 180)
    assert kpis["auto_resolution"].text == "57.1 %"


def test_empty_period_gives_zeros_not_errors(
    db: Database, settings: Settings, period: patterns.Period
) -> None:
    with db.engine.begin() as conn:
        total, tables = patterns.analyse_patterns(conn, settings, period)
    assert total["contacts"] == 0
    assert tables["by_intent"].empty
    kpis = {k.key: k for k in kpi_table(total, tables["tiers"], settings, period, None)}
    assert kpis["auto_resolution"].text == "not measured"
    assert kpis["wait_reduction"].text == "not measured"  # never "100 %" without a wait
    assert kpis["monthly_savings"].text == "not measured"  # never "-0 USD"

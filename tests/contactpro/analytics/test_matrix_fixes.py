"""The matrix after a threshold change, comparisons as shown, the matrix figure's labels, the
savings when agents take no time, and ranked report tables that say they are a top 10."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from contactpro.analytics import matrix, report
from contactpro.analytics.kpis import savings
from contactpro.analytics.patterns import Period
from contactpro.config import Settings
from contactpro.console.settings import update_config
from contactpro.db import Database
from contactpro.models import AnalysisRun, Customer, CustomerScore, utcnow
from dashboards.figures import build_figure
from tests.contactpro.analytics.conftest import START

# (name, conformity as stored, billing, expected value): recovery costs 100.
CUSTOMERS = [
    ("Ximena", 40.053, "30", "60"),  # shows 40.1
    ("Óscar", 40.116, "300", "3600"),  # shows 40.1
    ("Luis", 40.04, "30", "60"),  # shows 40.0: low, worth less than recovering: let go
    ("Marta", 20.0, "300", "3600"),  # low, worth recovering: retain
    ("Nora", 80.0, "300", "3600"),  # high conformity, high billing: monitor
]


@pytest.mark.parametrize(("conformity", "billing"), [(40.053, 30.0), (40.116, 30.0)])
def test_a_conformity_shown_as_the_threshold_counts_as_high(
    settings: Settings, conformity: float, billing: float
) -> None:
    history = matrix.PaymentHistory()
    placed = matrix.retention_quadrant(conformity, billing, history, (40.1, 100.0), settings)
    assert placed == "care"
    assert matrix.shown_conformity(conformity) == 40.1
    assert matrix.retention_quadrant(40.04, billing, history, (40.1, 100.0), settings) != "care"


def _scored_run(db: Database) -> int:
    """Store a finished run and the customers it placed at threshold 50 (billing cut 100)."""
    with db.session() as session:
        run = AnalysisRun(
            kind="manual",
            period_start=START,
            period_end=START + timedelta(days=7),
            code_version="test",
            results={},
            outputs={},
            seconds=1.0,
        )
        session.add(run)
        session.flush()
        rows = []
        for n, (name, conformity, billing, worth) in enumerate(CUSTOMERS):
            customer = Customer(name=name, phone=f"+5730055501{n:02d}")
            session.add(customer)
            session.flush()
            cuts = (50.0, 100.0)
            quadrant = matrix.placed(conformity, float(billing), Decimal(worth), 100, cuts)
            rows.append(
                {
                    "customer_id": customer.id,
                    "conformity": conformity,
                    "billing": float(billing),
                    "quadrant": quadrant,
                }
            )
            session.add(
                CustomerScore(
                    customer_id=customer.id,
                    conformity=conformity,
                    billing=Decimal(billing),
                    quadrant=quadrant,
                    interactions=1,
                    expected_value=Decimal(worth),
                    recovery_cost=Decimal("100"),
                    run_id=run.id,
                    computed_at=utcnow(),
                )
            )
        summary = matrix.summarise(pd.DataFrame(rows), 50.0, 100.0)
        run.results = {
            "run_id": run.id,
            "kpis": [],
            "totals": {"contacts": 0},
            "tables": _tables([]),
            "currency": "USD",
            "matrix": {**summary, "recovery_cost": 100.0, "customer_value_months": 12},
        }
        return run.id


def _tables(failures: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    names = ("by_intent", "failures_by_hour", "escalation_reasons", "tiers")
    return {"failures": failures, **{name: [] for name in names}}


@pytest.mark.parametrize("threshold", ["40,1", "60"])
def test_a_new_threshold_re_summarises_the_run_from_the_rows_it_places(
    db: Database, settings: Settings, threshold: str
) -> None:
    run_id = _scored_run(db)
    with db.session() as session:
        update_config(session, settings, {"conformity_threshold": threshold}, None, "es")
        assert matrix.apply_conformity_threshold(session, settings) == len(CUSTOMERS)
        assert matrix.placed_runs(session) == [run_id]
    cut = float(threshold.replace(",", "."))
    with db.session() as session:
        scored = select(CustomerScore, Customer).join(
            Customer, Customer.id == CustomerScore.customer_id
        )
        placed = {customer.name: score.quadrant for score, customer in session.execute(scored)}
        run = session.get(AnalysisRun, run_id)
        assert run is not None
        stored = run.results["matrix"]
    if cut == 40.1:
        assert placed == {
            "Ximena": "care",
            "Óscar": "monitor",
            "Luis": "let_go",
            "Marta": "retain",
            "Nora": "monitor",
        }
    else:
        assert placed["Nora"] == "monitor" and placed["Ximena"] == "let_go"
    counts = Counter(placed.values())
    summary = {q["quadrant"]: q["customers"] for q in stored["quadrants"]}
    assert summary == {q: counts.get(q, 0) for q in matrix.STRATEGIES}
    assert stored["conformity_threshold"] == cut and stored["billing_threshold"] == 100.0
    assert stored["recovery_cost"] == 100.0  # the run's own figures are kept
    assert Counter(p["quadrant"] for p in stored["sample"]) == counts
    markdown, _page = report.build_report(run.results)
    assert f"Conformity threshold {threshold.replace(',', '.')};" in markdown
    for quadrant in stored["quadrants"]:
        assert f"| {quadrant['label']} | {quadrant['customers']:,} |" in markdown


@pytest.mark.parametrize(
    ("language", "low_side", "corners"),
    [
        ("en", "RETAIN 1 · LET GO 2", ("MONITOR\n3", "CARE\n4")),
        ("es", "RETENER 1 · DEJAR IR 2", ("VIGILAR\n3", "CUIDAR\n4")),
    ],
)
def test_the_matrix_figure_does_not_put_let_go_in_the_low_billing_corner(
    language: str, low_side: str, corners: tuple[str, str]
) -> None:
    sample = [
        {"conformity": 10.0, "billing": 500.0, "quadrant": "let_go"},  # unpaid, high billing
        {"conformity": 10.0, "billing": 5.0, "quadrant": "let_go"},
        {"conformity": 20.0, "billing": 5.0, "quadrant": "retain"},  # retained, low billing
    ]
    counts = {"retain": 1, "let_go": 2, "monitor": 3, "care": 4}
    results = {
        "tables": {},
        "matrix": {
            "conformity_threshold": 50.0,
            "billing_threshold": 100.0,
            "sample": sample,
            "quadrants": [{"quadrant": q, "customers": n} for q, n in counts.items()],
        },
    }
    ax = build_figure("matrix", results, language).axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert set(corners) <= set(texts)
    assert low_side in texts
    let_go = "DEJAR IR" if language == "es" else "LET GO"
    assert not any(t.startswith(let_go) for t in texts)  # no corner of its own
    rule = "valor frente a costo" if language == "es" else "value against cost"
    assert any(rule in " ".join(t.split()) for t in texts)  # why both share one label
    # the billing line splits only the high-conformity side
    billing_line = [line for line in ax.lines if np.allclose(line.get_ydata(), 100.0)]
    assert billing_line and np.allclose(billing_line[0].get_xdata(), [0.5, 1.0])


def test_savings_use_a_measured_agent_time_of_zero(settings: Settings) -> None:
    total = {"automated_seconds": 120.0, "agent_seconds": 0.0, "contained": 10}
    period = Period(START, START + timedelta(days=30))
    money = savings(total, pd.DataFrame(), settings, period)
    assert money["agent_minutes_avoided"] == 0.0 and money["avoided_cost"] == 0.0
    assert money["monthly_savings"] < 0  # the bot's own minutes, nothing avoided
    nothing_escalated = savings({**total, "agent_seconds": None}, pd.DataFrame(), settings, period)
    assert nothing_escalated["agent_minutes_avoided"] == 20.0  # the bot's handling time


def _failures(counts: list[int]) -> list[dict[str, Any]]:
    return [
        {"step": f"step_{n}", "reason": "not_understood", "segment": "standard", "failures": c}
        for n, c in enumerate(counts)
    ]


def test_a_ranked_table_says_it_shows_the_top_ten() -> None:
    results: dict[str, Any] = {
        "kpis": [],
        "totals": {"contacts": 0},
        "matrix": {"quadrants": [], "conformity_threshold": 50.0, "billing_threshold": 1.0},
    }
    many = _failures([2, 2, 2] + [1] * 15)  # 18 rows, 21 failures; the first ten hold 13
    markdown, page = report.build_report({**results, "tables": _tables(many)})
    section = markdown.split("## Where conversations fail", 1)[1].split("## ", 1)[0]
    note = "Top 10 of 18 combinations of step, reason and segment: 13 of the 21 failures."
    assert note in section and note in page
    assert section.count("| step ") == 10
    few = _failures([2, 1])
    markdown, _page = report.build_report({**results, "tables": _tables(few)})
    assert "Top 10" not in markdown

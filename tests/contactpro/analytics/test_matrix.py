"""The priority matrix: quadrant boundaries, thresholds, storage, export, lookup."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from contactpro.analytics import conformity, matrix
from contactpro.analytics.patterns import Period
from contactpro.config import Settings
from contactpro.db import Database
from contactpro.models import CustomerScore


@pytest.mark.parametrize(
    ("conf", "bill", "expected"),
    [
        (49.9, 99.9, "let_go"),
        (49.9, 100.0, "retain"),
        (50.0, 99.9, "care"),
        (50.0, 100.0, "monitor"),
        (0.0, 1e9, "retain"),
        (100.0, 0.0, "care"),
    ],
)
def test_quadrant_boundaries(conf: float, bill: float, expected: str) -> None:
    assert matrix.quadrant_of(conf, bill, 50.0, 100.0) == expected


def test_billing_threshold_percentile_or_fixed(settings_factory) -> None:
    bills = pd.Series([10.0, 20.0, 30.0, 40.0, 50.0])
    assert matrix.billing_cut(bills, settings_factory()) == pytest.approx(30.0)
    assert matrix.billing_cut(bills, settings_factory(billing_percentile=80)) == pytest.approx(42)
    assert matrix.billing_cut(bills, settings_factory(billing_threshold=25)) == 25.0


def test_build_matrix_stores_quadrants_and_exports(
    db: Database, settings_factory, case_ids: dict[int, int], period: Period, tmp_path: Path
) -> None:
    settings: Settings = settings_factory(conformity_threshold=60, billing_threshold=200)
    with db.engine.begin() as conn:
        conformity.score_interactions(conn, settings, period.start, period.end)
        summary = matrix.build_matrix(conn, settings, period.end)
    with db.session() as session:
        stored = {s.customer_id: s for s in session.scalars(select(CustomerScore))}
        assert session.scalar(select(func.count()).select_from(CustomerScore)) == 4
        for score in stored.values():
            high_conf, high_bill = score.conformity >= 60, float(score.billing) >= 200
            expected = {
                (False, False): "let_go",
                (False, True): "retain",
                (True, False): "care",
                (True, True): "monitor",
            }[(high_conf, high_bill)]
            assert score.quadrant == expected
        assert sum(q["customers"] for q in summary["quadrants"]) == 4
        assert summary["billing_threshold"] == 200
        some = next(iter(stored))
        found = matrix.customer_quadrant(session, some)
        assert found is not None and found.strategy.quadrant == stored[some].quadrant
        assert matrix.customer_quadrant(session, 999_999) is None
        out = tmp_path / "retain.csv"
        count = matrix.export_quadrants(session, out)
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert count == len(rows) == 4
    assert set(rows[0]) == set(matrix.EXPORT_COLUMNS)

"""The conformity threshold managers set on the settings page is the matrix's threshold: the
report, the stored quadrants and the agents' queue all use the one figure, through the
installed ``contactpro`` command as an operator runs it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import select

from contactpro.analytics.matrix import apply_conformity_threshold, quadrant_of
from contactpro.config import Settings
from contactpro.console.settings import conformity_threshold, update_config
from contactpro.db import Database
from contactpro.models import AnalysisRun, CustomerScore
from tests.contactpro.analytics.conftest import installed_contactpro


def _analyze(settings: Settings, out: Path) -> subprocess.CompletedProcess[str]:
    args = ["analyze", "--from", "2026-03-02", "--to", "2026-03-09", "--out", str(out)]
    return installed_contactpro(
        settings,
        *args,
        "--no-dashboards",
        CONTACTPRO_COMPANY_TIMEZONE="UTC",
        CONTACTPRO_BILLING_THRESHOLD="200",
    )


def _placed_by(db: Database, threshold: float) -> None:
    """Assert every stored quadrant sits on the side of ``threshold`` its conformity is."""
    with db.session() as session:
        scores = session.scalars(select(CustomerScore)).all()
        assert scores
        for score in scores:
            high = score.conformity >= threshold
            assert (score.quadrant in ("care", "monitor")) == high, (score.conformity, threshold)


def test_analyze_uses_the_threshold_set_on_the_settings_page(
    db: Database, settings: Settings, case_ids: dict[int, int], tmp_path: Path
) -> None:
    with db.session() as session:
        update_config(session, settings, {"conformity_threshold": "70"}, None)
        session.commit()
    result = _analyze(settings, tmp_path / "run")
    assert result.returncode == 0, result.stderr
    report = (tmp_path / "run" / "report.md").read_text(encoding="utf-8")
    assert "Conformity threshold 70" in report and "Conformity threshold 50" not in report
    with db.session() as session:
        run = session.scalars(select(AnalysisRun).order_by(AnalysisRun.id.desc())).first()
        assert run is not None and run.results["matrix"]["conformity_threshold"] == 70.0
    _placed_by(db, 70.0)


def test_changing_the_threshold_moves_customers_and_the_queue_at_once(
    db: Database, settings: Settings, case_ids: dict[int, int], tmp_path: Path
) -> None:
    assert _analyze(settings, tmp_path / "run").returncode == 0
    _placed_by(db, 50.0)
    with db.session() as session:
        conformities = sorted(s.conformity for s in session.scalars(select(CustomerScore)))
        # Just above the least conforming "high" customer (or just below the most conforming
        # "low" one): that customer changes side.
        highs = [c for c in conformities if c >= 50.0]
        cut = round(min(highs) + 0.01 if highs else max(conformities) - 0.01, 2)
        before = {s.customer_id: s.quadrant for s in session.scalars(select(CustomerScore))}
        update_config(session, settings, {"conformity_threshold": str(cut)}, None)
        moved = apply_conformity_threshold(session, settings)
        session.commit()
        assert moved == len(before)
    _placed_by(db, cut)
    with db.session() as session:
        assert conformity_threshold(session, settings) == cut
        after = {s.customer_id: s for s in session.scalars(select(CustomerScore))}
        assert before != {cid: s.quadrant for cid, s in after.items()}
        for score in after.values():
            if score.quadrant in ("care", "monitor"):  # the billing side is kept as scored
                expected = quadrant_of(score.conformity, float(score.billing), cut, 200.0)
                assert score.quadrant == expected

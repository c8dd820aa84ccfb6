"""The conformity score: behaviour, combination with the text score, storage, CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cli.analytics import conformity_group
from contactpro.analytics import conformity
from contactpro.analytics.patterns import Period
from contactpro.config import Settings
from contactpro.db import Database
from contactpro.models import InteractionScore


@pytest.mark.parametrize(
    ("outcome", "reason", "repeat", "offer", "csat", "expected"),
    [
        ("auto_resolved", None, False, False, None, 1.0),
        ("escalated", "agent_request", False, False, None, 0.65),
        ("escalated", "complaint", True, False, None, 0.30),
        ("abandoned", None, False, True, None, 0.80),
        ("auto_resolved", None, False, False, 1, 0.5),
        ("abandoned", None, True, False, 5, 0.7),
    ],
)
def test_behaviour_score(outcome, reason, repeat, offer, csat, expected) -> None:
    assert conformity.behaviour_score(outcome, reason, repeat, offer, csat) == pytest.approx(
        expected
    )


def test_conformity_combines_text_and_behaviour() -> None:
    assert conformity.conformity(0.5, 1.0) == pytest.approx(70.0)
    assert conformity.conformity(None, 0.4) == pytest.approx(40.0)


def test_score_interactions_stores_each_once(
    db: Database, settings: Settings, case_ids: dict[int, int], period: Period
) -> None:
    with db.engine.begin() as conn:
        first = conformity.score_interactions(conn, settings, period.start, period.end)
        again = conformity.score_interactions(conn, settings, period.start, period.end)
    assert (first, again) == (7, 0)
    with db.session() as session:
        scores = {s.interaction_id: s for s in session.scalars(select(InteractionScore))}
    complaint, thanks = scores[case_ids[4]], scores[case_ids[7]]
    assert complaint.behaviour_score == pytest.approx(0.3)  # complaint escalation + repeat
    assert thanks.behaviour_score == pytest.approx(1.0)  # offer accepted, CSAT 5
    assert complaint.conformity < 40 < 70 < thanks.conformity


def test_cli_scores_a_csv(tmp_path: Path) -> None:
    source = tmp_path / "texts.csv"
    pd.DataFrame(
        {"id": [1, 2], "utterance": ["Muchas gracias, excelente", "I am furious, cancel it"]}
    ).to_csv(source, index=False)
    out = tmp_path / "scored.csv"
    result = CliRunner().invoke(
        conformity_group,
        ["score", "--data", str(source), "--text-column", "utterance", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    scored = pd.read_csv(out)
    assert list(scored["label"]) == ["positive", "negative"]
    assert scored.loc[0, "conformity"] > 60 > 40 > scored.loc[1, "conformity"]
    bad = CliRunner().invoke(
        conformity_group, ["score", "--data", str(source), "--text-column", "nope"]
    )
    assert bad.exit_code != 0 and "nope" in bad.output

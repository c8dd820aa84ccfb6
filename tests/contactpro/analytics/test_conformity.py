"""The conformity model and score: ordering, held-out macro-F1, behaviour, storage, CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sqlalchemy import select

from cli.analytics import conformity_group
from contactpro.analytics import conformity
from contactpro.analytics.patterns import Period
from contactpro.config import Settings
from contactpro.db import Database
from contactpro.models import InteractionScore


@pytest.fixture(scope="module")
def split() -> tuple[pd.DataFrame, pd.DataFrame, conformity.SentimentModel]:
    data = conformity.load_utterances()
    train, test = train_test_split(
        data, test_size=0.25, stratify=data["label"] + data["language"], random_state=7
    )
    return train, test, conformity.train(train)


def test_training_data_is_bilingual_and_balanced() -> None:
    data = conformity.load_utterances()
    counts = data.groupby(["language", "label"]).size()
    assert set(data["language"]) == {"es", "en"}
    assert counts.min() >= 50


@pytest.mark.parametrize("language", ["es", "en"])
def test_held_out_macro_f1(split, language: str) -> None:
    _, test, model = split
    part = test[test["language"] == language]
    assert f1_score(part["label"], model.predict(part["text"].tolist()), average="macro") >= 0.7


def test_scores_are_ordered_negative_neutral_positive(split) -> None:
    _, test, model = split
    means = pd.Series(model.score(test["text"].tolist()), index=test["label"].values)
    by_label = means.groupby(level=0).mean()
    assert by_label["negative"] + 0.1 < by_label["neutral"] < by_label["positive"] - 0.1


def test_shipped_model_loads_and_matches_its_metadata() -> None:
    model = conformity.load_model()
    assert model.version.startswith("tfidf-lr-")
    scores = model.score(["Excelente servicio, muchas gracias", "Esto es una estafa, cancelo"])
    assert scores[0] > 0.6 > 0.4 > scores[1]


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

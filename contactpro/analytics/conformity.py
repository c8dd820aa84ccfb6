"""Conformity: how satisfied a customer sounds and behaves, on a 0-100 scale.

Per interaction::

    text       = P(positive) + 0.5 * P(neutral)      from the caller's words (0..1)
    behaviour  = 1.0
                 - 0.35 if escalated (- 0.50 when the reason is a complaint)
                 - 0.40 if abandoned
                 - 0.20 if it repeats a contact of the last ``repeat_contact_days`` days
                 + 0.20 if a retention offer was accepted          (clipped to 0..1)
                 then, with a survey answer (``state.csat``, 1-5):
                 behaviour = 0.5 * behaviour + 0.5 * (csat - 1) / 4
    conformity = 100 * (0.6 * text + 0.4 * behaviour)   (100 * behaviour without caller text)

Per customer: the mean conformity of their interactions in the last ``conformity_window_days``.

The text model is a bilingual (Spanish, English) three-class sentiment classifier: character
and word n-gram TF-IDF with a logistic regression, trained on the call-center utterances written
for the project in ``contactpro/data/conformity`` (see its README). It is small, fast (tens of
thousands of texts a second) and language-agnostic in its features.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, exists, func, insert, select
from sqlalchemy.orm import aliased

from contactpro.analytics.sql import epoch
from contactpro.config import Settings
from contactpro.errors import ContactProError
from contactpro.models import Escalation, Interaction, InteractionScore, Turn, utcnow

log = logging.getLogger(__name__)

LABELS = ("negative", "neutral", "positive")
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "conformity"
MODEL_FILE = "model.joblib"
META_FILE = "model.json"
TEXT_WEIGHT = 0.6
BATCH = 5000

_USER = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+")
_REPEAT = re.compile(r"(.)\1{2,}")


class ConformityError(ContactProError):
    """The conformity model cannot be loaded or the input cannot be scored."""

    reason = "conformity_failed"


def normalise(text: str) -> str:
    """Lower-case, mask handles and links, squeeze letters repeated for emphasis."""
    text = _URL.sub(" url ", _USER.sub(" @user ", text.lower()))
    return _REPEAT.sub(r"\1\1", text)


def load_utterances(folder: Path = DATA_DIR) -> pd.DataFrame:
    """Return the project's labelled utterances: columns text, label, language."""
    frames = []
    for language in ("es", "en"):
        frame = pd.read_csv(
            folder / f"{language}.txt", sep="\t", names=["label", "text"], quoting=3, dtype=str
        )
        frames.append(frame.assign(language=language))
    data = pd.concat(frames, ignore_index=True)
    unknown = set(data["label"]) - set(LABELS)
    if unknown:
        raise ConformityError(f"unknown labels in {folder}: {sorted(unknown)}")
    return data[["text", "label", "language"]]


def build_pipeline(c: float = 10.0) -> Any:
    """Return an untrained TF-IDF (char 1-5 + word 1-2) and logistic-regression pipeline."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(1, 5),
            sublinear_tf=True,
            strip_accents="unicode",
            preprocessor=normalise,
        ),
        TfidfVectorizer(
            ngram_range=(1, 2),
            sublinear_tf=True,
            strip_accents="unicode",
            preprocessor=normalise,
            token_pattern=r"(?u)\b\w+\b|[¡!¿?]",
        ),
    )
    classifier = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    return make_pipeline(features, classifier)


@dataclass
class SentimentModel:
    """A trained three-class sentiment classifier and its version."""

    pipeline: Any
    version: str

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Return P(negative), P(neutral), P(positive) for each text (shape n x 3)."""
        if len(texts) == 0:
            return np.zeros((0, 3))
        proba: np.ndarray = self.pipeline.predict_proba(list(texts))
        order = [list(self.pipeline.classes_).index(label) for label in LABELS]
        ordered: np.ndarray = proba[:, order]
        return ordered

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Return the most likely label of each text."""
        return [LABELS[i] for i in self.predict_proba(texts).argmax(axis=1)]

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """Return the text score of each text: P(positive) + 0.5 P(neutral), 0..1."""
        proba = self.predict_proba(texts)
        return proba[:, 2] + 0.5 * proba[:, 1] if len(proba) else np.zeros(0)


def _data_digest(data: pd.DataFrame) -> str:
    joined = "\n".join(
        f"{label}\t{text}" for label, text in zip(data["label"], data["text"], strict=True)
    )
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


def train(data: pd.DataFrame, c: float = 10.0) -> SentimentModel:
    """Train the sentiment model on a frame with ``text`` and ``label`` columns."""
    import sklearn

    pipeline = build_pipeline(c).fit(data["text"].tolist(), data["label"].tolist())
    return SentimentModel(pipeline, f"tfidf-lr-{_data_digest(data)}-skl{sklearn.__version__}")


def save_model(model: SentimentModel, folder: Path = DATA_DIR, **metrics: Any) -> Path:
    """Write the model artifact and its metadata (version, checksum, metrics) to ``folder``."""
    import joblib
    import sklearn

    path = folder / MODEL_FILE
    joblib.dump(model.pipeline, path, compress=3)
    meta = {
        "version": model.version,
        "sklearn": sklearn.__version__,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "metrics": metrics,
    }
    (folder / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")
    return path


@lru_cache(maxsize=1)
def load_model(folder: Path = DATA_DIR) -> SentimentModel:
    """Return the shipped model; retrain it from the utterances if the artifact does not fit.

    The artifact is only unpickled when its checksum matches the metadata written with it and
    it was made by the installed scikit-learn version; otherwise the (small) training set is
    used again, which takes about a second.
    """
    import sklearn

    path, meta_path = folder / MODEL_FILE, folder / META_FILE
    if path.is_file() and meta_path.is_file():
        meta = json.loads(meta_path.read_text())
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if meta.get("sha256") == digest and meta.get("sklearn") == sklearn.__version__:
            import joblib

            return SentimentModel(joblib.load(path), str(meta["version"]))
        log.warning("conformity model artifact does not fit; retraining", extra={"path": str(path)})
    return train(load_utterances(folder))


def behaviour_score(
    outcome: str | None,
    reason: str | None,
    repeat: bool,
    offer_accepted: bool,
    csat: int | None,
) -> float:
    """Return the behaviour part of conformity (0..1), as documented in the module."""
    score = 1.0
    if outcome == "escalated":
        score -= 0.5 if reason == "complaint" else 0.35
    elif outcome == "abandoned":
        score -= 0.4
    if repeat:
        score -= 0.2
    if offer_accepted:
        score += 0.2
    score = min(1.0, max(0.0, score))
    if csat is not None and 1 <= csat <= 5:
        score = 0.5 * score + 0.5 * (csat - 1) / 4.0
    return score


def conformity(text_score: float | None, behaviour: float) -> float:
    """Combine the text and behaviour parts into the 0-100 conformity score."""
    if text_score is None:
        return 100.0 * behaviour
    return 100.0 * (TEXT_WEIGHT * text_score + (1.0 - TEXT_WEIGHT) * behaviour)


def _unscored(start: datetime, end: datetime, after: int, repeat_seconds: float) -> Any:
    prev = aliased(Interaction)
    repeat = exists().where(
        prev.from_number == Interaction.from_number,
        prev.id != Interaction.id,
        prev.started_at <= Interaction.started_at,
        epoch(prev.started_at) >= epoch(Interaction.started_at) - repeat_seconds,
    )
    scored = exists().where(InteractionScore.interaction_id == Interaction.id)
    return (
        select(
            Interaction.id,
            Interaction.customer_id,
            Interaction.started_at,
            Interaction.outcome,
            Escalation.reason,
            Interaction.state["csat"].as_integer().label("csat"),
            Interaction.state["offer_accepted"].as_boolean().label("offer_accepted"),
            repeat.label("repeat"),
        )
        .outerjoin(Escalation, Escalation.interaction_id == Interaction.id)
        .where(
            Interaction.status == "closed",
            Interaction.started_at >= start,
            Interaction.started_at < end,
            Interaction.id > after,
            ~scored,
        )
        .order_by(Interaction.id)
        .limit(BATCH)
    )


def caller_texts(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    """Return what the caller said in each interaction, turns joined in order."""
    rows = conn.execute(
        select(Turn.interaction_id, Turn.text)
        .where(Turn.interaction_id.in_(list(ids)), Turn.speaker == "caller", Turn.text != "")
        .order_by(Turn.interaction_id, Turn.sequence)
    )
    texts: dict[int, list[str]] = {}
    for interaction_id, text in rows:
        texts.setdefault(interaction_id, []).append(text)
    return {k: " ".join(v) for k, v in texts.items()}


def score_interactions(
    conn: Connection,
    settings: Settings,
    start: datetime,
    end: datetime,
    model: SentimentModel | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Score the closed, not yet scored interactions started in ``[start, end)``; return count.

    Works in batches of ``BATCH`` interactions (keyset pagination), so memory stays flat.
    """
    model = model or load_model()
    repeat_seconds = timedelta(days=settings.repeat_contact_days).total_seconds()
    after, done = 0, 0
    while True:
        batch = conn.execute(_unscored(start, end, after, repeat_seconds)).all()
        if not batch:
            return done
        ids = [row.id for row in batch]
        texts = caller_texts(conn, ids)
        unique = pd.Series(list(set(texts.values())), dtype=object)
        scores = dict(zip(unique, model.score(unique.tolist()), strict=True))
        now = utcnow()
        rows = []
        for row in batch:
            text = texts.get(row.id)
            text_score = float(scores[text]) if text is not None else None
            behaviour = behaviour_score(
                row.outcome, row.reason, bool(row.repeat), bool(row.offer_accepted), row.csat
            )
            rows.append(
                {
                    "interaction_id": row.id,
                    "customer_id": row.customer_id,
                    "started_at": row.started_at,
                    "text_score": text_score,
                    "behaviour_score": behaviour,
                    "conformity": conformity(text_score, behaviour),
                    "model_version": model.version,
                    "computed_at": now,
                }
            )
        conn.execute(insert(InteractionScore), rows)
        done += len(rows)
        after = ids[-1]
        if progress:
            progress(done)


def mean_conformity(conn: Connection, start: datetime, end: datetime) -> float | None:
    """Return the mean interaction conformity of a period (None when nothing is scored)."""
    value = conn.scalar(
        select(func.avg(InteractionScore.conformity)).where(
            and_(InteractionScore.started_at >= start, InteractionScore.started_at < end)
        )
    )
    return float(value) if value is not None else None


def score_texts(texts: Sequence[str], model: SentimentModel | None = None) -> pd.DataFrame:
    """Score free texts: columns label, p_negative, p_neutral, p_positive, conformity (0-100).

    Without behaviour, a text's conformity is ``100 * text score``.
    """
    model = model or load_model()
    proba = model.predict_proba([str(t) for t in texts])
    frame = pd.DataFrame(proba, columns=[f"p_{label}" for label in LABELS])
    frame.insert(0, "label", [LABELS[i] for i in proba.argmax(axis=1)] if len(proba) else [])
    frame["conformity"] = 100.0 * (frame["p_positive"] + 0.5 * frame["p_neutral"])
    return frame

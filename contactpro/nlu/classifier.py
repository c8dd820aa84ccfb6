"""The trained tier: TF-IDF character and word n-grams plus sentence embeddings, one linear model.

Features are character n-grams (robust to typos and to Spanish morphology), word n-grams, and a
sentence embedding from the encoder named in the config (:mod:`contactpro.nlu.encoders`; by
default a word table distilled from multilingual-e5-small, stored in the artifact). A multinomial
logistic regression scores the intents. Confidence is the top probability times a novelty factor:
the mean cosine similarity of the utterance to its nearest training examples, raised to a power.
Utterances unlike anything seen in training lose confidence even when one intent wins the
softmax, which is what separates out-of-scope traffic from in-scope traffic.

The threshold is picked on a validation split (:func:`pick_threshold`). Below it the answer is
out of scope.

An artifact is a directory with ``model.json`` (metadata, vectoriser vocabularies) and
``weights.npz`` (arrays only): loading it never executes code, unlike a pickle.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from contactpro.errors import UnderstandingError
from contactpro.nlu.datasets import Example, data_hash, split_examples
from contactpro.nlu.encoders import (
    DEFAULT_ENCODER,
    E5,
    ENCODERS,
    NONE,
    STATIC,
    SentenceEncoder,
    check_encoder,
    contextual_encoder,
    encoder_available,
)
from contactpro.nlu.ngrams import NgramFeatures
from contactpro.nlu.static import StaticEncoder, Teacher
from contactpro.nlu.taxonomy import OUT_OF_SCOPE
from contactpro.nlu.text import fold

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

FORMAT = "contactpro-intents/1"
SHIPPED_MODEL_DIR = Path(__file__).resolve().parent.parent / "data" / "intents" / "model"
Progress = Callable[[str, int, int], None]
RANKED = 5

# e5's cosines to the nearest training rows sit between 0.8 and 1: a high power spreads them
# (8 beat 2 on CLINC150 validation and on the shipped corpus's carved-out fifth). The other
# encoders' cosines are lower; at 8 their confidences crowd below the threshold grid's first step.
KNN_POWERS: dict[str, float] = {E5: 8.0}

_VECTORIZERS: dict[str, dict[str, Any]] = {
    "char": {"analyzer": "char_wb", "ngram_range": (2, 5), "sublinear_tf": True, "min_df": 2},
    "word": {"analyzer": "word", "ngram_range": (1, 2), "sublinear_tf": True, "min_df": 1},
}


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters; the defaults were tuned on CLINC150 validation data."""

    encoder: str = DEFAULT_ENCODER
    embedding_weight: float = 2.0
    c: float = 10.0
    oos_weight: float = 4.0
    knn_k: int = 3
    knn_power: float | None = None  # None: the encoder's (KNN_POWERS), else 2
    max_in_scope_loss: float = 0.02
    val_percent: int = 20
    max_iter: int = 500
    oos_label: str = OUT_OF_SCOPE

    def __post_init__(self) -> None:
        if self.knn_power is None:  # resolved here so that a saved config names its power
            object.__setattr__(self, "knn_power", KNN_POWERS.get(self.encoder, 2.0))

    @property
    def embeddings(self) -> bool:
        """Return True when a sentence embedding joins the n-gram features."""
        return self.encoder != NONE


@dataclass(frozen=True)
class Prediction:
    """The model's answer for one text: the intent after the threshold, and the runner-up."""

    intent: str
    confidence: float
    top_intent: str
    probability: float
    similarity: float
    ranked: tuple[str, ...] = ()  # the likeliest intents, best first (top ``RANKED``)


@dataclass
class IntentModel:
    """A trained intent classifier with everything needed to score and describe it."""

    classes: list[str]
    vectorizers: dict[str, TfidfVectorizer]
    weights: np.ndarray  # (n_features, n_classes), sparse features first, embedding last
    intercept: np.ndarray
    threshold: float
    config: TrainConfig
    metadata: dict[str, Any] = field(default_factory=dict)
    train_embeddings: np.ndarray | None = None  # in-scope training rows, for the novelty factor
    encoder: SentenceEncoder | None = None
    ngrams: NgramFeatures | None = field(default=None, repr=False, compare=False)

    # --- scoring --------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Build the n-gram scorer now, without running the encoder (safe before a fork)."""
        self._sparse(["-"])

    def _sparse(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self.ngrams is None:
            self.ngrams = NgramFeatures(self.vectorizers)
        return self.ngrams.transform([fold(t) for t in texts])

    def _embed(self, texts: Sequence[str]) -> np.ndarray | None:
        if not self.config.embeddings:
            return None
        if self.encoder is None:
            if self.config.encoder == STATIC:
                raise UnderstandingError(
                    "the model has no word table for its e5-static encoder", reason="model_format"
                )
            self.encoder = contextual_encoder(self.config.encoder)
        return self.encoder.encode(list(texts))

    def scores(
        self, texts: Sequence[str], embeddings: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (class probabilities, novelty similarity) for a batch of texts."""
        sparse = self._sparse(texts)
        n_sparse = sparse.shape[1]
        logits = np.asarray(sparse @ self.weights[:n_sparse]) + self.intercept
        similarity = np.ones(len(texts), dtype=np.float32)
        if self.config.embeddings:
            emb = self._embed(texts) if embeddings is None else embeddings
            assert emb is not None
            logits += (emb * self.config.embedding_weight) @ self.weights[n_sparse:]
            if self.train_embeddings is not None and len(self.train_embeddings):
                k = min(self.config.knn_k, len(self.train_embeddings))
                sims = emb @ self.train_embeddings.T
                top = np.partition(sims, -k, axis=1)[:, -k:]
                similarity = np.clip(top.mean(axis=1), 0.0, 1.0)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        return probs, similarity

    def confidences(self, probs: np.ndarray, similarity: np.ndarray) -> np.ndarray:
        """Return the confidence of the top intent: probability times novelty factor."""
        power = self.config.knn_power
        assert power is not None  # TrainConfig resolves it
        confidence: np.ndarray = probs.max(axis=1) * similarity**power
        return confidence

    def decide(self, probs: np.ndarray, similarity: np.ndarray, threshold: float) -> list[str]:
        """Return the intents after applying ``threshold`` (below it: out of scope)."""
        conf = self.confidences(probs, similarity)
        top = probs.argmax(axis=1)
        oos = self.config.oos_label
        return [oos if c < threshold else self.classes[i] for i, c in zip(top, conf, strict=True)]

    def predict(self, text: str) -> Prediction:
        """Score one utterance."""
        probs, similarity = self.scores([text])
        confidence = float(self.confidences(probs, similarity)[0])
        ranked = tuple(self.classes[int(i)] for i in np.argsort(-probs[0])[:RANKED])
        top = ranked[0]
        intent = top if confidence >= self.threshold else self.config.oos_label
        return Prediction(
            intent, confidence, top, float(probs[0].max()), float(similarity[0]), ranked
        )

    def predict_many(self, texts: Sequence[str], *, batch_size: int = 256) -> list[str]:
        """Return the intents of many texts (batched embedding)."""
        out: list[str] = []
        for i in range(0, len(texts), batch_size):
            probs, sim = self.scores(texts[i : i + batch_size])
            out.extend(self.decide(probs, sim, self.threshold))
        return out

    # --- persistence -----------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write ``model.json`` and ``weights.npz`` into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        vocab = {
            name: {
                "params": _jsonable(_saved_params(v)),
                "vocabulary": {t: int(i) for t, i in v.vocabulary_.items()},
            }
            for name, v in self.vectorizers.items()
        }
        document = {
            "format": FORMAT,
            "classes": self.classes,
            "threshold": self.threshold,
            "config": asdict(self.config),
            "metadata": self.metadata,
            "vectorizers": vocab,
        }
        arrays: dict[str, np.ndarray] = {
            "weights": self.weights.astype(np.float32),
            "intercept": self.intercept.astype(np.float32),
        }
        for name, v in self.vectorizers.items():
            arrays[f"idf_{name}"] = v.idf_.astype(np.float32)
        if self.train_embeddings is not None:
            arrays["train_embeddings"] = self.train_embeddings.astype(np.float16)
        if isinstance(self.encoder, StaticEncoder):
            document["static_words"] = self.encoder.words
            arrays["static_vectors"] = self.encoder.vectors.astype(np.float16)
            arrays["static_weights"] = self.encoder.weights.astype(np.float32)
        (directory / "model.json").write_text(
            json.dumps(document, ensure_ascii=False, sort_keys=True), encoding="utf-8"
        )
        np.savez_compressed(directory / "weights.npz", allow_pickle=False, **arrays)

    @classmethod
    def load(cls, directory: Path) -> IntentModel:
        """Read an artifact; raise UnderstandingError when it is missing or of another format."""
        try:
            document = json.loads((directory / "model.json").read_text(encoding="utf-8"))
            arrays = np.load(directory / "weights.npz", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise UnderstandingError(
                f"cannot read intent model in {directory}: {exc}", reason="model_unreadable"
            ) from None
        if document.get("format") != FORMAT:
            raise UnderstandingError(f"{directory} is not a {FORMAT} model", reason="model_format")
        # scikit-learn (a second to import) loads with the model: see _fit.
        from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415

        vectorizers = {}
        for name, spec in document["vectorizers"].items():
            params = dict(spec["params"])
            params["ngram_range"] = tuple(params["ngram_range"])
            vec = TfidfVectorizer(vocabulary=spec["vocabulary"], dtype=np.float32, **params)
            vec.idf_ = arrays[f"idf_{name}"].astype(np.float64)
            vectorizers[name] = vec
        train_embeddings = (
            arrays["train_embeddings"].astype(np.float32) if "train_embeddings" in arrays else None
        )
        config = _config(document["config"])
        encoder: SentenceEncoder | None = None
        if config.encoder == STATIC:
            if "static_vectors" not in arrays:
                raise UnderstandingError(
                    f"{directory} has no word table for its e5-static encoder",
                    reason="model_format",
                )
            encoder = StaticEncoder(
                document["static_words"], arrays["static_vectors"], arrays["static_weights"]
            )
        return cls(
            classes=list(document["classes"]),
            vectorizers=vectorizers,
            weights=arrays["weights"].astype(np.float32),
            intercept=arrays["intercept"].astype(np.float32),
            threshold=float(document["threshold"]),
            config=config,
            metadata=document.get("metadata", {}),
            train_embeddings=train_embeddings,
            encoder=encoder,
        )

    @property
    def encoder_name(self) -> str:
        """Return the name of the encoder this model was trained with."""
        return self.config.encoder


def _config(saved: dict[str, Any]) -> TrainConfig:
    """Read a saved config; models from before encoders had names used MiniLM or nothing."""
    saved = dict(saved)
    if "embeddings" in saved:
        saved.setdefault("encoder", "minilm" if saved.pop("embeddings") else NONE)
    known = TrainConfig.__dataclass_fields__
    return TrainConfig(**{k: v for k, v in saved.items() if k in known})


def _saved_params(vec: TfidfVectorizer) -> dict[str, Any]:
    # min_df only matters while fitting; with a fixed vocabulary it is ignored.
    params = vec.get_params()
    return {k: params[k] for k in ("analyzer", "ngram_range", "sublinear_tf")}


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


# --- training ------------------------------------------------------------------------------------


def pick_threshold(
    model: IntentModel,
    probs: np.ndarray,
    similarity: np.ndarray,
    labels: Sequence[str],
) -> tuple[float, dict[str, float]]:
    """Return the validation threshold that best separates in scope from out of scope.

    Among the thresholds costing at most ``max_in_scope_loss`` of the best in-scope accuracy,
    the one with the highest in-scope accuracy plus out-of-scope recall wins (the highest such
    threshold on ties). Without out-of-scope rows it is the highest threshold costing a quarter
    of that.
    """
    oos = model.config.oos_label
    gold = np.array(labels)
    in_scope = gold != oos
    conf = model.confidences(probs, similarity)
    top = np.array(model.classes)[probs.argmax(axis=1)]

    def rates(th: float) -> tuple[float, float]:
        pred = np.where(conf < th, oos, top)
        acc = float((pred[in_scope] == gold[in_scope]).mean()) if in_scope.any() else 0.0
        rec = float((pred[~in_scope] == oos).mean()) if (~in_scope).any() else float("nan")
        return acc, rec

    grid = np.round(np.arange(0.0, 0.951, 0.005), 3)
    table = [(float(th), *rates(float(th))) for th in grid]
    best = max(acc for _, acc, _ in table)
    no_oos = not (~in_scope).any()
    # Without out-of-scope rows the threshold's benefit cannot be measured: spend a quarter.
    budget = model.config.max_in_scope_loss / (4 if no_oos else 1)
    affordable = [row for row in table if row[1] >= best - budget - 1e-9]
    if no_oos:
        chosen = max(th for th, _, _ in affordable)
    else:
        chosen = max(affordable, key=lambda row: (round(row[1] + row[2], 6), row[0]))[0]
    acc, rec = rates(chosen)
    return chosen, {
        "val_in_scope_accuracy": acc,
        "val_oos_recall": rec,
        "val_best_in_scope_accuracy": best,
    }


def _fit(
    train: Sequence[Example],
    config: TrainConfig,
    encoder: SentenceEncoder | None,
    report: Progress,
) -> IntentModel:
    """Fit vectorisers and the linear model; the threshold is left at zero."""
    # scikit-learn loads with a model trained or read: processes that only import the cascade
    # (every command, a worker that never classifies) do not pay a second for it.
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    texts = [ex.text for ex in train]
    labels = [ex.label for ex in train]
    vectorizers = {}
    for name, params in _VECTORIZERS.items():
        effective = dict(params)
        if len(texts) < 50:
            effective["min_df"] = 1  # tiny data sets: keep every n-gram
        vectorizers[name] = TfidfVectorizer(dtype=np.float32, **effective)
    folded = [fold(t) for t in texts]
    report("features", 0, len(texts))
    sparse = sp.hstack([v.fit_transform(folded) for v in vectorizers.values()]).tocsr()
    train_emb = None
    if config.embeddings:
        assert encoder is not None
        train_emb = _encode(encoder, texts, "embedding", report)
        features = sp.hstack([sparse, sp.csr_matrix(train_emb * config.embedding_weight)]).tocsr()
    else:
        features = sparse
    report("fitting", 0, 1)
    weights = np.where(np.array(labels) == config.oos_label, config.oos_weight, 1.0)
    clf = LogisticRegression(C=config.c, max_iter=config.max_iter)
    clf.fit(features, labels, sample_weight=weights)
    report("fitting", 1, 1)
    classes = [str(c) for c in clf.classes_]
    coef = clf.coef_.T.astype(np.float32)
    intercept = clf.intercept_.astype(np.float32)
    if len(classes) == 2:  # binary problems come back as one column; expand to softmax form
        coef = np.hstack([-coef / 2, coef / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2], dtype=np.float32)
    in_scope_rows = np.array(labels) != config.oos_label
    return IntentModel(
        classes=classes,
        vectorizers=vectorizers,
        weights=coef,
        intercept=intercept,
        threshold=0.0,
        config=config,
        train_embeddings=train_emb[in_scope_rows] if train_emb is not None else None,
        encoder=encoder,
    )


class _Remembering:
    """An encoder that encodes each text once across the fits of one training run."""

    def __init__(self, teacher: Teacher | SentenceEncoder) -> None:
        self.teacher = teacher
        self.sha256 = str(getattr(teacher, "sha256", ""))
        self.seen: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.seen]
        if missing:
            self.seen.update(zip(missing, self.teacher.encode(missing), strict=True))
        return np.vstack([self.seen[t] for t in texts])


def _encoder_for(
    rows: Sequence[Example],
    config: TrainConfig,
    given: SentenceEncoder | None,
    teacher: Teacher | None,
    report: Progress,
) -> SentenceEncoder | None:
    """Return the encoder a fit on ``rows`` uses: given, distilled from them, or shared."""
    if not config.embeddings:
        return None
    if given is not None:
        return given
    if config.encoder == STATIC:
        assert teacher is not None
        report("distilling the word table", 0, 1)
        table = StaticEncoder.distil([ex.text for ex in rows], teacher)
        report("distilling the word table", 1, 1)
        return table
    return contextual_encoder(config.encoder)


def train_model(
    train: Sequence[Example],
    *,
    validation: Sequence[Example] | None = None,
    config: TrainConfig | None = None,
    encoder: SentenceEncoder | None = None,
    teacher: Teacher | None = None,
    progress: Progress | None = None,
) -> IntentModel:
    """Fit a model on ``train`` and pick its threshold on ``validation``.

    Without ``validation``, ``val_percent`` of ``train`` is carved out (stratified) to pick the
    threshold, and the final model is then refit on all the rows with that threshold: small
    teams' data sets cannot spare a fifth of their examples. ``encoder`` overrides the one the
    config names; ``teacher`` the model an ``e5-static`` table is distilled from (words of the
    rows a fit sees, so validation words stay unseen, as a customer's new words will be).
    """
    config = config or TrainConfig()
    check_encoder(config.encoder)
    if config.embeddings and encoder is None and teacher is None:
        if not encoder_available(config.encoder):
            raise UnderstandingError(
                f"the {config.encoder} sentence encoder is not installed; "
                "train with --encoder none",
                reason="no_embeddings",
            )
        if config.encoder == STATIC:
            teacher = contextual_encoder(STATIC)
    remembering = _Remembering(teacher) if teacher is not None else None
    serving = encoder
    if serving is None and config.embeddings and config.encoder != STATIC:
        serving = contextual_encoder(config.encoder)
    # Each text is encoded once even though the carved-out rows are seen by two fits.
    fitting = _Remembering(serving) if serving is not None else None
    everything = list(train)
    carved = validation is None
    if validation is None:
        train, validation = split_examples(everything, config.val_percent)
    if len({ex.label for ex in train}) < 2:
        raise UnderstandingError("training needs at least two labels", reason="bad_data")
    if not validation:
        raise UnderstandingError("the validation split is empty", reason="bad_data")
    report = progress or (lambda stage, done, total: None)
    started = time.perf_counter()

    fit_encoder = _encoder_for(train, config, fitting, remembering, report)
    model = _fit(train, config, fit_encoder, report)
    val_texts = [ex.text for ex in validation]
    val_emb = (
        _encode(fit_encoder, val_texts, "embedding validation", report)
        if fit_encoder is not None
        else None
    )
    probs, similarity = model.scores(val_texts, val_emb)
    threshold, val_metrics = pick_threshold(
        model, probs, similarity, [ex.label for ex in validation]
    )
    if carved:
        report("refit on all rows", 0, 1)
        fit_encoder = _encoder_for(everything, config, fitting, remembering, report)
        model = _fit(everything, config, fit_encoder, report)
    if serving is not None:
        model.encoder = fit_encoder = serving
    model.threshold = threshold
    elapsed = time.perf_counter() - started
    digest = data_hash(everything if carved else [*train, *validation])
    teacher_sha = getattr(teacher, "sha256", None)
    model.metadata = {
        "version": f"{datetime.now(UTC):%Y%m%d%H%M%S}-{digest[:8]}",
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_hash": digest,
        "n_train": len(everything) if carved else len(train),
        "n_validation": len(validation),
        "validation": "carved out, then refit on all rows" if carved else "given",
        "labels": model.classes,
        "encoder": config.encoder,
        "embedding": ENCODERS[config.encoder] if config.embeddings else None,
        "embedding_sha256": teacher_sha or (fit_encoder.sha256 if fit_encoder else None),
        "training_seconds": round(elapsed, 2),
        "metrics": {k: (None if np.isnan(v) else round(v, 4)) for k, v in val_metrics.items()},
    }
    return model


def _encode(encoder: SentenceEncoder, texts: list[str], stage: str, report: Progress) -> np.ndarray:
    batch = 256
    parts = []
    for i in range(0, len(texts), batch):
        report(stage, i, len(texts))
        parts.append(encoder.encode(texts[i : i + batch]))
    report(stage, len(texts), len(texts))
    return np.vstack(parts) if parts else np.zeros((0, 384), dtype=np.float32)

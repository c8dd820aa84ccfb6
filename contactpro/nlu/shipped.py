"""Rebuild the shipped intent models from the shipped corpus: ``python -m contactpro.nlu.shipped``.

The models are trained on the training part of ``contactpro/data/intents/corpus.csv`` only (the
held-out fifth, chosen by a hash of each text, is kept for the quality gates), through the same
``train_model`` code path as ``contactpro intents train``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from contactpro.nlu.cascade import SHIPPED_NGRAM_MODEL_DIR
from contactpro.nlu.classifier import SHIPPED_MODEL_DIR, TrainConfig, train_model
from contactpro.nlu.datasets import shipped_split


def build(model_dir: Path = SHIPPED_MODEL_DIR, ngram_dir: Path = SHIPPED_NGRAM_MODEL_DIR) -> None:
    """Train and write both shipped models (with and without sentence embeddings)."""
    train, _ = shipped_split()
    for directory, embeddings in ((model_dir, True), (ngram_dir, False)):
        model = train_model(train, config=TrainConfig(embeddings=embeddings))
        if directory.exists():
            shutil.rmtree(directory)
        model.save(directory)
        print(f"{directory}: {model.metadata['version']} threshold {model.threshold:.3f}")


if __name__ == "__main__":
    build()

"""Rebuild the shipped intent models from the shipped corpus: ``python -m contactpro.nlu.shipped``.

The models are trained on the training part of ``contactpro/data/intents/corpus.csv`` only (the
held-out fifth, chosen by a hash of each text, is kept for the quality gates), through the same
``train_model`` code path as ``contactpro intents train``: one model per sentence encoder, so
CONTACTPRO_INTENT_ENCODER can pick any of them.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from contactpro.nlu.cascade import SHIPPED_MODELS
from contactpro.nlu.classifier import TrainConfig, train_model
from contactpro.nlu.datasets import shipped_split
from contactpro.nlu.encoders import encoder_available


def build(models: Mapping[str, Path] = SHIPPED_MODELS, only: str | None = None) -> None:
    """Train and write the shipped model of every installed encoder (or of ``only``)."""
    train, _ = shipped_split()
    for encoder, directory in models.items():
        if only not in (None, encoder):
            continue
        if not encoder_available(encoder):
            print(f"{directory}: skipped, the {encoder} encoder is not installed")
            continue
        model = train_model(train, config=TrainConfig(encoder=encoder))
        if directory.exists():
            shutil.rmtree(directory)
        model.save(directory)
        print(f"{directory}: {encoder} {model.metadata['version']} threshold {model.threshold:.3f}")


if __name__ == "__main__":
    build(only=sys.argv[1] if len(sys.argv) > 1 else None)

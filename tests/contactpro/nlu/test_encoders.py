"""Sentence encoders: the setting picks one, a model refuses another, the e5 word table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from contactpro.errors import ConfigError
from contactpro.nlu.cascade import SHIPPED_MODELS, Cascade, load_model
from contactpro.nlu.classifier import IntentModel, TrainConfig, train_model
from contactpro.nlu.datasets import Example
from contactpro.nlu.multilingual import MultilingualEncoder
from contactpro.nlu.static import StaticEncoder

from .conftest import make_settings


class _Teacher:
    """A stand-in for e5: a fixed random vector per word, so tests need no model."""

    sha256 = "t" * 64

    def __init__(self) -> None:
        self.calls: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.extend(texts)
        rows = [np.random.default_rng(abs(hash(t)) % 2**32).normal(size=8) for t in texts]
        return np.array([r / np.linalg.norm(r) for r in rows], dtype=np.float32)


def test_the_setting_changes_which_encoder_is_used() -> None:
    default = load_model(make_settings())
    assert default.encoder_name == "e5"
    assert isinstance(Cascade(make_settings(), model=default).model.encoder, MultilingualEncoder)
    static = load_model(make_settings(intent_encoder="e5-static"))
    assert static.encoder_name == "e5-static" and isinstance(static.encoder, StaticEncoder)
    ngrams = load_model(make_settings(intent_encoder="none"))
    assert ngrams.encoder_name == "none" and ngrams.encoder is None
    assert not ngrams.config.embeddings


def test_a_model_trained_with_another_encoder_is_refused() -> None:
    settings = make_settings(intent_encoder="e5", intent_model_dir=str(SHIPPED_MODELS["none"]))
    with pytest.raises(ConfigError) as caught:
        load_model(settings)
    message = str(caught.value)
    assert "\n" not in message
    assert "trained with the none encoder, not e5" in message
    assert "CONTACTPRO_INTENT_ENCODER=none" in message


def test_an_unknown_encoder_name_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="CONTACTPRO_INTENT_ENCODER must be one of"):
        make_settings(intent_encoder="bert")


def test_word_table_falls_back_across_accents_and_ignores_unknown_words() -> None:
    table = StaticEncoder.distil(["cuánto debo", "quiero pagar"], _Teacher())
    assert set(table.words) == {"cuánto", "debo", "quiero", "pagar"}
    accented, plain = table.encode(["Cuánto debo", "cuanto debo"])
    assert np.allclose(accented, plain) and np.isclose(np.linalg.norm(plain), 1.0)
    assert not table.encode(["zzz qqq"]).any()


def test_static_model_records_its_table_and_scores_the_same_after_loading(
    tmp_path: Path,
) -> None:
    rows = [Example(f"{w} {n}", label) for label, ws in _WORDS.items() for w in ws for n in _N]
    teacher = _Teacher()
    model = train_model(rows, config=TrainConfig(encoder="e5-static"), teacher=teacher)
    assert len(teacher.calls) == len(set(teacher.calls))  # every word distilled once
    model.save(tmp_path)
    loaded = IntentModel.load(tmp_path)
    assert loaded.metadata["encoder"] == "e5-static"
    assert loaded.metadata["embedding_sha256"] == _Teacher.sha256
    texts = ["quiero pagar ya", "cuanto debo hoy"]
    assert np.allclose(loaded.scores(texts)[0], model.scores(texts)[0], atol=1e-3)
    assert loaded.predict("quiero pagar").top_intent == "payment_how"


_WORDS = {
    "payment_how": ["quiero pagar", "dónde pago", "cómo pago"],
    "billing_inquiry": ["cuánto debo", "mi saldo", "valor factura"],
}
_N = ["uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho"]

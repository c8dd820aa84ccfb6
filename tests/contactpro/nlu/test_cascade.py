"""The cascade: tiers in order, thresholds, the LLM fallback, and what is recorded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pytest

from contactpro.errors import ConfigError
from contactpro.nlu.cascade import SHIPPED_NGRAM_MODEL_DIR, Cascade
from contactpro.nlu.classifier import IntentModel
from contactpro.nlu.datasets import shipped_split
from contactpro.nlu.encoders import contextual_encoder
from contactpro.nlu.result import TIERS
from contactpro.nlu.stats import TierStats

from .conftest import MessagesServer, Reply, make_settings, tool_answer

UNSURE = "bueno pues mire lo que pasa es que la otra vez"  # nothing the model knows well


def _cascade(model: IntentModel, stats: TierStats, **overrides: object) -> Cascade:
    return Cascade(make_settings(**overrides), model=model, stats=stats)


def test_rules_decide_before_the_model(shipped_model: IntentModel, stats: TierStats) -> None:
    cascade = _cascade(shipped_model, stats)
    result = cascade.understand(
        "mi cédula es uno cero dos tres cuatro cinco seis siete", channel="voice", source="speech"
    )
    assert (result.intent, result.tier, result.confidence) == ("identification", "rules", 1.0)
    assert result.entities == {"national_id": "10234567"}
    assert result.language == "es"
    dtmf = cascade.understand("0", channel="voice", source="dtmf", language_hint="en")
    assert (dtmf.intent, dtmf.tier, dtmf.language) == ("agent_request", "rules", "en")


def test_model_answers_with_rule_entities(shipped_model: IntentModel, stats: TierStats) -> None:
    result = _cascade(shipped_model, stats).understand(
        "ya pagué 50 mil pesos ayer por nequi",
        channel="sms",
        source="sms",
        today=date(2025, 3, 10),
    )
    assert (result.intent, result.tier) == ("payment_made", "model")
    assert result.entities["amount"] == {"value": "50000", "currency": "COP"}
    assert result.entities["date"] == "2025-03-09"
    assert result.confidence >= shipped_model.threshold
    assert result.latency_ms > 0 and result.reason


def test_below_the_threshold_is_out_of_scope(shipped_model: IntentModel, stats: TierStats) -> None:
    lenient = _cascade(shipped_model, stats, intent_threshold=0.01)
    strict = _cascade(shipped_model, stats, intent_threshold=0.99)
    text = "se me cayó el internet otra vez"
    assert lenient.understand(text, channel="voice", source="speech").intent == (
        "connection_problem"
    )
    result = strict.understand(text, channel="voice", source="speech")
    assert (result.intent, result.tier) == ("out_of_scope", "none")
    assert result.is_out_of_scope
    assert 0 < result.confidence < 0.99


def test_expected_intents_lower_the_bar(shipped_model: IntentModel, stats: TierStats) -> None:
    text = "me parece bien esa opción"
    confidence = shipped_model.predict(text).confidence
    top = shipped_model.predict(text).top_intent
    cascade = _cascade(shipped_model, stats, intent_threshold=min(0.99, confidence * 1.5))
    assert cascade.understand(text, channel="voice", source="speech").tier == "none"
    expected = cascade.understand(text, channel="voice", source="speech", expected={top})
    assert (expected.intent, expected.tier) == (top, "model")


def test_llm_is_asked_only_when_the_model_is_unsure(
    shipped_model: IntentModel, stats: TierStats, messages_server: MessagesServer
) -> None:
    messages_server.script(Reply(body=tool_answer("complaint", 0.85, reason="angry caller")))
    cascade = _cascade(
        shipped_model,
        stats,
        intent_threshold=0.9,
        anthropic_api_key="sk-test",
        llm_base_url=messages_server.url,
    )
    sure = cascade.understand("no", channel="voice", source="speech")
    assert sure.tier == "rules" and not messages_server.requests
    result = cascade.understand(UNSURE, channel="voice", source="speech")
    assert (result.intent, result.tier, result.reason) == ("complaint", "llm", "angry caller")
    assert len(messages_server.requests) == 1
    snap = stats.snapshot()
    assert snap["tiers"]["llm"]["count"] == 1 and snap["tiers"]["rules"]["count"] == 1
    assert snap["tiers"]["llm"]["cost_usd"] > 0


def test_unsure_llm_and_failing_llm_end_out_of_scope(
    shipped_model: IntentModel, stats: TierStats, messages_server: MessagesServer
) -> None:
    cascade = _cascade(
        shipped_model,
        stats,
        intent_threshold=0.9,
        anthropic_api_key="sk-test",
        llm_base_url=messages_server.url,
        llm_min_confidence=0.7,
        llm_voice_budget_ms=500,
    )
    messages_server.script(Reply(body=tool_answer("billing_inquiry", 0.4)))
    unsure = cascade.understand(UNSURE, channel="voice", source="speech")
    assert (unsure.intent, unsure.tier) == ("out_of_scope", "none")
    assert "llm unsure" in unsure.reason
    messages_server.script(Reply(body=tool_answer("greeting", 0.9), delay=1.5))
    slow = cascade.understand(UNSURE, channel="voice", source="speech")
    assert (slow.intent, slow.tier) == ("out_of_scope", "none")
    assert slow.latency_ms < 1200  # the voice budget held
    assert stats.snapshot()["llm"]["failures"] == {"timeout": 1}


def test_no_key_skips_the_llm(shipped_model: IntentModel, stats: TierStats) -> None:
    cascade = _cascade(shipped_model, stats, intent_threshold=0.9)
    assert cascade.llm is None
    assert cascade.understand(UNSURE, channel="voice", source="speech").tier == "none"


def test_bad_threshold_setting_is_refused(shipped_model: IntentModel) -> None:
    with pytest.raises(ConfigError):
        Cascade(make_settings(intent_threshold=1.5), model=shipped_model)


def test_every_tier_is_counted(shipped_model: IntentModel, stats: TierStats) -> None:
    cascade = _cascade(shipped_model, stats)
    for text in ("sí", "I want to cancel because of the price", ""):
        cascade.understand(text, channel="sms", source="sms")
    snap = stats.snapshot()
    assert set(snap["tiers"]) == set(TIERS)
    assert snap["turns"] == 3
    assert snap["tiers"]["rules"]["share"] == pytest.approx(1 / 3)


@pytest.mark.parametrize("fast", [False, True], ids=["model", "n-grams first"])
def test_cascade_quality_on_the_held_out_corpus(
    shipped_model: IntentModel, stats: TierStats, fast: bool
) -> None:
    ngrams = IntentModel.load(SHIPPED_NGRAM_MODEL_DIR) if fast else None
    cascade = Cascade(make_settings(), model=shipped_model, fast=ngrams, stats=stats)
    _, held_out = shipped_split()
    for language, gate in (("en", 0.90), ("es", 0.90)):
        rows = [ex for ex in held_out if ex.language == language]
        right = sum(
            cascade.understand(ex.text, channel="sms", source="sms").intent == ex.label
            for ex in rows
        )
        assert right / len(rows) >= gate, (language, right / len(rows))


class CountingEncoder:
    """Wraps the model's sentence encoder and counts the texts it embeds."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.sha256, self.texts = inner, inner.sha256, 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        rows: np.ndarray = self.inner.encode(texts)
        return rows


@pytest.fixture
def counted() -> CountingEncoder:
    """The default model's sentence encoder, counted."""
    return CountingEncoder(contextual_encoder(make_settings().intent_encoder))


@pytest.mark.parametrize(
    ("setting", "runs_encoder"),
    [
        ({}, False),
        ({"intent_fast_confidence": 0.0}, True),
        ({"intent_fast_confidence": 0.99}, True),
    ],
)
def test_the_n_gram_model_answers_alone_when_it_is_sure(
    counted: CountingEncoder, setting: dict[str, float], runs_encoder: bool
) -> None:
    """A clear request skips the sentence encoder; at 0 (off) or a stricter bar it runs."""
    cascade = Cascade(make_settings(**setting))
    cascade.model.encoder = counted
    understood = cascade.understand(
        "the internet keeps dropping every evening", channel="sms", source="sms"
    )
    assert understood.intent == "connection_problem"
    assert (counted.texts > 0) == runs_encoder
    assert understood.reason.startswith("model" if runs_encoder else "n-gram model")


def test_an_unsure_n_gram_reading_goes_to_the_full_model(counted: CountingEncoder) -> None:
    cascade = Cascade(make_settings())
    cascade.model.encoder = counted
    understood = cascade.understand(
        "me llegó muy cara la factura este mes", channel="sms", source="sms"
    )
    assert counted.texts == 1
    assert understood.intent == "billing_inquiry"


def test_a_bad_fast_confidence_is_refused() -> None:
    with pytest.raises(ConfigError, match="CONTACTPRO_INTENT_FAST_CONFIDENCE"):
        make_settings(intent_fast_confidence=1.5)

"""The cascade: the one entry point the dialog calls to understand a turn.

Rules first (certain answers and entities), then the trained classifier, then Claude when the
classifier is unsure and a key is configured. Below the final threshold the answer is
``out_of_scope`` with tier ``none``: the dialog asks once for clarification, then escalates.
When Claude was asked and did not decide (it timed out, failed, was skipped by its circuit
breaker or was unsure), the reason says so and the ``llm_fallback`` entity names why.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from contactpro.config import Settings
from contactpro.errors import ConfigError, LLMError, UnderstandingError
from contactpro.nlu.classifier import SHIPPED_MODEL_DIR, IntentModel, Prediction
from contactpro.nlu.encoders import E5, MINILM, NONE, STATIC, contextual_encoder, encoder_available
from contactpro.nlu.language import detect_language
from contactpro.nlu.llm import LLMAnswer, LLMClassifier
from contactpro.nlu.result import Understanding
from contactpro.nlu.rules import apply_rules
from contactpro.nlu.stats import STATS, TierStats
from contactpro.nlu.taxonomy import OUT_OF_SCOPE
from contactpro.nlu.text import without_fillers

log = logging.getLogger(__name__)

SHIPPED_NGRAM_MODEL_DIR = SHIPPED_MODEL_DIR.with_name("model-ngrams")
# The shipped model trained with each encoder (CONTACTPRO_INTENT_ENCODER picks one).
SHIPPED_MODELS = {
    E5: SHIPPED_MODEL_DIR,
    STATIC: SHIPPED_MODEL_DIR.with_name("model-static"),
    MINILM: SHIPPED_MODEL_DIR.with_name("model-minilm"),
    NONE: SHIPPED_NGRAM_MODEL_DIR,
}
# When the dialog expects an answer (it just asked "is that right?"), an expected intent needs
# only this fraction of the usual threshold: the question itself is evidence.
EXPECTED_RELIEF = 0.5
# Entity naming why the LLM tier was asked but did not decide (timeout, breaker_open, unsure...),
# so the stored turn says which fall-back it took.
LLM_FALLBACK = "llm_fallback"
# Entity holding what the LLM tier said the caller stated, apart from the rules' entities.
LLM_ENTITIES = "llm_entities"


def load_model(settings: Settings) -> IntentModel:
    """Load the configured model, or the shipped one for the configured encoder.

    A model trained with another encoder than CONTACTPRO_INTENT_ENCODER is refused: its weights
    mean nothing on another encoder's vectors.
    """
    wanted = settings.intent_encoder
    if settings.intent_model_dir:
        directory = Path(settings.intent_model_dir)
    elif wanted in (E5, MINILM) and not encoder_available(wanted):
        log.warning("the %s encoder is not installed; using the n-gram intent model", wanted)
        return IntentModel.load(SHIPPED_NGRAM_MODEL_DIR)
    else:
        directory = SHIPPED_MODELS[wanted]
    model = IntentModel.load(directory)
    if model.encoder_name != wanted:
        raise ConfigError(
            f"the intent model in {directory} was trained with the {model.encoder_name} encoder, "
            f"not {wanted}: set CONTACTPRO_INTENT_ENCODER={model.encoder_name} or retrain it "
            f"with contactpro intents train --encoder {wanted}"
        )
    return model


def fast_model(settings: Settings, model: IntentModel) -> IntentModel | None:
    """Return the shipped n-gram model that may answer before ``model``, or None.

    Only in front of a shipped model that runs a sentence encoder on every message (its n-gram
    twin knows the same intents) and when CONTACTPRO_INTENT_FAST_CONFIDENCE is above 0.
    """
    if (
        settings.intent_fast_confidence <= 0
        or settings.intent_model_dir
        or model.encoder_name not in (E5, MINILM)
    ):
        return None
    return IntentModel.load(SHIPPED_NGRAM_MODEL_DIR)


class Cascade:
    """Understand one utterance and say which tier decided."""

    def __init__(
        self,
        settings: Settings,
        *,
        model: IntentModel | None = None,
        fast: IntentModel | None = None,
        llm: LLMClassifier | None = None,
        stats: TierStats = STATS,
    ) -> None:
        """``model`` and ``fast`` default to the configured model and :func:`fast_model`'s;
        a caller that passes its own ``model`` gets no fast model unless it passes one."""
        if not 0.0 <= settings.intent_threshold < 1.0:
            raise ConfigError("CONTACTPRO_INTENT_THRESHOLD must be in [0, 1)")
        if not 0.0 <= settings.llm_min_confidence <= 1.0:
            raise ConfigError("CONTACTPRO_LLM_MIN_CONFIDENCE must be in [0, 1]")
        self.settings = settings
        if model is None:
            model = load_model(settings)
            fast = fast or fast_model(settings, model)
        self.model = model
        self.fast = fast
        if self.model.config.embeddings and self.model.encoder is None:
            # Load now, not on the first caller's turn.
            self.model.encoder = contextual_encoder(self.model.encoder_name)
        self.threshold = settings.intent_threshold or self.model.threshold
        if llm is None and settings.anthropic_api_key:
            llm = LLMClassifier(settings, stats=stats)
        self.llm = llm
        self.stats = stats

    def understand(
        self,
        text: str,
        *,
        channel: str,
        source: str,
        language_hint: str | None = None,
        previous_languages: Sequence[str] = (),
        expected: Collection[str] = (),
        dtmf_menu: Mapping[str, str] | None = None,
        today: date | None = None,
    ) -> Understanding:
        """Return the intent, confidence, tier, language and entities of ``text``.

        ``language_hint`` is the IVR choice or stored preference, ``previous_languages`` the
        languages of earlier turns, ``expected`` the intents the dialog's last question invites,
        ``dtmf_menu`` the digit -> intent map of the menu being played.
        """
        started = time.perf_counter()
        default = self.settings.default_language
        language_clear = False
        if source == "dtmf":
            language = language_hint or (previous_languages[-1] if previous_languages else default)
        else:
            guess = detect_language(
                text, hint=language_hint, previous=previous_languages, default=default
            )
            language, language_clear = guess.language, guess.clear
        said = text if source == "dtmf" else without_fillers(text)  # "pues este quiero..."
        rules = apply_rules(
            said,
            source=source,
            language=language,
            today=today,
            dtmf_menu=dtmf_menu,
            expected=expected,
        )
        entities: dict[str, Any] = dict(rules.entities)
        cost = 0.0
        candidates: tuple[str, ...] = ()
        if rules.intent is not None:
            intent, confidence, tier, reason = rules.intent, 1.0, "rules", rules.reason
        elif not text.strip() or source == "dtmf":
            intent, confidence, tier, reason = OUT_OF_SCOPE, 0.0, "none", "nothing to read"
        else:
            intent, confidence, tier, reason, candidates = self._model_tier(said, expected)
            if tier == "none" and self.llm is not None:
                answer, failure = self._llm_tier(text, channel, language, expected, started)
                if answer is None:
                    entities[LLM_FALLBACK] = failure
                    reason = f"llm {failure}; {reason}"
                else:
                    cost = answer.cost_usd
                    if answer.confidence >= self.settings.llm_min_confidence:
                        intent, confidence, tier = answer.intent, answer.confidence, "llm"
                        candidates = ()
                        reason = answer.reason
                        if answer.entities:
                            # Kept for the record, never acted on: the prompt masked every
                            # number, so an id, amount or flag the LLM names is its invention
                            # (or a prompt injection's), not what the customer said.
                            entities[LLM_ENTITIES] = answer.entities
                    else:
                        entities[LLM_FALLBACK] = "unsure"
                        reason = f"llm unsure ({answer.confidence:.2f}): {answer.reason}"
        latency_ms = (time.perf_counter() - started) * 1000
        self.stats.record_decision(tier, latency_ms, cost)
        return Understanding(
            intent=intent,
            confidence=confidence,
            tier=tier,
            language=language,
            entities=entities,
            latency_ms=latency_ms,
            reason=reason,
            candidates=candidates,
            language_clear=language_clear,
        )

    def _model_tier(
        self, text: str, expected: Collection[str]
    ) -> tuple[str, float, str, str, tuple[str, ...]]:
        try:
            pred, which = self._predict(text)
        except UnderstandingError as exc:
            log.error("intent model failed", extra={"reason": exc.reason})
            return OUT_OF_SCOPE, 0.0, "none", f"model failed: {exc.reason}", ()
        threshold = self.threshold
        if pred.top_intent in expected:
            threshold *= EXPECTED_RELIEF
        if pred.confidence >= threshold:
            # Out of scope, or a weak guess, is still a reading the dialog may want to narrow
            # down: it asks which of the likeliest topics the caller means.
            return (
                pred.top_intent,
                pred.confidence,
                "model",
                (f"{which} {pred.confidence:.2f} >= {threshold:.2f}"),
                pred.ranked,
            )
        return (
            OUT_OF_SCOPE,
            pred.confidence,
            "none",
            (f"model unsure: {pred.top_intent} {pred.confidence:.2f} < {threshold:.2f}"),
            pred.ranked,
        )

    def _predict(self, text: str) -> tuple[Prediction, str]:
        """Return the n-gram model's reading when it is sure enough, else the model's."""
        if self.fast is not None:
            quick = self.fast.predict(text)
            if (
                quick.intent != OUT_OF_SCOPE
                and quick.confidence >= self.settings.intent_fast_confidence
            ):
                return quick, "n-gram model"
        return self.model.predict(text), "model"

    def _llm_tier(
        self, text: str, channel: str, language: str, expected: Collection[str], started: float
    ) -> tuple[LLMAnswer | None, str]:
        """Return Claude's answer, or None and why the turn goes on without it."""
        assert self.llm is not None
        remaining = self.llm.budget_seconds(channel) - (time.perf_counter() - started)
        try:
            answer = self.llm.classify(
                text, channel=channel, language=language, expected=expected, budget=remaining
            )
        except LLMError as exc:
            log.info("llm tier skipped", extra={"reason": exc.reason})
            return None, exc.reason
        return answer, ""


@lru_cache(maxsize=4)
def get_cascade(settings: Settings) -> Cascade:
    """Return the process-wide cascade for these settings (models load once per process)."""
    return Cascade(settings)

"""Figures per conversation and per set: resolution, CSAT, turns, latency, duration, reasons.

A turn is what the caller said (one caller message), here and in a replay's figures: the bot's
replies are not counted (``caller_turns``, ``caller_turns_mean``).

CSAT is the customer's survey answer when there is one; otherwise the dataset's own estimate;
otherwise an estimate from the conformity model (what the customer wrote plus how the
conversation ended) on the 1-5 scale. Every estimate is marked ``csat_estimated``. An empty
conversation (nothing was said) gets no estimate and is left out of ``csat_mean``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from statistics import mean
from typing import Any

from contactpro.analytics import conformity, sentiment
from contactpro.improve.dataset import Conversation, outcome_of
from contactpro.nlu.cascade import Cascade

# Intents that carry no request of their own: never a conversation's topic.
SMALL_TALK = frozenset(
    {"greeting", "goodbye", "affirm", "deny", "identification", "out_of_scope", "survey_answer"}
)


@dataclass(frozen=True)
class ConversationMetrics:
    """The figures of one conversation."""

    conversation_id: str
    outcome: str | None
    resolved: bool | None
    csat: float | None
    csat_estimated: bool
    caller_turns: int
    bot_latency_ms: float | None
    duration_sec: float | None
    escalation_reason: str | None
    intents: list[str] = field(default_factory=list)

    @property
    def topic(self) -> str:
        """Return the first intent that is a request, or ``unknown``."""
        return next((i for i in self.intents if i not in SMALL_TALK), "unknown")

    def row(self) -> dict[str, Any]:
        """Return the figures as one flat CSV row."""
        data = asdict(self)
        data["intents"] = ";".join(self.intents)
        data["topic"] = self.topic
        return data


@lru_cache(maxsize=1)
def _sentiment() -> sentiment.SentimentModel:
    return sentiment.load_model()


def estimate_csat(texts: Sequence[str], outcome: str | None, reason: str | None) -> float:
    """Estimate CSAT (1-5) with the conformity model from the caller's words and the outcome."""
    joined = " ".join(t for t in texts if t.strip())
    text_score = float(_sentiment().score([joined])[0]) if joined else None
    behaviour = conformity.behaviour_score(outcome, reason, False, False, None)
    return round(1 + 4 * conformity.conformity(text_score, behaviour) / 100, 2)


def detect_intents(cascade: Cascade, conv: Conversation) -> list[str]:
    """Return the distinct intents the cascade finds in the customer's turns, in order."""
    found: list[str] = []
    for text in conv.user_texts:
        if not text.strip():
            continue
        understood = cascade.understand(
            text,
            channel=conv.channel or "sms",
            source="speech" if conv.channel == "voice" else "sms",
            language_hint=conv.language,
        )
        if understood.intent not in found:
            found.append(understood.intent)
    return found


def measure(conv: Conversation, cascade: Cascade | None = None) -> ConversationMetrics:
    """Compute one conversation's figures; intents from the dataset, else from the cascade."""
    outcome = outcome_of(conv)
    reason = conv.escalation_reason or conv.failure_reason
    if conv.csat is not None:
        csat, estimated = conv.csat, False
    elif conv.csat_estimated is not None:
        csat, estimated = conv.csat_estimated, True
    elif not conv.transcript:  # nothing was said: nothing to estimate from
        csat, estimated = None, False
    else:
        csat, estimated = estimate_csat(conv.user_texts, outcome, reason), True
    intents = list(conv.intents)
    if not intents and cascade is not None:
        intents = detect_intents(cascade, conv)
    return ConversationMetrics(
        conversation_id=conv.conversation_id,
        outcome=outcome,
        resolved=conv.resolved,
        csat=csat,
        csat_estimated=estimated,
        caller_turns=sum(1 for text in conv.user_texts if text.strip()),
        bot_latency_ms=conv.bot_latency_ms,
        duration_sec=conv.duration_sec,
        escalation_reason=reason if outcome != "auto_resolved" else None,
        intents=intents,
    )


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(mean(known), 2) if known else None


def summarise(rows: Sequence[ConversationMetrics]) -> dict[str, Any]:
    """Return the set's figures: counts, rates, means, reasons and intents."""
    known = [r for r in rows if r.resolved is not None]
    resolved = sum(1 for r in known if r.resolved)
    return {
        "conversations": len(rows),
        "resolution_rate": round(resolved / len(known), 4) if known else None,
        "escalation_rate": (
            round(sum(r.outcome == "escalated" for r in rows) / len(rows), 4) if rows else None
        ),
        "csat_mean": _mean([r.csat for r in rows]),
        "csat_estimated_share": (
            round(sum(r.csat_estimated for r in rows) / len(rows), 4) if rows else None
        ),
        "caller_turns_mean": _mean([float(r.caller_turns) for r in rows]),
        "bot_latency_ms_mean": _mean([r.bot_latency_ms for r in rows]),
        "duration_sec_mean": _mean([r.duration_sec for r in rows]),
        "escalation_reasons": dict(
            Counter(r.escalation_reason for r in rows if r.escalation_reason).most_common()
        ),
        "intents": dict(Counter(i for r in rows for i in r.intents).most_common()),
    }

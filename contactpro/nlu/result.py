"""The one result every understanding tier returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TIERS = ("rules", "model", "llm", "none")


@dataclass(frozen=True)
class Understanding:
    """What the caller wants, how sure we are, and who decided.

    ``tier`` is one of ``rules``, ``model``, ``llm`` or ``none`` (nothing was confident);
    ``entities`` holds values extracted verbatim (national id, amounts, dates, digits...);
    ``candidates`` the model's likeliest intents, best first, when the model read the utterance
    (the dialog names two of them when it asks which topic a weak reading is about);
    ``language_clear`` whether the utterance alone says its language (the conversation switches).
    """

    intent: str
    confidence: float
    tier: str
    language: str
    entities: dict[str, Any] = field(default_factory=dict)
    latency_ms: float = 0.0
    reason: str = ""
    candidates: tuple[str, ...] = ()
    language_clear: bool = False  # the words alone say the language (the hint did not decide)

    @property
    def is_out_of_scope(self) -> bool:
        """Return True when no tier understood the utterance."""
        return self.intent == "out_of_scope"

"""The LLM tier: Claude, asked only when the classifier is unsure and a key is configured.

The answer comes back through a forced tool call (intent, confidence, entities, reason), so the
output is structured or it is an error. Every call has a hard time budget per channel (a voice
caller must not wait more than about 2.5 s) that retries never extend: voice calls are never
retried, an SMS call is retried once after a rate limit, a server or a connection error while
its budget lasts, and a time-out (the budget is spent) never. A circuit breaker stops asking
after repeated failures until a cool-down has passed. Personal data is masked before the prompt
is built; tokens and estimated cost are recorded per call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from contactpro.config import Settings
from contactpro.errors import LLMError
from contactpro.nlu.stats import STATS, TierStats
from contactpro.nlu.taxonomy import INTENT_NAMES, INTENTS
from contactpro.privacy.prompts import mask_for_llm

if TYPE_CHECKING:
    from anthropic.types import ToolParam

log = logging.getLogger(__name__)

TOOL_NAME = "classify_intent"
MAX_TOKENS = 300
SMS_RETRIES = 1
RETRYABLE_STATUSES = frozenset({408, 409, 429})
RETRY_PAUSE_SECONDS = 0.5
MIN_RETRY_SECONDS = 0.3  # less than this left of the budget: no retry
_TOOL: ToolParam = {
    "name": TOOL_NAME,
    "description": "Record what the caller wants.",
    "input_schema": {
        "type": "object",
        "properties": {
            "intent": {"type": "string", "enum": list(INTENT_NAMES)},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "entities": {"type": "object", "description": "Values stated by the caller."},
            "reason": {"type": "string", "description": "One short line."},
        },
        "required": ["intent", "confidence", "reason"],
    },
}
_SYSTEM = (
    "You classify one utterance from a caller to the customer service line of a telecom and "
    "utilities company in Colombia, Mexico and the United States. Utterances are Spanish or "
    "English, often transcribed speech without punctuation, with typos and slang. Call the "
    f"{TOOL_NAME} tool exactly once. Intents:\n"
    + "\n".join(f"- {i.name}: {i.description}" for i in INTENTS)
    + "\nIf the utterance is ambiguous, give a low confidence; if nothing fits, use "
    "out_of_scope. Numbers and e-mails are masked as [NUMBER], [ID] or [EMAIL]."
)


@dataclass(frozen=True)
class LLMAnswer:
    """A validated answer of the LLM tier."""

    intent: str
    confidence: float
    entities: dict[str, Any]
    reason: str
    input_tokens: int
    output_tokens: int
    cost_usd: float


@dataclass
class CircuitBreaker:
    """Open after ``failures`` consecutive failures; let one probe through after ``cooldown``."""

    failures: int
    cooldown: float
    clock: Callable[[], float] = time.monotonic
    _consecutive: int = 0
    _opened_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def state(self) -> str:
        """Return closed, open or half_open."""
        with self._lock:
            if self._opened_at is None:
                return "closed"
            return "half_open" if self.clock() - self._opened_at >= self.cooldown else "open"

    def allow(self) -> bool:
        """Return True when a request may be sent now."""
        return self.state != "open"

    def success(self) -> None:
        """Close the breaker."""
        with self._lock:
            self._consecutive, self._opened_at = 0, None

    def failure(self) -> None:
        """Count a failure; open (or re-open after a failed probe) at the limit."""
        with self._lock:
            self._consecutive += 1
            if self._consecutive >= self.failures:
                self._opened_at = self.clock()


class LLMClassifier:
    """Ask Claude for the intent of one utterance within a time budget."""

    def __init__(
        self,
        settings: Settings,
        *,
        stats: TierStats = STATS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not settings.anthropic_api_key:
            raise LLMError("no ANTHROPIC_API_KEY configured", reason="not_configured")
        self.settings = settings
        self.stats = stats
        self.breaker = CircuitBreaker(
            settings.llm_breaker_failures, settings.llm_breaker_cooldown_seconds, clock
        )
        # The SDK (seconds to import) loads with the client that uses it, when the tier is
        # configured: a command, a worker or a web process without Claude never pays for it.
        import anthropic  # noqa: PLC0415

        self._sdk: ModuleType = anthropic
        self._client = anthropic.Anthropic(
            api_key=settings.anthropic_api_key,
            base_url=settings.llm_base_url or None,
            max_retries=0,
        )

    def budget_seconds(self, channel: str) -> float:
        """Return the time budget of one call on ``channel``."""
        ms = (
            self.settings.llm_voice_budget_ms
            if channel == "voice"
            else (self.settings.llm_sms_budget_ms)
        )
        return ms / 1000

    def classify(
        self,
        text: str,
        *,
        channel: str,
        language: str,
        expected: Collection[str] = (),
        budget: float | None = None,
    ) -> LLMAnswer:
        """Return Claude's answer; raise LLMError (with a reason) on any failure."""
        if not self.breaker.allow():
            raise LLMError("the LLM circuit breaker is open", reason="breaker_open")
        seconds = self.budget_seconds(channel) if budget is None else budget
        if seconds <= 0.05:
            raise LLMError("no time left in the turn's budget", reason="no_budget")
        context = f"Conversation language: {language}."
        if expected:
            context += f" The bot just asked a question expecting: {', '.join(sorted(expected))}."
        # The SDK would retry a time-out with a fresh timeout, doubling the wait: retries are
        # ours, and only while the turn's budget lasts.
        deadline = time.monotonic() + seconds
        attempts = 1 if channel == "voice" else 1 + SMS_RETRIES
        prompt = f'{context}\nUtterance: "{mask_for_llm(text, language)}"'
        anthropic = self._sdk
        for attempt in range(1, attempts + 1):
            left = deadline - time.monotonic()
            client = self._client.with_options(
                timeout=anthropic.Timeout(left, connect=min(left, 1.0)), max_retries=0
            )
            try:
                response = client.messages.create(
                    model=self.settings.llm_model,
                    max_tokens=MAX_TOKENS,
                    system=_SYSTEM,
                    tools=[_TOOL],
                    tool_choice={"type": "tool", "name": TOOL_NAME},
                    messages=[{"role": "user", "content": prompt}],
                )
                answer = self._parse(response)
                break
            except anthropic.APITimeoutError:
                raise self._fail("timeout", "the LLM did not answer within the budget") from None
            except anthropic.RateLimitError:
                reason, message = "rate_limited", "the LLM API is rate limiting us"
            except anthropic.APIStatusError as exc:
                reason, message = "api_error", f"the LLM API answered {exc.status_code}"
                if exc.status_code not in RETRYABLE_STATUSES and exc.status_code < 500:
                    raise self._fail(reason, message) from None
            except anthropic.APIConnectionError:
                reason, message = "unreachable", "the LLM API could not be reached"
            except (anthropic.APIResponseValidationError, ValueError):
                # The SDK raises JSONDecodeError (a ValueError) for a body that is not JSON.
                raise self._fail("malformed", "the LLM API answered an unreadable body") from None
            except LLMError as exc:
                raise self._fail(exc.reason, exc.message) from None
            left = deadline - time.monotonic()
            if attempt == attempts or left < MIN_RETRY_SECONDS:
                raise self._fail(reason, message)
            log.info("llm request failed; retrying within the budget", extra={"reason": reason})
            time.sleep(min(RETRY_PAUSE_SECONDS, left / 4))
        self.breaker.success()
        self.stats.record_llm_call(answer.input_tokens, answer.output_tokens, answer.cost_usd)
        return answer

    def _fail(self, reason: str, message: str) -> LLMError:
        self.breaker.failure()
        self.stats.record_llm_failure(reason)
        log.warning("llm tier failed", extra={"reason": reason, "breaker": self.breaker.state})
        return LLMError(message, reason=reason)

    def _parse(self, response: Any) -> LLMAnswer:
        """Validate the forced tool call; raise LLMError(reason="malformed") otherwise."""
        block = next(
            (
                b
                for b in getattr(response, "content", []) or []
                if getattr(b, "type", None) == "tool_use" and getattr(b, "name", None) == TOOL_NAME
            ),
            None,
        )
        if block is None or not isinstance(block.input, dict):
            raise LLMError("the LLM answered without the tool call", reason="malformed")
        data = block.input
        intent = data.get("intent")
        confidence = data.get("confidence")
        entities = data.get("entities") or {}
        if intent not in INTENT_NAMES:
            raise LLMError(f"the LLM answered an unknown intent {intent!r}", reason="malformed")
        if (
            isinstance(confidence, bool)
            or not isinstance(confidence, int | float)
            or not (0.0 <= float(confidence) <= 1.0)
        ):
            raise LLMError("the LLM answered a confidence outside 0..1", reason="malformed")
        if not isinstance(entities, dict):
            raise LLMError("the LLM answered entities that are not an object", reason="malformed")
        usage = getattr(response, "usage", None)
        tokens_in = int(getattr(usage, "input_tokens", 0) or 0)
        tokens_out = int(getattr(usage, "output_tokens", 0) or 0)
        cost = (
            tokens_in * self.settings.llm_input_usd_per_mtok
            + tokens_out * self.settings.llm_output_usd_per_mtok
        ) / 1_000_000
        return LLMAnswer(
            intent=str(intent),
            confidence=float(confidence),
            entities={str(k): v for k, v in entities.items()},
            reason=str(data.get("reason", ""))[:200],
            input_tokens=tokens_in,
            output_tokens=tokens_out,
            cost_usd=cost,
        )

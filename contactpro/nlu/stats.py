"""Per-tier counters for the metrics endpoint and analytics: counts, latency, tokens and cost.

One process-wide :class:`TierStats` records every cascade decision and every LLM call; a
snapshot is a plain dict, safe to serialise. Latency percentiles come from a bounded window of
the most recent decisions per tier.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from contactpro.nlu.result import TIERS

WINDOW = 2048


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class TierStats:
    """Thread-safe counters of decisions per tier and of LLM usage."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget everything (tests, or a metrics scrape that wants deltas)."""
        with self._lock:
            self._count = dict.fromkeys(TIERS, 0)
            self._latency_sum = dict.fromkeys(TIERS, 0.0)
            self._cost = dict.fromkeys(TIERS, 0.0)
            self._recent: dict[str, deque[float]] = {t: deque(maxlen=WINDOW) for t in TIERS}
            self._llm_calls = 0
            self._llm_failures: dict[str, int] = {}
            self._input_tokens = 0
            self._output_tokens = 0
            self._cost_usd = 0.0

    def record_decision(self, tier: str, latency_ms: float, cost_usd: float = 0.0) -> None:
        """Count one answered turn, the time the cascade took and what it cost."""
        with self._lock:
            self._count[tier] = self._count.get(tier, 0) + 1
            self._cost[tier] = self._cost.get(tier, 0.0) + cost_usd
            self._latency_sum[tier] = self._latency_sum.get(tier, 0.0) + latency_ms
            self._recent.setdefault(tier, deque(maxlen=WINDOW)).append(latency_ms)

    def record_llm_call(self, input_tokens: int, output_tokens: int, cost_usd: float) -> None:
        """Count one answered LLM request with its tokens and estimated cost."""
        with self._lock:
            self._llm_calls += 1
            self._input_tokens += input_tokens
            self._output_tokens += output_tokens
            self._cost_usd += cost_usd

    def record_llm_failure(self, reason: str) -> None:
        """Count one failed LLM request by reason (timeout, rate_limited, malformed...)."""
        with self._lock:
            self._llm_failures[reason] = self._llm_failures.get(reason, 0) + 1

    def snapshot(self) -> dict[str, Any]:
        """Return a plain-dict copy: per-tier counts, shares and latency; LLM usage."""
        with self._lock:
            total = sum(self._count.values())
            tiers = {
                tier: {
                    "count": n,
                    "share": n / total if total else 0.0,
                    "latency_ms_mean": self._latency_sum[tier] / n if n else 0.0,
                    "latency_ms_p50": _percentile(list(self._recent[tier]), 50),
                    "latency_ms_p99": _percentile(list(self._recent[tier]), 99),
                    "cost_usd": round(self._cost[tier], 6),
                }
                for tier, n in self._count.items()
            }
            return {
                "turns": total,
                "tiers": tiers,
                "llm": {
                    "calls": self._llm_calls,
                    "failures": dict(self._llm_failures),
                    "input_tokens": self._input_tokens,
                    "output_tokens": self._output_tokens,
                    "cost_usd": round(self._cost_usd, 6),
                },
            }


STATS = TierStats()


def snapshot() -> dict[str, Any]:
    """Return the process-wide understanding counters as a plain dict."""
    return STATS.snapshot()

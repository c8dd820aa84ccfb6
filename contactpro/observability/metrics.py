"""Prometheus metrics: requests and latency per route, tier usage, queue depth, failures.

Counters and histograms are process-wide. Under gunicorn or a Celery prefork pool set
``PROMETHEUS_MULTIPROC_DIR`` (an empty folder, cleared at each deploy) in every process of the
machine: the counters then live in shared files and one scrape sums all of them. Tier usage comes
from the scraped process's :mod:`contactpro.nlu.stats` only; its share is still representative.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

from contactpro.config import Settings
from contactpro.nlu.stats import snapshot

__all__ = ["CONTENT_TYPE_LATEST", "render"]

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0)

REQUESTS = Counter(
    "contactpro_http_requests", "HTTP requests answered", ["route", "method", "status"]
)
LATENCY = Histogram(
    "contactpro_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["route"],
    buckets=LATENCY_BUCKETS,
)
TASK_FAILURES = Counter("contactpro_task_failures", "Celery tasks that raised", ["task", "reason"])
JOURNALED = Counter(
    "contactpro_journal_writes", "Requests journaled while the database was down", ["kind"]
)
JOURNAL_REPLAYED = Counter("contactpro_journal_replayed", "Journal entries written on replay")
OUTBOXED = Counter("contactpro_outbox_writes", "Tasks kept in the outbox (broker down)", ["task"])
OUTBOX_SENT = Counter("contactpro_outbox_sent", "Outbox tasks sent once the broker answered")
RATE_LIMITED = Counter("contactpro_rate_limited", "Requests over a rate limit", ["scope"])
ALERTS = Counter("contactpro_alerts", "Alerts raised", ["kind"])
QUEUE_WAIT = Histogram(
    "contactpro_agent_queue_wait_seconds",
    "How long callers waited in the agent queue",
    buckets=(5, 15, 30, 60, 120, 300, 600, 1800),
)


class GaugesCollector(Collector):
    """Values read at scrape time: tier usage, task queue depth, journal and outbox backlog."""

    def __init__(self, gauges: Callable[[], dict[str, float]]) -> None:
        self.gauges = gauges

    def collect(self) -> Iterator[GaugeMetricFamily]:
        stats = snapshot()
        tiers = GaugeMetricFamily(
            "contactpro_nlu_turns", "Turns answered per understanding tier", labels=["tier"]
        )
        for tier, figures in stats["tiers"].items():
            tiers.add_metric([tier], figures["count"])
        yield tiers
        llm_failures = GaugeMetricFamily(
            "contactpro_llm_failures", "Failed LLM requests per reason", labels=["reason"]
        )
        for reason, count in stats["llm"]["failures"].items():
            llm_failures.add_metric([reason], count)
        yield llm_failures
        for name, value in self.gauges().items():
            yield GaugeMetricFamily(f"contactpro_{name}", name.replace("_", " "), value=value)


def render(gauges: Callable[[], dict[str, float]]) -> bytes:
    """Return the exposition text: this process (or every process, multiprocess) and gauges."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        registry.register(GaugesCollector(gauges))
        return generate_latest(registry)
    registry.register(_Delegate())
    registry.register(GaugesCollector(gauges))
    return generate_latest(registry)


class _Delegate(Collector):
    """The default registry's metrics (this process's counters and histograms)."""

    def collect(self) -> Iterator[object]:  # type: ignore[override]
        yield from REGISTRY.collect()


LOOPBACK = frozenset({"127.0.0.1", "::1"})


def may_scrape(settings: Settings, address: str | None, authorization: str | None) -> bool:
    """Return True when this request may read the metrics.

    With ``CONTACTPRO_METRICS_TOKEN`` set, only ``Authorization: Bearer <token>`` does; without
    it only the machine itself (loopback) does, so the web port never publishes them.
    """
    if settings.metrics_token:
        expected = f"Bearer {settings.metrics_token}"
        return hmac.compare_digest((authorization or "").encode(), expected.encode())
    return address in LOOPBACK

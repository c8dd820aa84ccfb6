"""Per-tier counters are thread-safe plain dicts."""

from __future__ import annotations

import threading

from contactpro.nlu.stats import TierStats


def test_snapshot_counts_shares_latency_and_cost() -> None:
    stats = TierStats()
    for latency in (1.0, 2.0, 3.0):
        stats.record_decision("rules", latency)
    stats.record_decision("llm", 900.0, 0.0006)
    stats.record_llm_call(400, 40, 0.0006)
    stats.record_llm_failure("timeout")
    snap = stats.snapshot()
    assert snap["turns"] == 4
    assert snap["tiers"]["rules"]["count"] == 3
    assert snap["tiers"]["rules"]["share"] == 0.75
    assert snap["tiers"]["rules"]["latency_ms_p50"] == 2.0
    assert snap["tiers"]["llm"]["cost_usd"] == 0.0006
    assert snap["tiers"]["model"]["count"] == 0
    assert snap["llm"] == {
        "calls": 1,
        "failures": {"timeout": 1},
        "input_tokens": 400,
        "output_tokens": 40,
        "cost_usd": 0.0006,
    }


def test_concurrent_recording_loses_nothing() -> None:
    stats = TierStats()

    def work() -> None:
        for _ in range(1000):
            stats.record_decision("model", 1.0)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert stats.snapshot()["tiers"]["model"]["count"] == 8000

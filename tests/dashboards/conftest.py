"""Results shaped like a stored analysis run, with known series counts, for the figures."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def results() -> dict[str, Any]:
    intents = ["check_balance", "pay_bill", "complaint", "unrecognised"]
    days = [f"2026-03-{d:02d}" for d in range(2, 9)]
    return {
        "period_label": "2026-03-02 00:00 to 2026-03-09 00:00 UTC",
        "currency": "USD",
        "run_id": 1,
        "code_version": "0.1.0",
        "kpis": [
            {
                "key": f"k{i}",
                "label": f"Indicator number {i}",
                "value": i,
                "unit": "count",
                "text": f"{i:,}",
            }
            for i in range(14)
        ],
        "totals": {"automated_seconds": 78.75, "agent_seconds": 450.0, "queue_seconds": 90.0},
        "tables": {
            "volume": [
                {"weekday": w, "hour": h, "contacts": w + h} for w in range(7) for h in range(24)
            ],
            "intent_trend": [
                {"day": d, "intent": i, "contacts": 3 + n}
                for d in days
                for n, i in enumerate(intents)
            ],
            "by_intent": [
                {
                    "intent": i,
                    "contacts": 10 - n,
                    "resolution_rate": 0.8 - 0.2 * n,
                    "containment_rate": 0.6 - 0.15 * n,
                }
                for n, i in enumerate(intents)
            ],
            "funnel": [
                {"stage": s, "label": s.title(), "contacts": c, "share": c / 100}
                for s, c in [
                    ("contacts", 100),
                    ("identified", 90),
                    ("understood", 80),
                    ("served", 70),
                    ("resolved", 60),
                    ("contained", 50),
                ]
            ],
            "conformity_trend": [
                {"day": d, "conformity": 55.0 + n, "interactions": 10} for n, d in enumerate(days)
            ],
        },
        "matrix": {
            "conformity_threshold": 50.0,
            "billing_threshold": 100.0,
            "quadrants": [
                {"quadrant": q, "label": q, "customers": n, "billing": 10.0 * n}
                for q, n in [("retain", 3), ("monitor", 4), ("care", 5), ("let_go", 6)]
            ],
            "sample": [
                {"conformity": c, "billing": b, "quadrant": q}
                for c, b, q in [
                    (20, 200, "retain"),
                    (80, 300, "monitor"),
                    (70, 50, "care"),
                    (10, 20, "let_go"),
                    (30, 150, "retain"),
                ]
            ],
        },
    }

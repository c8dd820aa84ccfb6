"""Durations shown to managers read in minutes and hours, never as "1.733 s".

In Spanish a dot groups thousands, so a wait of 1733 seconds written "1.733 s" reads as under
two seconds. The dashboards page (alert and KPI rows, targets, the previous period) and the
conversation search say "29 min" in both languages; short ones keep their seconds.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from contactpro.analytics import report
from contactpro.models import Alert, AnalysisRun, Customer, utcnow
from tests.webhooks.console.conftest import login
from tests.webhooks.console.test_numbers_agree import sms_from

WRONG = ("1.733", "1,733", "1733", "2.520", "2,520", "2520", "7.260", "7260")


def _kpi(value: float, target: str = "") -> dict[str, object]:
    return {
        "key": "queue_wait",
        "label": "Mean queue wait (escalated)",
        "value": value,
        "unit": "s",
        "text": f"{value:.0f} s",
        "target": target,
        "met": False if target else None,
    }


def _text(html: str) -> str:
    return " ".join(html.split())


@pytest.mark.parametrize(
    ("language", "hours"),
    [("es", ("29 min", "42 min", "1,5 h")), ("en", ("29 min", "42 min", "1.5 h"))],
)
def test_long_waits_read_in_minutes_and_hours(app, client, session, users, language, hours):
    now = utcnow()
    for n, value in enumerate((2520.0, 1733.0)):
        session.add(
            AnalysisRun(
                kind="daily",
                period_start=now - timedelta(days=2 - n),
                period_end=now - timedelta(days=1 - n),
                code_version="test",
                created_at=now - timedelta(hours=10 - n),
                seconds=1.5,
                results={"kpis": [_kpi(value, "≤ 1,200 s")]},
                outputs={},
            )
        )
    session.add(Alert(key="queue_wait_seconds", value=5400.0, threshold=300.0))
    customer = Customer(name="Cliente Largo", phone="+573001190000", segment="standard")
    session.add(customer)
    session.add(sms_from(customer, 1, now, status="closed", duration_seconds=7260))
    session.commit()

    login(client, "max@example.com")
    page = client.get(f"/console/manager/?lang={language}").text
    alerts = _text(page[page.index('id="alerts"') : page.index("</section>")])
    assert hours[2] in alerts and "5 min" in alerts
    kpis = _text(page[page.index('id="kpis"') : page.index("</table>", page.index('id="kpis"'))])
    assert hours[0] in kpis and hours[1] in kpis and "20 min" in kpis
    search = _text(
        client.get(f"/console/manager/conversations?customer=Largo&lang={language}").text
    )
    assert "2 h" in search
    for wrong in WRONG:
        assert wrong not in alerts + kpis, (wrong, alerts, kpis)
    assert "7260" not in search and "7.260" not in search


@pytest.mark.parametrize("language", ["es", "en"])
def test_short_waits_keep_their_seconds(client, session, users, language):
    session.add(Alert(key="queue_wait_seconds", value=45.0, threshold=30.0))
    session.commit()
    login(client, "max@example.com")
    page = client.get(f"/console/manager/?lang={language}").text
    alerts = _text(page[page.index('id="alerts"') : page.index("</section>")])
    assert "45 s" in alerts and "30 s" in alerts


def test_the_report_gives_the_mean_wait_per_reason_in_minutes() -> None:
    reasons = [
        {"reason": "agent_request", "escalations": 4, "mean_queue_seconds": 1733.4},
        {"reason": "technical_error", "escalations": 1, "mean_queue_seconds": 42.0},
    ]
    tables = {name: [] for name in ("failures", "by_intent", "failures_by_hour", "tiers")}
    results = {
        "kpis": [],
        "totals": {"contacts": 0},
        "matrix": {"quadrants": [], "conformity_threshold": 50.0, "billing_threshold": 1.0},
        "tables": {**tables, "escalation_reasons": reasons},
    }
    markdown, page = report.build_report(results)
    section = markdown.split("## Escalation reasons", 1)[1].split("## ", 1)[0]
    assert "29 min" in section and "42 s" in section and "29 min" in page
    assert "1,733" not in markdown and "(s)" not in section

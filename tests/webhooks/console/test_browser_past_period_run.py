"""In a real browser: a manager who analysed a past period still sees the latest period on the
dashboards, picks the past run from the list and reads that it is of a past period (Spanish)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect

from contactpro.models import AnalysisRun, utcnow
from tests.webhooks.console.conftest import TABLET, browser_login, shoot
from tests.webhooks.console.test_manager import add_runs


def test_manager_picks_a_past_period_run_on_a_tablet(live_server, page_factory, tmp_path: Path):
    now = utcnow()
    with live_server.session() as session:
        latest = add_runs(session, tmp_path / "out")[-1]  # "62.5 %", period ending now
        past = AnalysisRun(
            kind="manual",
            period_start=now - timedelta(days=10),
            period_end=now - timedelta(days=3),
            code_version="test",
            created_at=now,  # made after the latest period's run
            seconds=2.0,
            results={
                "kpis": [
                    {
                        "key": "auto_resolution",
                        "label": "Automatic resolution",
                        "value": 0.125,
                        "text": "12.5 %",
                    }
                ]
            },
            outputs={},
        )
        session.add(past)
        session.commit()
        latest_id, past_id = latest.id, past.id

    page = page_factory(TABLET)
    browser_login(page, "max@example.com")
    page.goto("/console/manager/?lang=es")
    expect(page.locator("#shown-run")).to_contain_text(f"Última corrida: #{latest_id}")
    expect(page.locator("#kpis")).to_contain_text("62,5 %")
    expect(page.locator("#past-run")).to_have_count(0)
    choice = page.get_by_label("Corrida")
    box = choice.bounding_box()
    assert box is not None and box["x"] + box["width"] <= TABLET["width"]  # fits the tablet

    choice.select_option(str(past_id))
    page.get_by_role("button", name="Ver", exact=True).click()
    expect(page.locator("#shown-run")).to_contain_text(f"Corrida de un periodo pasado: #{past_id}")
    expect(page.locator("#past-run")).to_contain_text(f"#{latest_id}")
    expect(page.locator("#kpis")).to_contain_text("12,5 %")
    expect(page.locator("#kpis")).not_to_contain_text("62,5 %")
    shoot(page, "pastrun-dashboards-past-tablet")

    page.get_by_role("link", name="Ver el periodo más reciente").click()
    expect(page.locator("#shown-run")).to_contain_text(f"#{latest_id}")
    expect(page.locator("#kpis")).to_contain_text("62,5 %")

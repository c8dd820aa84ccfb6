"""What a manager reads on the dashboards, in Spanish and English: the figures write the run's
period, days and clock as the pages do ("28 de octubre de 2026, 10:30", "hora de Bogotá"),
never ISO dates nor the zone's code; the KPI table names a run by the same period in its
"previous period" and history columns."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from contactpro.analytics import runs
from contactpro.analytics.patterns import Period
from dashboards.figures import build_figure
from tests.webhooks.console.conftest import LAPTOP, TABLET, browser_login, shoot
from tests.webhooks.console.test_manager import add_runs
from tests.webhooks.console.test_numbers_agree import END, START, add_contacts

ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# The company's clock (America/Bogota): the period 2 March 00:00 UTC to 9 March 00:00 UTC.
WORDS = {
    "es": {
        "period": "1 de marzo de 2026, 19:00 – 8 de marzo de 2026, 19:00 (hora de Bogotá)",
        "zone": "(hora de Bogotá)",
        "month": " de marzo",
    },
    "en": {
        "period": "March 1, 2026, 19:00 – March 8, 2026, 19:00 (Bogotá time)",
        "zone": "(Bogotá time)",
        "month": "March ",
    },
}


def _texts(figure: Any) -> list[str]:
    """Return every title, axis label and tick label of a figure."""
    texts = []
    for ax in figure.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        texts += [tick.get_text() for tick in ax.get_xticklabels()]
    return texts


@pytest.fixture
def results(app: Flask, session: Session) -> dict[str, Any]:
    """A week's analysis, as the run stores it."""
    add_contacts(session)
    runtime = app.extensions["contactpro"]
    return dict(runs.analyse(runtime.db, runtime.settings, Period(START, END)).results)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_figures_write_the_period_days_and_clock_the_languages_way(results, lang):
    words = WORDS[lang]
    title = build_figure("kpis", results, lang).axes[0].get_title()
    assert title.endswith(words["period"]), title
    for name in ("volume", "intent_mix", "conformity"):
        texts = _texts(build_figure(name, results, lang))
        shown = " | ".join(texts)
        assert any(text.endswith(words["zone"]) for text in texts), shown
        assert "America/Bogota" not in shown and not ISO_DAY.search(shown), shown
    days = _texts(build_figure("conformity", results, lang))
    assert any(words["month"] in text for text in days), days


@pytest.mark.parametrize(("viewport", "size"), [(LAPTOP, "laptop"), (TABLET, "tablet")])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_previous_period_and_its_history_column_name_one_period(
    live_server, page_factory, tmp_path: Path, lang, viewport, size
):
    with live_server.session() as session:
        earlier, latest = add_runs(session, tmp_path / "out")[-2:]
        earlier_id = earlier.id
    page = page_factory(viewport, locale="es-CO" if lang == "es" else "en-US")
    browser_login(page, "max@example.com")
    page.goto(f"/console/manager/?lang={lang}&run={latest.id}")
    previous = page.locator(f'#kpis thead th:not(.hist) small[data-run="{earlier_id}"]')
    expect(previous).to_contain_text(f"#{earlier_id}")
    said = previous.inner_text().split(" · ", 1)[1]
    assert " – " in said and not ISO_DAY.search(said), said
    history = page.locator(f'#kpis thead th.hist small[data-run="{earlier_id}"]')
    expect(history).to_have_text(said)  # the same run, the same period
    shoot(page, f"as-used-dashboards-{size}-{lang}")

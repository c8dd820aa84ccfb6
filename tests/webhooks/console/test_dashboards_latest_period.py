"""After an analysis of a past period, the dashboards page still shows by default the run of the
latest period (the one the customers page's quadrants come from); the past run stays one pick
away and says that it is of a past period. In both languages, through the test client."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from contactpro.analytics import runs
from contactpro.analytics.patterns import Period
from dashboards.figures import build_figure
from tests.webhooks.console.conftest import login
from tests.webhooks.console.test_manager import tiny_png
from tests.webhooks.console.test_numbers_agree import CUSTOMERS, END, START, add_contacts


def one_figure(results: Mapping[str, Any], out_dir: Path, progress: Any = None) -> dict[str, Path]:
    """Draw one stand-in figure per language (the real ones take seconds and are not asked)."""
    return {f"png_{lang}_volume": tiny_png(out_dir / f"volume.{lang}.png") for lang in ("en", "es")}


def shown(page: str) -> int:
    """Return the id of the run the dashboards page shows."""
    match = re.search(r'id="shown-run" data-run="(\d+)"', page)
    assert match, "the page names the run it shows"
    return int(match.group(1))


def interactions(page: str) -> str:
    """Return the 'interactions analysed' figure the page's KPI table shows."""
    match = re.search(r'data-kpi="interactions".*?<strong>(.*?)</strong>', page, re.S)
    assert match
    return match.group(1)


def test_a_past_period_run_does_not_replace_the_latest_on_the_dashboards(
    app: Flask, client: FlaskClient, session: Session, users: Any, tmp_path: Path
) -> None:
    add_contacts(session)
    runtime = app.extensions["contactpro"]
    current = runs.run_full_analysis(
        runtime.db, runtime.settings, START, END, tmp_path / "now", render=one_figure
    )
    # Made afterwards, of the week before: no contacts then, and no customers placed.
    past = runs.run_full_analysis(
        runtime.db,
        runtime.settings,
        START - timedelta(days=7),
        START,
        tmp_path / "past",
        render=one_figure,
    )
    assert current.results["matrix"]["customers"] == len(CUSTOMERS)
    assert past.results["matrix"]["current"] is False
    login(client, "max@example.com")

    notices = {
        "es": ("Corrida de un periodo pasado", "siguen la corrida del periodo más reciente"),
        "en": ("Run of a past period", "follow the run of the latest period"),
    }
    for lang, (heading, note) in notices.items():
        page = client.get(f"/console/manager/?lang={lang}").text
        assert shown(page) == current.run_id  # the run the customers page's matrix comes from
        assert interactions(page) == str(len(CUSTOMERS))
        assert f"/console/manager/runs/{current.run_id}/figures/0" in page
        assert f"/runs/{past.run_id}/figures/" not in page
        assert 'id="past-run"' not in page and heading not in page
        # the past run is listed with its period, marked, and can be picked
        option = re.search(rf'<option value="{past.run_id}"[^>]*>(.*?)</option>', page, re.S)
        assert option and ("periodo pasado" if lang == "es" else "past period") in option[1]
        latest = re.search(rf'<option value="{current.run_id}"[^>]*>(.*?)</option>', page, re.S)
        assert latest and "past" not in latest[1] and "pasado" not in latest[1]

        picked = client.get(f"/console/manager/?run={past.run_id}&lang={lang}").text
        assert shown(picked) == past.run_id
        assert interactions(picked) == "0"
        assert heading in picked and note in picked and f"#{current.run_id}" in picked
        assert f"/console/manager/runs/{past.run_id}/figures/0" in picked
        assert f'<option value="{past.run_id}" selected' in picked

    # The customers page counts the customers of the run the dashboards show by default.
    customers = client.get("/console/manager/customers?lang=en").text
    tab = re.search(r"All \((\d+)\)", customers)
    assert tab and int(tab[1]) == current.results["matrix"]["customers"]
    assert client.get("/console/manager/?run=999").status_code == 404


def test_the_matrix_figure_of_a_past_period_names_it(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    add_contacts(session)
    runtime = app.extensions["contactpro"]
    current = runs.analyse(runtime.db, runtime.settings, Period(START, END))
    past = runs.analyse(runtime.db, runtime.settings, Period(START - timedelta(days=7), START))
    words = {  # the company's time zone (America/Bogota), written the language's way
        "es": ("periodo pasado, 22 de febrero de 2026, 19:00", "1 de marzo de 2026, 19:00"),
        "en": ("past period, February 22, 2026, 19:00", "March 1, 2026, 19:00"),
    }
    for lang, (start, end) in words.items():
        title = build_figure("matrix", past.results, lang).axes[0].get_title()
        assert start in title and end in title
        assert "\n" not in build_figure("matrix", current.results, lang).axes[0].get_title()

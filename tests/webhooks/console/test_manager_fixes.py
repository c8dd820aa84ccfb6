"""Manager settings and the analytics they move, as a manager uses them in either language.

A new conformity threshold re-places the customers and everything that counts them agrees: the
console's customers page and CSV, the stored run (``contactpro report``), its report file and
matrix figures, and ``contactpro matrix export`` through the installed command. The settings
form shows its numbers the page's way, so submitting it unchanged reads back the same values;
conformity is compared as shown; the maximum discount takes decimals like the tiers it caps.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from contactpro.analytics import runs
from contactpro.console.settings import current_config
from contactpro.dialog.offers import DebtPolicy
from contactpro.models import Agent, AnalysisRun, ConfigEntry, Customer, CustomerScore, utcnow
from dashboards import draw_dashboards
from dashboards.figures import build_figure
from tests.conftest import wait_for
from tests.contactpro.analytics.conftest import installed_contactpro
from tests.webhooks.console.conftest import (
    TABLET,
    add_customer,
    add_score,
    browser_login,
    login,
    shoot,
)
from tests.webhooks.console.test_numbers_agree import (
    END,
    QUADRANTS,
    START,
    add_contacts,
    figure_counts,
    report_counts,
)

CONFIG = "/console/manager/config"


class _Form(HTMLParser):
    """The settings form's fields as a browser submits them (inputs, checked boxes, texts)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self.shown: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and "name" in a:
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "")))
            self.shown.setdefault(a["name"], a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields.append((a["name"], ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


def config_form(client: FlaskClient, language: str) -> _Form:
    """Read the settings form of the ``language`` page."""
    form = _Form()
    form.feed(client.get(f"{CONFIG}?lang={language}").text)
    return form


def submit(client: FlaskClient, fields: list[tuple[str, str]], **changes: str) -> TestResponse:
    """Submit the form as shown, with ``changes`` typed over its fields."""
    data = MultiDict([(name, changes.get(name, value)) for name, value in fields])
    return client.post(CONFIG, data=data)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tabs(page: str) -> dict[str, int]:
    found = {}
    for quadrant in QUADRANTS:
        tab = re.search(rf'quadrant={quadrant}"[^>]*>[^<(]*\((\d+)\)', page)
        assert tab, quadrant
        found[quadrant] = int(tab.group(1))
    return found


def _redrawn(out: Path, earlier: dict[str, str]) -> bool:
    """Return True once every figure in ``earlier`` has been drawn again."""
    return all(_digest(out / name) != digest for name, digest in earlier.items())


def test_a_new_threshold_is_counted_the_same_by_every_reader(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    session: Session,
    users: dict[str, Agent],
    tmp_path: Path,
) -> None:
    add_contacts(session)
    runtime = app.extensions["contactpro"]
    runtime.renderer = draw_dashboards  # what the entry points give the process
    out = tmp_path / "out"
    result = runs.run_full_analysis(
        runtime.db, runtime.settings, START, END, out, render=draw_dashboards
    )
    run_id = result.results["run_id"]
    first = {q["quadrant"]: q["customers"] for q in result.results["matrix"]["quadrants"]}
    scores = sorted(s.conformity for s in session.scalars(select(CustomerScore)))
    highs = [c for c in scores if c >= 50]
    # Just above the least conforming "high" customer: that customer moves to the low side;
    # then back below it, typed the English way.
    cuts = [("es", round(min(highs) + 0.1, 1)), ("en", 50.0)]
    login(client, "max@example.com")
    for language, cut in cuts:
        figures = {name: _digest(out / name) for name in ("matrix.png", "matrix.es.png")}
        typed = f"{cut:g}".replace(".", ",") if language == "es" else f"{cut:g}"
        client.get(f"{CONFIG}?lang={language}")
        response = submit(client, config_form(client, language).fields, conformity_threshold=typed)
        assert response.status_code == 302, response.text
        session.expire_all()
        assert current_config(session, runtime.settings)["conformity_threshold"] == cut

        run = session.get(AnalysisRun, run_id)
        assert run is not None and run.seconds is not None  # still finished, still the latest
        summary = {q["quadrant"]: q["customers"] for q in run.results["matrix"]["quadrants"]}
        assert run.results["matrix"]["conformity_threshold"] == cut
        assert sum(summary.values()) == sum(first.values())
        if language == "es":
            assert summary != first, "the threshold moved nobody: the test proves nothing"
        else:
            assert summary == first
        # The console: customers page (both languages) and its CSV.
        for page_language in ("es", "en"):
            page = client.get(f"/console/manager/customers?lang={page_language}").text
            assert _tabs(page) == summary, page_language
        rows = list(csv.DictReader(io.StringIO(client.get("/console/manager/customers.csv").text)))
        assert Counter(r["quadrant"] for r in rows) == Counter(
            {q: n for q, n in summary.items() if n}
        )
        for row in rows:  # each on its side of the new threshold, as shown
            assert (row["quadrant"] in ("care", "monitor")) == (float(row["conformity"]) >= cut)
        # The commands (the installed entry point once; it is slow to start): matrix export and
        # the report of the latest run.
        for command in (
            ["matrix", "export", "--out", str(tmp_path / f"m-{language}.csv")],
            ["report", "--out", str(tmp_path / f"r-{language}")],
        ):
            if language == "es":
                done = installed_contactpro(runtime.settings, *command)
                assert done.returncode == 0, done.stderr
            else:
                ran = runner.invoke(args=command)
                assert ran.exit_code == 0, ran.output
        with (tmp_path / f"m-{language}.csv").open(encoding="utf-8") as fh:
            assert list(csv.DictReader(fh)) == rows
        markdown = (tmp_path / f"r-{language}" / "report.md").read_text(encoding="utf-8")
        assert report_counts(markdown) == summary
        assert f"Conformity threshold {cut:g};" in markdown
        # The run's own files, redrawn by a task (on PostgreSQL a worker process still drawing):
        # the report, then the figures beside it.
        wait_for(partial(_redrawn, out, figures), timeout=90)
        stored = (out / "report.md").read_text(encoding="utf-8")
        assert report_counts(stored) == summary and f"Conformity threshold {cut:g};" in stored
        assert figure_counts(run.results) == summary
        spanish = " ".join(
            t.get_text() for t in build_figure("matrix", run.results, "es").axes[0].texts
        )
        assert f"RETENER {summary['retain']} · DEJAR IR {summary['let_go']}" in spanish
        # The dashboards page serves the redrawn figure.
        page = client.get(f"/console/manager/?lang={language}").text
        index = re.findall(rf"/runs/{run_id}/figures/(\d+)", page)
        assert index
        served = set()
        for i in index:
            figure = client.get(f"/console/manager/runs/{run_id}/figures/{i}")
            served.add(hashlib.sha256(figure.data).hexdigest())
            figure.close()
        name = "matrix.es.png" if language == "es" else "matrix.png"
        assert _digest(out / name) in served


@pytest.mark.parametrize(
    ("language", "typed", "shown", "error"),
    [
        ("es", "45,375", "45,375", "debe ser como mucho 100"),
        ("en", "45.375", "45.375", "must be at most 100"),
    ],
)
def test_the_settings_form_takes_back_the_numbers_it_shows(
    client: FlaskClient,
    session: Session,
    app: Flask,
    users: dict[str, Agent],
    language: str,
    typed: str,
    shown: str,
    error: str,
) -> None:
    login(client, "max@example.com")
    form = config_form(client, language)
    response = submit(client, form.fields, conformity_threshold=typed)
    assert response.status_code == 302, response.text
    form = config_form(client, language)
    assert form.shown["conformity_threshold"] == shown
    # Only the maximum discount changes; the threshold goes back as shown.
    response = submit(client, form.fields, offer_max_discount_percent="15")
    assert response.status_code == 302, response.text
    assert error not in response.text
    session.expire_all()
    config = current_config(session, app.extensions["contactpro"].settings)
    assert config["conformity_threshold"] == 45.375
    assert config["offer_max_discount_percent"] == 15
    # Submitting the page as it is changes nothing.
    assert submit(client, config_form(client, language).fields).status_code == 302
    nothing = client.get(f"{CONFIG}?lang={language}").text
    assert ("No hubo cambios." if language == "es" else "Nothing changed.") in nothing
    session.expire_all()
    entry = session.get(ConfigEntry, "conformity_threshold")
    assert entry is not None and entry.value == 45.375


@pytest.mark.parametrize(
    ("language", "typed", "before", "after"),
    [("es", "52,6", "50", "52,6"), ("en", "52.6", "50", "52.6")],
)
def test_the_change_log_writes_numbers_the_pages_way(
    client: FlaskClient, users: dict[str, Agent], language: str, typed: str, before: str, after: str
) -> None:
    login(client, "max@example.com")
    response = submit(client, config_form(client, language).fields, conformity_threshold=typed)
    assert response.status_code == 302
    page = client.get(f"{CONFIG}?lang={language}").text
    audit = page.split('id="audit"', 1)[1]
    assert f"<td>{before}</td><td>{after}</td>" in audit
    wrong = "52.6" if language == "es" else "52,6"
    assert f"<td>{wrong}</td>" not in audit and "<td>50.0</td>" not in audit


def _scored(session: Session, name: str, phone: str, conformity: float) -> Customer:
    """A low-billing customer scored by an earlier run, worth less than recovering them."""
    customer = add_customer(session, phone, name)
    add_score(
        session,
        customer.id,
        "let_go",
        conformity,
        "5",
        interactions=2,
        expected_value=Decimal("60"),
        recovery_cost=Decimal("100"),
        computed_at=utcnow(),
    )
    return customer


@pytest.mark.parametrize(("language", "typed"), [("es", "40,1"), ("en", "40.1")])
def test_customers_shown_at_the_threshold_count_as_high(
    client: FlaskClient, session: Session, users: dict[str, Agent], language: str, typed: str
) -> None:
    _scored(session, "Ximena Duarte", "+573005550101", 40.053)
    _scored(session, "Óscar Peña", "+573005550102", 40.116)
    _scored(session, "Luis Mora", "+573005550103", 40.04)  # shows 40.0: below
    login(client, "max@example.com")
    response = submit(client, config_form(client, language).fields, conformity_threshold=typed)
    assert response.status_code == 302
    # All bill the same, so all are high billing (the median): high conformity is "monitor".
    high = client.get(f"/console/manager/customers?quadrant=monitor&lang={language}").text
    let_go = client.get(f"/console/manager/customers?quadrant=let_go&lang={language}").text
    assert "Ximena Duarte" in high and "Óscar Peña" in high
    assert "Luis Mora" in let_go and "Luis Mora" not in high
    assert "Ximena Duarte" not in let_go
    rows = list(csv.DictReader(io.StringIO(client.get("/console/manager/customers.csv").text)))
    placed = {r["name"]: (r["conformity"], r["quadrant"]) for r in rows}
    assert placed["Ximena Duarte"] == placed["Óscar Peña"] == ("40.1", "monitor")
    assert placed["Luis Mora"] == ("40.0", "let_go")


@pytest.mark.parametrize(
    ("language", "decimal", "whole", "message"),
    [
        ("es", "12,5", "12,5", "debe ser un número entero"),
        ("en", "12.5", "12.5", "must be a whole number"),
    ],
)
def test_the_maximum_discount_takes_decimals_and_whole_fields_say_so(
    client: FlaskClient,
    session: Session,
    app: Flask,
    users: dict[str, Agent],
    language: str,
    decimal: str,
    whole: str,
    message: str,
) -> None:
    login(client, "max@example.com")
    form = config_form(client, language)
    response = submit(client, form.fields, offer_max_discount_percent=decimal)
    assert response.status_code == 302, response.text
    settings = app.extensions["contactpro"].settings
    session.expire_all()
    cap = current_config(session, settings)["offer_max_discount_percent"]
    assert cap == 12.5
    assert DebtPolicy.from_settings(settings, discount_cap=cap).discount_cap == Decimal("12.5")
    assert config_form(client, language).shown["offer_max_discount_percent"] == decimal
    refused = submit(client, config_form(client, language).fields, offer_min_tenure_months=whole)
    assert refused.status_code == 400 and message in refused.text
    assert "debe ser un número<" not in refused.text and "must be a number<" not in refused.text


def test_in_a_browser_the_spanish_settings_form_saves_its_own_numbers(
    live_server: Any, page_factory: Callable[..., Any]
) -> None:
    expect = pytest.importorskip("playwright.sync_api").expect
    page = page_factory(TABLET, locale="es-CO")
    browser_login(page, "max@example.com")
    page.goto(f"{CONFIG}?lang=es")
    threshold = page.get_by_label("Umbral de conformidad (0-100)")
    threshold.fill("45,375")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status")).to_have_text(
        "Cambios guardados: Umbral de conformidad (0-100)"
    )
    expect(threshold).to_have_value("45,375")
    # Only the discount changes; the threshold goes back as the page shows it.
    page.get_by_label("Descuento máximo (%)").fill("12,5")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status")).to_have_text("Cambios guardados: Descuento máximo (%)")
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(threshold).to_have_value("45,375")
    expect(page.locator("#audit")).to_contain_text("45,375")
    expect(page.locator("#audit")).to_contain_text("12,5")
    expect(page.locator("#audit")).not_to_contain_text("45.375")
    shoot(page, "manager-fixes-config-es-tablet")

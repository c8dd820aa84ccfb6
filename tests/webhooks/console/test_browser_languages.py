"""Every console page in a real browser, in Spanish and English, on a laptop and a tablet.

A Spanish page must show no catalogue key (``reason_not_resolved``) and no English sentence
from the console's own catalogue; the queue keeps its Status and Open columns on a tablet;
dashboard figures are drawn in the page's language and open at full size. Each page is saved as
a screenshot for a person to look at.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache
from typing import Any

import pytest
from playwright.sync_api import expect

from contactpro.analytics import runs
from contactpro.console import agent_queue
from contactpro.console.strings import console_strings
from contactpro.models import Agent, Callback, Escalation, utcnow
from dashboards import draw_dashboards
from tests.webhooks.console.conftest import LAPTOP, browser_login, shoot
from tests.webhooks.console.test_browser_agent import escalate_by_sms
from tests.webhooks.console.test_manager import add_scored
from tests.webhooks.console.test_numbers_agree import END, START, add_contacts

SMALL_TABLET = {"width": 768, "height": 1024}
SIZES = {"laptop": LAPTOP, "tablet": SMALL_TABLET}
SCORED_CUSTOMERS = 55  # more than one page of the customers list
# Words both languages write the same way, or names the product keeps in English.
SHARED = {"SMS", "WhatsApp", "LLM", "VIP", "KPI", "CSV", "Error", "Plan", "premium", "manual"}
_SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


@cache
def english_phrases() -> list[tuple[str, re.Pattern[str]]]:
    """Return (key, pattern) for each English console text that differs from its Spanish one.

    Texts with placeholders are matched by their longest literal part.
    """
    phrases = []
    for key, text in console_strings().items():
        english, spanish = text["en"], text["es"]
        if english == spanish or english in SHARED:
            continue
        literal = max(re.split(r"\{[^}]*\}", english), key=len).strip(" .:,()")
        if len(literal) < 4 or literal in SHARED:
            continue
        phrases.append((key, re.compile(rf"(?<![\w-]){re.escape(literal)}(?![\w-])")))
    return phrases


def problems(text: str, language: str) -> list[str]:
    """Return the keys and (on a Spanish page) English texts found in a page's visible text."""
    found = [f"key {key}" for key in _SNAKE.findall(text)]
    if language == "es":
        found += [f"English {key!r}" for key, pattern in english_phrases() if pattern.search(text)]
    return found


@pytest.fixture(scope="module")
def seeded(live_server, tmp_path_factory) -> dict[str, Any]:
    """An analysed week, two runs, scored customers, an escalation, call-backs due and later."""
    out = tmp_path_factory.mktemp("runs")
    runtime = live_server.app.extensions["contactpro"]
    with live_server.session() as session:
        add_contacts(session)
    week = timedelta(days=7)
    runs.run_full_analysis(
        runtime.db,
        runtime.settings,
        START - week,
        END - week,
        out / "before",
        render=draw_dashboards,
    )
    run = runs.run_full_analysis(
        runtime.db, runtime.settings, START, END, out / "now", render=draw_dashboards
    )
    with live_server.session() as session:
        for n in range(SCORED_CUSTOMERS):
            add_scored(
                session, f"+5730012{n:05d}", f"Cliente Puntuado {n:02d}", "monitor", 60 + n / 2
            )
    escalation = escalate_by_sms(live_server, "+573001150001", "Lucía Méndez")
    with live_server.session() as session:
        agent = session.query(Agent).filter_by(email="ana@example.com").one()
        agent_queue.claim(session, escalation.id, agent)
        now = utcnow()
        session.add_all(
            [
                Callback(
                    escalation_id=escalation.id,
                    agent_id=agent.id,
                    phone="+573001150001",
                    scheduled_for=now + timedelta(minutes=5),
                    status="scheduled",
                    note="Confirmar el pago",
                ),
                Callback(
                    escalation_id=escalation.id,
                    agent_id=agent.id,
                    phone="+573001150001",
                    scheduled_for=now + timedelta(days=1),
                    status="scheduled",
                ),
            ]
        )
        session.commit()
        interaction_id = session.get(Escalation, escalation.id).interaction_id
    return {"run": run, "escalation": escalation.id, "interaction": interaction_id}


def pages(seeded: dict[str, Any]) -> list[tuple[str, str]]:
    """Return (name, path) of every console page a manager can open."""
    return [
        ("queue", "/console/queue"),
        ("escalation", f"/console/escalations/{seeded['escalation']}"),
        ("callbacks", "/console/callbacks"),
        ("dashboards", "/console/manager/"),
        ("customers", "/console/manager/customers"),
        ("customers-page2", "/console/manager/customers?page=2"),
        ("search", "/console/manager/conversations?number=3001150001"),
        ("conversation", f"/console/manager/conversations/{seeded['interaction']}"),
        ("agents", "/console/manager/agents"),
        ("config", "/console/manager/config"),
        ("improve", "/console/manager/improve/"),
        ("password", "/console/account/password"),
    ]


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("language", ["es", "en"])
def test_every_page_speaks_the_page_language(
    live_server, page_factory, seeded, language: str, size: str
) -> None:
    page = page_factory(SIZES[size], locale="es-CO" if language == "es" else "en-US")
    browser_login(page, "max@example.com")
    found = {}
    for name, path in pages(seeded):
        joiner = "&" if "?" in path else "?"
        response = page.goto(f"{path}{joiner}lang={language}")
        assert response is not None and response.status == 200, (name, response and response.status)
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.wait_for_load_state("networkidle")
        shoot(page, f"lang-{name}-{size}-{language}")
        trouble = problems(page.locator("body").inner_text(), language)
        if trouble:
            found[name] = trouble
    assert not found, found


@pytest.mark.parametrize("language", ["es", "en"])
def test_queue_keeps_status_and_open_on_a_tablet(
    live_server, page_factory, seeded, language: str
) -> None:
    page = page_factory(SMALL_TABLET, locale="es-CO")
    browser_login(page, "max@example.com")
    page.goto(f"/console/queue?lang={language}")
    row = page.locator(f'#queue tr[data-id="{seeded["escalation"]}"]')
    status = page.locator("#queue thead th").nth(7)
    opener = row.get_by_role("link", name=re.compile("Abrir|Open"))
    for element in (status, opener):
        box = element.bounding_box()
        assert box is not None and box["x"] >= 0
        assert box["x"] + box["width"] <= SMALL_TABLET["width"], box
    wait = row.locator(".wait")
    expect(wait).to_have_class(re.compile(r"\bsla-(ok|warn|late)\b"))
    shoot(page, f"queue-columns-tablet-{language}")


def test_dashboard_figures_are_in_spanish_and_open_full_size(live_server, page_factory, seeded):
    page = page_factory(LAPTOP)
    browser_login(page, "max@example.com")
    page.goto("/console/manager/?lang=es")
    kpis = page.locator("#kpis")
    expect(kpis).to_contain_text("Resolución automática")
    expect(kpis).to_contain_text("Periodo anterior")
    expect(page.locator('#kpis tr[data-kpi="auto_resolution"] td.target')).to_contain_text("≥ 60 %")
    image = page.get_by_role("img", name="Matriz de prioridad: conformidad frente a facturación")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 900
    with page.expect_popup() as opened:
        page.locator(".figures figure a").first.click()
    popup = opened.value
    popup.wait_for_load_state()
    assert re.search(r"/figures/0\?lang=es$", popup.url), popup.url
    assert popup.evaluate("document.images[0].naturalWidth") > 0
    run = seeded["run"]
    spanish = sorted(path for key, path in run.outputs.items() if key.startswith("png_es_"))
    assert spanish and all(path.endswith(".es.png") for path in spanish)
    shoot(page, "dashboards-figures-laptop-es")
    shoot(popup, "dashboards-figure-full-size-es")


def test_callback_reminder_and_list(live_server, page_factory, seeded):
    page = page_factory(LAPTOP)
    browser_login(page, "ana@example.com")
    page.goto("/console/queue?lang=es")
    reminder = page.locator("#callback-reminder")
    expect(reminder).to_contain_text("1 llamada de vuelta vencida o para")
    reminder.get_by_role("link").click()
    expect(page.locator("#callbacks-due")).to_contain_text("Confirmar el pago")
    expect(page.locator("#callbacks-upcoming tbody tr")).to_have_count(1)
    page.locator("#callbacks-due").get_by_role("button", name="Marcar como hecha").click()
    expect(page.get_by_role("status")).to_contain_text("Llamada de vuelta marcada como hecha")
    expect(page.locator("#callbacks-due")).to_have_count(0)
    expect(page.locator("#callback-reminder")).to_have_count(0)
    shoot(page, "callbacks-after-done-laptop-es")

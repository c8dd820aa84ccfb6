"""In a real browser: a manager ranks, explains, edits and replays; an agent reads the pattern."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect
from sqlalchemy import select

from contactpro.improve import index, proposals, store
from contactpro.models import Escalation
from tests.contactpro.analytics.test_similar import PAST, _interaction
from tests.webhooks.console.conftest import LAPTOP, TABLET, add_customer, browser_login, shoot
from tests.webhooks.console.test_improve_pages import conversations
from tests.webhooks.test_sms import sms_params

LIVE_CONFIG = {"improve_case_encoder": "hashing"}
# English words of these pages that must never show on their Spanish versions.
ENGLISH = ("Weights", "Proposal", "Replay", "Explain", "Conversations", "Failure", "Current")


def _seed(live) -> int:
    with live.session() as session:
        store.save(session, "month", conversations())
        for n, row in enumerate(PAST):
            _interaction(session, 100 + n, row)
        index.index_pending(session, index.HashingEncoder())
        [pid] = proposals.save(session, [proposals.Draft("threshold", "Lower the KB threshold")])
        session.commit()
    return pid


def _no_english(page) -> None:
    text = page.locator("main").inner_text()
    for word in ENGLISH:
        assert word not in text, word
    assert not re.search(r"\b[a-z]+_[a-z_]+ =|\bweight_|\bpstatus_|\brunstatus_", text)


def test_manager_ranks_explains_edits_and_replays_on_a_laptop(live_server, page_factory):
    pid = _seed(live_server)
    page = page_factory(LAPTOP, locale="en-US")
    page.set_default_timeout(60_000)  # the first ranking loads the intent model
    browser_login(page, "max@example.com")
    page.get_by_role("link", name="Improvement").click()
    page.get_by_role("link", name="What to automate next").click()
    page.get_by_label("Conversations").select_option("month")
    page.get_by_label("Volume weight").fill("3")
    page.get_by_label("Handling-time weight").fill("0")
    page.get_by_role("button", name="Apply").click()
    first = page.locator("#ranking tbody tr").first
    expect(first).to_contain_text("billing inquiry")
    page.get_by_label("Volume weight").fill("0")
    page.get_by_label("Handling-time weight").fill("3")
    page.get_by_role("button", name="Apply").click()
    expect(first).to_contain_text("debt negotiation")
    shoot(page, "30-improve-ranking-laptop-en")

    page.get_by_role("link", name="Explain a failure").click()
    page.get_by_label("Failure reason").select_option("offer_refused")
    page.get_by_role("button", name="Explain").click()
    expect(page.locator("#explanation")).to_contain_text(
        "Probable root cause: offered payment plans"
    )
    expect(page.locator("#cases tbody tr")).to_have_count(5)  # 3 imported, 2 live
    shoot(page, "31-improve-explain-laptop-en")

    page.get_by_role("link", name="Proposals and replays").click()
    page.get_by_role("link", name="Lower the KB threshold").click()
    body = {"settings": {"knowledge_min_score": 0.2}, "change": "Lower the threshold"}
    page.get_by_label("Body (JSON)").fill(json.dumps(body, indent=2))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text(f"#{pid}: proposal saved")
    page.get_by_label("Replay on").select_option("month")
    page.get_by_role("button", name="Run replay").click()
    expect(page.locator("#run-status")).to_have_text("done")
    expect(page.locator("#compare")).to_contain_text("Resolved")
    expect(page.locator("#compare")).to_contain_text("Wrong resolutions")
    expect(
        page.get_by_role("heading", name=re.compile("Conversations whose outcome"))
    ).to_be_visible()
    shoot(page, "32-improve-replay-laptop-en")
    page.get_by_role("link", name=f"#{pid}").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#status")).to_have_text("approved")
    expect(page.locator("#history")).to_contain_text("edited")
    expect(page.locator("#history")).to_contain_text("max@example.com")
    shoot(page, "33-improve-proposal-laptop-en")


def test_manager_pages_in_spanish_on_a_tablet(live_server, page_factory):
    page = page_factory(TABLET, locale="es-CO")
    page.set_default_timeout(60_000)
    browser_login(page, "max@example.com")
    page.goto("/console/manager/improve/?lang=es")
    expect(page.get_by_role("heading", name="Propuestas y repeticiones")).to_be_visible()
    _no_english(page)
    shoot(page, "34-improve-overview-tablet-es")
    page.get_by_role("link", name="Qué automatizar después").click()
    page.get_by_label("Conversaciones").select_option("month")
    page.get_by_role("button", name="Aplicar").click()
    expect(page.locator("#ranking")).to_contain_text("solicitud")
    _no_english(page)
    shoot(page, "35-improve-ranking-tablet-es")
    page.get_by_role("link", name="Explicar un fallo").click()
    page.get_by_label("Motivo del fallo").select_option("no_input")
    page.get_by_role("button", name="Explicar").click()
    expect(page.locator("#explanation")).to_contain_text("Casos pasados parecidos: 12.")
    explanation = page.locator("#explanation")
    expect(explanation).to_contain_text("Causa probable: menú del IVR · sin respuesta")
    # The clock is named by its place, not by its time-zone code.
    expect(page.locator("#explanation")).to_contain_text("(hora de Bogotá)")
    _no_english(page)
    shoot(page, "36-improve-explain-tablet-es")
    page.goto("/console/manager/improve/?lang=es")
    page.locator("#replays a").first.click()
    expect(page.locator("#run-status")).to_have_text("terminada")
    _no_english(page)
    shoot(page, "37-improve-replay-tablet-es")


def test_agent_reads_the_failure_pattern_of_a_connection_escalation(live_server, page_factory):
    phone = "+573001150001"
    with live_server.session() as session:
        add_customer(session, phone, "Luis Conexión")
    twilio = live_server.twilio()
    for text in ("desde ayer no puedo navegar, no tengo internet", "quiero un asesor"):
        assert twilio.post("/twilio/sms", sms_params(phone, text)).status_code == 200
    with live_server.session() as session:
        escalation = session.scalars(
            select(Escalation).where(Escalation.context["from_number"].as_string() == phone)
        ).one()
    page = page_factory(TABLET, locale="es-CO")
    browser_login(page, "ana@example.com")
    page.goto(f"/console/escalations/{escalation.id}?lang=es")
    similar = page.locator("#h-similar").locator("..")
    expect(similar).to_contain_text("Casos pasados parecidos")
    expect(similar).to_contain_text("Causa probable")
    expect(similar).not_to_contain_text("most similar past cases")
    connection = [row[-1] for row in PAST if row[0] == "connection_problem"]
    top = page.locator("#similar tbody tr").first.inner_text()
    assert any(text[:30] in top for text in connection), top
    shoot(page, "38-escalation-similar-tablet-es")

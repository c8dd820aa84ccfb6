"""In a real browser: an agent logs in, watches an escalation arrive, claims, reads, resolves."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from contactpro.console.strings import translate
from contactpro.models import Escalation
from tests.webhooks.console.conftest import LAPTOP, TABLET, add_customer, browser_login, shoot
from tests.webhooks.test_sms import sms_params


def escalate_by_sms(live, phone: str, name: str, language: str = "es") -> Escalation:
    """Create a customer and have them ask the SMS bot for a person."""
    with live.session() as session:
        add_customer(session, phone, name, language=language)
    twilio = live.twilio()
    first, second = (
        ("saldo", "quiero un asesor")
        if language == "es"
        else ("what is my balance", "I want to talk to an agent")
    )
    assert twilio.post("/twilio/sms", sms_params(phone, first)).status_code == 200
    assert twilio.post("/twilio/sms", sms_params(phone, second)).status_code == 200
    with live.session() as session:
        return session.scalars(
            select(Escalation).where(Escalation.context["from_number"].as_string() == phone)
        ).one()


def test_agent_sees_new_escalation_live_then_claims_reads_and_resolves(live_server, page_factory):
    page = page_factory(LAPTOP)
    browser_login(page, "ana@example.com")
    expect(page.get_by_role("heading", name="Cola de escalamientos")).to_be_visible()
    shoot(page, "01-queue-before-laptop")

    escalation = escalate_by_sms(live_server, "+573001110001", "Camila Rojas Pérez")
    row = page.locator(f'#queue tr[data-id="{escalation.id}"]')
    # No reload: the queue's own polling brings the row in.
    expect(row).to_contain_text("Camila Rojas Pérez", timeout=8_000)
    expect(row).to_contain_text("pidió un asesor")
    expect(page.locator("#queue-announcer")).to_contain_text("Nuevo escalamiento")
    shoot(page, "02-queue-live-row-laptop")

    row.get_by_role("link", name=re.compile("Abrir")).click()
    page.get_by_role("button", name="Tomar").click()
    expect(page.get_by_role("status")).to_contain_text("Escalamiento tomado")
    # The packet: customer, account, summary, steps and the conversation with intents.
    expect(page.locator("#h-customer + dl")).to_contain_text("+573001110001")
    # Agents see the account number masked; the bot has already identified the customer.
    expect(page.get_by_role("cell", name="******0001", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="3001110001", exact=True)).to_have_count(0)
    packet = escalation.context
    # The summary, steps and intents are written in the page's language, not stored English.
    summary = page.locator("#bot-summary")
    expect(summary).to_contain_text("Camila Rojas Pérez nos contactó por SMS en español")
    expect(summary).to_contain_text("Escalado porque: pidió un asesor")
    expect(summary).not_to_contain_text(packet["summary"])
    for step in packet["steps_tried"]:
        expect(page.locator(".steps")).to_contain_text(translate(f"step_{step}", "es"))
    transcript = page.locator("table.transcript")
    for turn in packet["transcript"]:
        expect(transcript).to_contain_text(turn["text"])
        if turn["intent"]:
            expect(transcript).to_contain_text(translate(f"intent_{turn['intent']}", "es"))
    expect(page.locator("#h-scores ~ p")).to_contain_text("Aún no hay puntuación")
    shoot(page, "03-escalation-claimed-laptop")

    page.get_by_label("Resultado").select_option("payment_arranged")
    page.get_by_label("Notas").first.fill("Acordó pagar el viernes")
    page.get_by_role("button", name="Resolver").click()
    expect(page.get_by_role("status")).to_contain_text("Escalamiento resuelto")
    shoot(page, "04-escalation-resolved-laptop")
    with live_server.session() as session:
        stored = session.get(Escalation, escalation.id)
        assert (stored.status, stored.resolution, stored.notes) == (
            "resolved",
            "payment_arranged",
            "Acordó pagar el viernes",
        )
        assert stored.agent.email == "ana@example.com" and stored.resolved_at is not None


def test_tablet_in_english_and_keyboard_only(live_server, page_factory):
    escalation = escalate_by_sms(live_server, "+13055550002", "John Smith", language="en")
    page = page_factory(TABLET, locale="en-US")
    browser_login(page, "ana@example.com")
    page.goto("/console/queue?lang=en")
    expect(page.get_by_role("heading", name="Escalation queue")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shoot(page, "05-queue-tablet-en")
    # Keyboard: the skip link comes first and lands on the main content.
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    page.goto(f"/console/escalations/{escalation.id}")
    claim = page.get_by_role("button", name="Claim")
    claim.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Escalation claimed")
    shoot(page, "06-escalation-tablet-en")
    page.get_by_text("Send SMS", exact=True).first.click()
    page.get_by_label("Message").fill("Hello John, your payment is confirmed.")
    page.get_by_role("button", name="Send SMS").click()
    expect(page.get_by_role("status")).to_contain_text("SMS sent")
    expect(page.locator("table.transcript")).to_contain_text("your payment is confirmed")
    sent = live_server.app.extensions["telephony"].sent
    assert sent[-1]["to"] == "+13055550002" and "payment is confirmed" in sent[-1]["body"]
    page.get_by_role("button", name="Release").click()
    expect(page.get_by_role("button", name="Claim")).to_be_visible()


def test_forged_post_without_csrf_token_is_refused(live_server, page_factory):
    escalation = escalate_by_sms(live_server, "+573001110003", "Pedro Gómez")
    page = page_factory(LAPTOP)
    browser_login(page, "ana@example.com")
    page.goto(f"/console/escalations/{escalation.id}")
    page.eval_on_selector_all("input[name=csrf_token]", "els => els.forEach(e => e.value = 'x')")
    page.get_by_role("button", name="Tomar").click()
    expect(page.get_by_role("alert")).to_contain_text("El formulario caducó")
    shoot(page, "07-csrf-refused-laptop")
    with live_server.session() as session:
        assert session.get(Escalation, escalation.id).status == "open"


def test_session_expires_and_sends_the_agent_back_to_log_in(live_server, page_factory):
    app = live_server.app
    before = app.config["PERMANENT_SESSION_LIFETIME"]
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=2)
    try:
        page = page_factory(LAPTOP)
        browser_login(page, "ana@example.com")
        expect(page.get_by_role("heading", name="Cola de escalamientos")).to_be_visible()
        time.sleep(3.2)
        page.goto("/console/queue")
        expect(page).to_have_url(re.compile(r"/console/login\?next="))
        expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    finally:
        app.config["PERMANENT_SESSION_LIFETIME"] = before


def test_agent_is_refused_a_manager_page(live_server, page_factory):
    page = page_factory(LAPTOP)
    browser_login(page, "ana@example.com")
    expect(page.get_by_role("link", name="Tableros")).to_have_count(0)
    response = page.goto("/console/manager/")
    assert response.status == 403
    expect(page.get_by_role("alert")).to_contain_text("solo para supervisores")
    shoot(page, "08-agent-refused-manager-laptop")

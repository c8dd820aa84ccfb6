"""In a real browser: a manager sees an account number whole where an agent sees it masked; an
agent changes her password and the session another browser kept is over."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.webhooks.console.conftest import LAPTOP, PASSWORD, browser_login, shoot
from tests.webhooks.console.test_browser_agent import escalate_by_sms

NEW_PASSWORD = "una clave nueva y larga"


def test_a_manager_sees_the_whole_account_number(live_server, page_factory):
    escalation = escalate_by_sms(live_server, "+573001110077", "Mario Mostrar")
    page = page_factory(LAPTOP)
    browser_login(page, "max@example.com")
    page.goto(f"/console/escalations/{escalation.id}")
    expect(page.get_by_role("cell", name="3001110077", exact=True)).to_be_visible()


def test_changing_the_password_ends_the_other_browsers_session(live_server, page_factory):
    laptop, tablet = page_factory(LAPTOP), page_factory(LAPTOP)
    browser_login(laptop, "ada@example.com")
    browser_login(tablet, "ada@example.com")

    laptop.get_by_role("link", name="Cambiar contraseña").click()
    laptop.get_by_label("Contraseña actual", exact=True).fill(PASSWORD)
    laptop.get_by_label("Contraseña nueva", exact=True).fill("aaaaaaaaaa")
    laptop.get_by_label("Repita la contraseña nueva").fill("aaaaaaaaaa")
    laptop.get_by_role("button", name="Cambiar contraseña").click()
    expect(laptop.get_by_role("alert")).to_contain_text("demasiado común")
    shoot(laptop, "20-password-refused-laptop")

    laptop.get_by_label("Contraseña actual", exact=True).fill(PASSWORD)
    laptop.get_by_label("Contraseña nueva", exact=True).fill(NEW_PASSWORD)
    laptop.get_by_label("Repita la contraseña nueva").fill(NEW_PASSWORD)
    laptop.get_by_role("button", name="Cambiar contraseña").click()
    expect(laptop.get_by_role("status")).to_contain_text("Contraseña cambiada")
    laptop.reload()
    expect(laptop).to_have_url(re.compile(r"/console/queue"))

    # The tablet's live queue polls every few seconds: its next poll is refused and the
    # page takes the agent to the login form on its own, with no reload by the test.
    expect(tablet).to_have_url(re.compile(r"/console/login"), timeout=15_000)
    browser_login(tablet, "ada@example.com", NEW_PASSWORD)

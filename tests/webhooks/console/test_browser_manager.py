"""In a real browser: a manager reads the dashboards, lists a quadrant and finds a conversation."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.webhooks.console.conftest import LAPTOP, TABLET, browser_login, shoot
from tests.webhooks.console.test_manager import add_runs, add_scored
from tests.webhooks.test_sms import sms_params


def test_manager_views_dashboards_and_searches_a_conversation(live_server, page_factory, tmp_path):
    with live_server.session() as session:
        run = add_runs(session, tmp_path / "out")[-1]
        add_scored(session, "+573001140001", "Rosa Retener", "retain", 22.5)
    twilio = live_server.twilio()
    twilio.post("/twilio/sms", sms_params("+573001140001", "cuánto debo"))

    page = page_factory(LAPTOP, locale="en-US")
    browser_login(page, "max@example.com")  # English first in this manager's languages
    page.get_by_role("link", name="Dashboards").click()
    expect(page.get_by_role("heading", name="Dashboards and KPIs")).to_be_visible()
    expect(page.locator("#kpis")).to_contain_text("Automatic resolution")
    expect(page.locator("#kpis")).to_contain_text("62.5 %")
    image = page.get_by_role("img", name="volume")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 120
    assert f"/runs/{run.id}/figures/0" in image.get_attribute("src")
    shoot(page, "09-manager-dashboards-laptop")

    page.get_by_role("link", name="Customers").click()
    page.get_by_role("link", name=re.compile("retain")).click()
    expect(page.get_by_role("cell", name="Rosa Retener")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert "Rosa Retener" in Path(download.value.path()).read_text(encoding="utf-8")
    shoot(page, "10-manager-customers-laptop")

    page.get_by_role("link", name="Conversations").click()
    page.get_by_label("Number").fill("3001140001")
    page.get_by_label("Intent").select_option("billing_inquiry")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results")).to_contain_text("Rosa Retener")
    shoot(page, "11-manager-search-laptop")
    page.locator("#results").get_by_role("link", name=re.compile("View")).first.click()
    expect(page.locator("table.transcript")).to_contain_text("cuánto debo")
    expect(page.locator("table.transcript")).to_contain_text("billing inquiry")
    shoot(page, "12-manager-conversation-laptop")


def test_manager_changes_configuration_on_a_tablet(live_server, page_factory):
    page = page_factory(TABLET, locale="es-CO")
    browser_login(page, "ada@example.com")
    page.goto("/console/manager/config?lang=es")
    page.get_by_label("Apertura (HH:MM)").fill("07:00")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status")).to_have_text("Cambios guardados: Apertura (HH:MM)")
    expect(page.locator("#audit")).to_contain_text("ajuste cambiado: Apertura (HH:MM)")
    expect(page.locator("#audit")).to_contain_text("Ada Admin")
    # Days are checkboxes named in Spanish, not "mon,tue,...".
    expect(page.get_by_label("Lun", exact=True)).to_be_checked()
    # The line is open every day until a manager says otherwise: close it on Sundays.
    page.get_by_label("Dom", exact=True).uncheck()
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status")).to_have_text("Cambios guardados: Días de atención")
    expect(page.get_by_label("Dom", exact=True)).not_to_be_checked()
    expect(page.get_by_label("Sáb", exact=True)).to_be_checked()
    expect(page.locator("#audit")).to_contain_text("ajuste cambiado: Días de atención")
    expect(page.locator("body")).not_to_contain_text("mon,tue")
    shoot(page, "13-config-audit-tablet-es")
    page.get_by_label("Cierre (HH:MM)").fill("06:00")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("alert")).to_contain_text("debe ser posterior a la apertura")
    expect(page.get_by_label("Cierre (HH:MM)")).to_have_attribute("aria-invalid", "true")

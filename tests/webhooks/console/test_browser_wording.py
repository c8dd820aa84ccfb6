"""In a real browser, in Spanish at laptop and tablet sizes: replay failures and rule drafts
in Spanish words, a readable change log with who decided, call-backs not called "Devoluciones",
and money written as the bot says it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from contactpro.errors import ContactProError
from contactpro.improve import proposals, runs
from contactpro.models import Escalation
from tests.webhooks.console.conftest import LAPTOP, TABLET, add_customer, browser_login, shoot
from tests.webhooks.console.test_console_wording import _flow_draft
from tests.webhooks.test_sms import sms_params

PHONE = "+573001160001"


def _seed(live, tmp_path) -> int:
    runtime = live.app.extensions["contactpro"]
    with live.session() as session:
        [pid] = proposals.save(session, [_flow_draft()])
        proposals.decide(session, pid, "approved", "qa")
        session.commit()
        add_customer(session, PHONE, "Marta Monto", balance="761124")
    folder = tmp_path / "fixed"
    folder.mkdir()
    (folder / "settings.toml").write_text('database_url = "sqlite://"\n', encoding="utf-8")
    data = tmp_path / "empty.jsonl"
    data.write_text("", encoding="utf-8")
    run_id = runs.create_run(
        runtime.db,
        runs.ReplayRequest(proposed=str(folder), out_dir=str(tmp_path / "out"), data=str(data)),
    )
    with pytest.raises(ContactProError):  # the failure is what the page shows
        runs.execute(runtime.db, runtime.settings, run_id)
    assert (
        live.twilio().post("/twilio/sms", sms_params(PHONE, "quiero un asesor")).status_code == 200
    )
    with live.session() as session:
        return (
            session.scalars(
                select(Escalation).where(Escalation.context["from_number"].as_string() == PHONE)
            )
            .one()
            .id
        )


@pytest.mark.parametrize(("viewport", "size"), [(LAPTOP, "laptop"), (TABLET, "tablet")])
def test_spanish_pages_word_stored_values(live_server, page_factory, tmp_path, viewport, size):
    with live_server.session() as session:
        seeded = session.scalars(select(Escalation)).first()
    escalation_id = seeded.id if seeded else _seed(live_server, tmp_path)
    page = page_factory(viewport, locale="es-CO")
    browser_login(page, "max@example.com")

    page.goto("/console/manager/improve/?lang=es")
    main = page.locator("main")
    expect(main).to_contain_text("Revisar el flujo de falla de conexión: 1 de 1 sin resolver")
    expect(main).to_contain_text("una propuesta no puede cambiar database_url")
    for english in ("cannot be changed", "Review the", "connection_problem"):
        expect(main).not_to_contain_text(english)
    expect(page.locator("nav").first).to_contain_text("Devolver llamadas")
    expect(page.locator("body")).not_to_contain_text("Devoluciones")
    shoot(page, f"wording-improve-{size}-es")

    page.goto("/console/manager/config?lang=es")
    row = page.locator("#audit tbody tr").first
    expect(row).to_contain_text("qa")
    expect(row).to_contain_text("estado: aprobada")
    expect(row).not_to_contain_text('"status"')
    expect(page.locator("main")).to_contain_text("Aviso de llamada de vuelta (español)")
    shoot(page, f"wording-config-{size}-es")

    page.goto(f"/console/escalations/{escalation_id}?lang=es")
    expect(page.locator("main")).to_contain_text("761.124 pesos")
    expect(page.locator("main")).not_to_contain_text("761,124.00")
    shoot(page, f"wording-escalation-{size}-es")

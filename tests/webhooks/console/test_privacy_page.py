"""Managers and admins export or erase a customer's personal data in the console; agents cannot."""

from __future__ import annotations

import json

from sqlalchemy import select

from contactpro.models import AuditLog, Customer, Turn
from tests.webhooks.console.conftest import login
from tests.webhooks.test_sms import replies, sms_params

PHONE = "+573001112233"


def test_a_manager_exports_then_erases_a_customer(client, session, twilio, users, customer_factory):
    customer = customer_factory()
    replies(twilio.post("/twilio/sms", sms_params(PHONE, "mi cédula es 1020304050")))
    csrf = login(client, "ada@example.com")  # an admin reading Spanish
    page = client.get("/console/manager/privacy")
    assert page.status_code == 200 and "Datos personales de un cliente" in page.text
    assert "Todavía no se ha borrado ningún cliente." in page.text

    export = client.post(
        "/console/manager/privacy",
        data={"csrf_token": csrf, "phone": PHONE, "action": "export"},
    )
    assert export.status_code == 200 and export.mimetype == "application/json"
    assert "attachment" in export.headers["Content-Disposition"]
    document = json.loads(export.data)
    assert document["tables"]["customers"][0]["national_id"] == "1020304050"
    assert any("1020304050" in t["text"] for t in document["tables"]["turns"])

    unconfirmed = client.post(
        "/console/manager/privacy",
        data={"csrf_token": csrf, "national_id": "1020304050", "action": "erase"},
    )
    assert unconfirmed.status_code == 400 and "Marque la casilla" in unconfirmed.text
    erased = client.post(
        "/console/manager/privacy",
        data={"csrf_token": csrf, "national_id": "1020304050", "action": "erase", "confirm": "1"},
        follow_redirects=True,
    )
    assert f"Datos personales del cliente {customer.id} borrados." in erased.text
    session.expire_all()
    kept = session.get(Customer, customer.id)
    assert kept is not None and kept.national_id is None and kept.phone != PHONE
    assert all("1020304050" not in t.text for t in session.scalars(select(Turn)))
    audit = session.scalars(select(AuditLog).where(AuditLog.action == "customer.erase")).one()
    assert audit.agent_id == users["admin"].id
    unknown = client.post(
        "/console/manager/privacy",
        data={"csrf_token": csrf, "phone": PHONE, "action": "export"},
    )
    assert unknown.status_code == 400 and "No hay ningún cliente" in unknown.text


def test_english_page_and_agents_are_kept_out(app, users):
    manager = app.test_client()
    login(manager, "max@example.com")
    page = manager.get("/console/manager/privacy")  # Max reads English
    assert page.status_code == 200 and "Recent erasures" in page.text
    assert "Erase personal data" in page.text and "privacy_" not in page.text
    agent = app.test_client()
    csrf = login(agent, "ana@example.com")
    assert agent.get("/console/manager/privacy").status_code in (302, 403)
    refused = agent.post(
        "/console/manager/privacy",
        data={"csrf_token": csrf, "phone": PHONE, "action": "erase", "confirm": "1"},
    )
    assert refused.status_code in (302, 403)

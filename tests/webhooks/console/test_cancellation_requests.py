"""The team's work list of cancellation requests: what the bot promised shows up, in words, and
marking one done records who and when (in the audit log too); agents cannot reach it."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from contactpro.console.settings import update_config
from contactpro.models import AuditLog, CancellationRequest, CustomerScore, Escalation, utcnow
from devtools.conversations import SmsThread
from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, place
from tests.webhooks.console.conftest import add_customer, login

PAGE = "/console/manager/requests/"
_RAW = re.compile(r"\bcreq_\w+|discount_\d|loyalty_double_speed|preventive_visit|\bretained\b")


def _table(page: str) -> str:
    """Return the list's table (the filters above it name every outcome)."""
    return page.split('<table id="requests">', 1)[-1] if '<table id="requests">' in page else ""


def _retained_by_sms(app, session, twilio, customer_factory, language: str = "es") -> int:
    """A customer in *retain* accepts the 10 % discount by SMS; return the request's id."""
    if language == "es":
        customer, phone, lines = (
            customer_factory(),
            SPANISH,
            ("quiero cancelar el servicio", "4050", "sí"),
        )
    else:
        customer = customer_factory(
            phone=ENGLISH, language="en", currency="USD", name="Grace Miller"
        )
        phone, lines = ENGLISH, ("I want to cancel my service", "4050", "yes")
    session.add(
        CustomerScore(
            customer_id=customer.id,
            conformity=30.0,
            billing=Decimal("200"),
            interactions=3,
            quadrant="retain",
            computed_at=utcnow(),
        )
    )
    settings = app.extensions["contactpro"].settings
    update_config(
        session,
        settings,
        {"offer_min_tenure_months": "0", "offer_max_discount_percent": "10"},
        None,
    )
    session.commit()
    thread = SmsThread(twilio, phone)
    replies = [thread.send(line) for line in lines]
    assert "10 %" in replies[1]
    [request] = session.scalars(select(CancellationRequest)).all()
    assert (request.offer, request.outcome) == ("discount_10_3m", "retained")
    return request.id


def test_an_offer_accepted_by_sms_waits_until_a_manager_marks_it_applied(
    app, client, session, twilio, users, customer_factory
):
    request_id = _retained_by_sms(app, session, twilio, customer_factory)
    token = login(client, "ada@example.com")
    page = client.get(PAGE + "?lang=es").text
    assert "Camila Rojas Pérez" in page and "******0451" in page and "0000120451" not in page
    assert "10 % de descuento por 3 meses" in page and "retener" in page
    assert "pendiente" in page and "Marcar aplicado" in page
    shown = re.sub(r"<[^>]+>", " ", page)  # what a person reads, not attribute values
    assert not _RAW.findall(shown), _RAW.findall(shown)
    assert "/console/manager/conversations/" in page  # the conversation it came from

    response = client.post(f"{PAGE}{request_id}/done", data={"csrf_token": token})
    assert response.status_code == 302
    session.expire_all()
    request = session.get(CancellationRequest, request_id)
    assert request.processed_at is not None and request.processed_by == users["admin"].id
    [audit] = session.scalars(
        select(AuditLog).where(AuditLog.target == f"cancellation:{request_id}")
    ).all()
    assert (audit.action, audit.agent_id) == ("cancellation.done", users["admin"].id)
    page = client.get(PAGE).text
    assert f"Solicitud #{request_id} marcada como hecha." in page
    assert "aplicado" in page and "Ada Admin" in page and "Marcar aplicado" not in page

    # Twice is refused and audits nothing more; without the CSRF token nothing changes at all.
    again = client.post(
        f"{PAGE}{request_id}/done", data={"csrf_token": token}, follow_redirects=True
    )
    assert "ya estaba hecha" in again.text
    assert client.post(f"{PAGE}{request_id}/done").status_code in (400, 403)
    assert (
        len(session.scalars(select(AuditLog).where(AuditLog.action == "cancellation.done")).all())
        == 1
    )


def test_english_page_words_the_offer_and_filters_by_outcome_and_status(
    app, client, session, twilio, users, customer_factory
):
    _retained_by_sms(app, session, twilio, customer_factory, "en")
    other = add_customer(session, "+573001150002", "Luis Cancela")
    session.add_all(
        [
            CancellationRequest(
                account_id=other.accounts[0].id, quadrant="let_go", offer=None, outcome="cancelled"
            ),
            CancellationRequest(
                account_id=other.accounts[0].id,
                quadrant="care",
                offer="loyalty_double_speed",
                outcome="withdrawn",
            ),
        ]
    )
    session.commit()
    login(client, "max@example.com")
    page = client.get(PAGE + "?lang=en").text
    assert "10 % discount for 3 months" in page and "Grace Miller" in page
    assert "double speed, loyalty programme" in page and "Mark processed" in page
    assert "nothing to do" in page  # the withdrawn request needs no work
    assert _table(page).count('<tr id="request-') == 3
    cancelled = _table(client.get(PAGE + "?outcome=cancelled").text)
    assert "Luis Cancela" in cancelled and "Grace Miller" not in cancelled
    pending = _table(client.get(PAGE + "?status=pending").text)
    assert pending.count('<tr id="request-') == 2 and "cancellation withdrawn" not in pending
    assert "No requests match" in client.get(PAGE + "?status=done").text
    assert client.get(PAGE + "?outcome=bogus").status_code == 400


def test_an_agent_can_neither_see_nor_mark_requests(client, session, users):
    customer = add_customer(session, "+573001150003", "Rita Retenida")
    row = CancellationRequest(
        account_id=customer.accounts[0].id,
        quadrant="monitor",
        offer="preventive_visit",
        outcome="retained",
    )
    session.add(row)
    session.commit()
    token = login(client, "ana@example.com")
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}{row.id}/done", data={"csrf_token": token}).status_code == 403
    assert "/console/manager/requests" not in client.get("/console/queue").text
    session.expire_all()
    assert session.get(CancellationRequest, row.id).processed_at is None


def test_a_refused_offer_links_to_its_escalation_and_needs_no_marking(
    app, client, session, twilio, users, customer_factory
):
    customer = customer_factory()
    place(session, customer, "retain", 30.0)
    thread = SmsThread(twilio, SPANISH)
    for line in ("quiero cancelar el servicio", "4050", "no, no me interesa"):
        thread.send(line)
    [request] = session.scalars(select(CancellationRequest)).all()
    assert request.outcome == "escalated"
    [escalation] = session.scalars(select(Escalation)).all()
    login(client, "max@example.com")
    table = _table(client.get(PAGE + "?lang=es").text)
    assert f"/console/escalations/{escalation.id}" in table
    assert "escalado" in table and "nada que hacer" in table and "Marcar" not in table
    assert "de descuento por 3 meses (pendiente con un asesor)" in table  # made, with a person
    english = _table(client.get(PAGE + "?lang=en").text)
    assert "(pending with an agent)" in english and "pendiente" not in english


def test_cancelling_after_an_applied_offer_is_pending_work_again(
    client, session, twilio, users, customer_factory
):
    customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")
    thread = SmsThread(twilio, ENGLISH)
    for line in ("I want to cancel my service", "4050", "yes"):
        thread.send(line)
    [request] = session.scalars(select(CancellationRequest)).all()
    assert request.outcome == "retained" and request.offer
    token = login(client, "max@example.com")
    client.post(f"{PAGE}{request.id}/done", data={"csrf_token": token})
    assert "Mark processed" not in _table(client.get(PAGE + "?lang=en").text)

    thread.send("start over")
    for line in ("I want to cancel my service", "no thanks", "yes"):
        thread.send(line)
    session.expire_all()
    [request] = session.scalars(select(CancellationRequest)).all()
    assert request.outcome == "cancelled" and request.processed_at is None
    table = _table(client.get(PAGE + "?status=pending").text)
    assert f'id="request-{request.id}"' in table and "Mark processed" in table

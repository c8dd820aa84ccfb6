"""What the bot gathered beyond the transcript (a payment the customer says they made, a
disputed charge, a processed cancellation to undo) reaches the agent's page in the page's
language, account numbers masked."""

from __future__ import annotations

from datetime import timedelta

from contactpro.console.wording import MONTHS_EN
from contactpro.dialog.replies import MONTHS_ES
from contactpro.models import CancellationRequest
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_payment,
    agent_views,
    all_rows,
    bot_today,
    escalations,
    gathered,
)
from tests.webhooks.console.conftest import add_users, login


def test_a_payment_claim_reaches_the_agent_in_both_languages(app, sms, session, customer_factory):
    customer = customer_factory(balance="106981")
    number = customer.accounts[0].number
    add_payment(session, customer.accounts[0], "106981", days_ago=0)
    thread = sms(SPANISH)
    thread.send("buenas, ayer hice una transferencia de 250.000 para abonar, ya les llego??")
    thread.send("4050")
    [escalation] = escalations(session)
    spanish, english, packet = agent_views(app, session, escalation.id)
    yesterday, today = bot_today(app) - timedelta(days=1), bot_today(app)
    said = gathered(spanish)
    assert "El cliente dice que pagó 250.000 pesos" in said
    assert f"{yesterday.day} de {MONTHS_ES[yesterday.month - 1]}" in said
    assert f"Último pago registrado: 106.981 pesos el {today.day} de" in said
    assert "The customer says they paid 250,000.00 COP" in gathered(english)
    assert f"{MONTHS_EN[yesterday.month - 1]} {yesterday.day}" in gathered(english)
    # The agent sees the account masked, in the page and in the JSON.
    assert number not in said and "******" + number[-4:] in said
    assert packet["context"]["details"]["payment_claim"]["account"] == "******" + number[-4:]


def test_a_disputed_charge_reaches_the_agent_with_what_the_bot_showed(app, sms, billed, session):
    customer = billed()
    add_payment(session, customer.accounts[0], "89900", reference="PDUP", days_ago=2)
    thread = sms(SPANISH)
    thread.send("me cobraron doble este mes!! me salieron 2 cargos en la tarjeta")
    thread.send("4050")
    [escalation] = escalations(session)
    spanish, english, packet = agent_views(app, session, escalation.id)
    assert "Reclamo: cobro doble (últimos 35 días)" in gathered(spanish)
    assert "(2 parecen duplicados)" in gathered(spanish)
    assert "Dispute: double charge (last 35 days)" in gathered(english)
    assert "Reclamo" not in english and "double charge" not in spanish
    number = customer.accounts[0].number
    assert packet["context"]["details"]["charges"][0]["account"] == "******" + number[-4:]


def _cancelled_and_processed(app, session, thread, *cancel: str) -> int:
    """Cancel over SMS, then have the team mark the request processed on its console page."""
    thread.send_all(*cancel)
    [request] = all_rows(session, CancellationRequest)
    assert request.outcome == "cancelled"
    add_users(session)
    manager = app.test_client()
    token = login(manager, "max@example.com")
    page = "/console/manager/requests/"
    assert manager.post(f"{page}{request.id}/done", data={"csrf_token": token}).status_code == 302
    return request.id


def test_withdrawing_a_processed_cancellation_goes_to_a_person(app, sms, session, customer_factory):
    customer = customer_factory()
    number = customer.accounts[0].number
    thread = sms(SPANISH)
    request_id = _cancelled_and_processed(
        app, session, thread, "quiero cancelar el servicio", "4050", "no gracias", "sí"
    )
    reply = thread.send("uy no, me arrepentí, mejor no cancelo, me quedo")
    today = bot_today(app)
    assert "ya la proceso el equipo" in reply and f"el {today.day} de" in reply  # SMS: no accents
    assert "asesor" in reply and "sigue activo" not in reply and "anule" not in reply
    session.expire_all()
    request = session.get(CancellationRequest, request_id)
    assert request.outcome == "cancelled"  # as the team processed it, until a person acts
    [escalation] = escalations(session)
    assert escalation.reason == "cancellation_withdrawal"
    assert escalation.context["details"]["withdrawal"]["request_id"] == request_id
    spanish, english, packet = agent_views(app, session, escalation.id)
    assert "quiere anular la cancelación de la cuenta ******" + number[-4:] in gathered(spanish)
    assert "anula una cancelación ya procesada" in spanish
    assert "wants to withdraw the cancellation" in gathered(english)
    assert number not in spanish
    assert packet["context"]["details"]["withdrawal"]["account"] == "******" + number[-4:]


def test_english_withdrawal_after_processing_is_not_promised(app, sms, session, customer_factory):
    customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")
    thread = sms(ENGLISH)
    _cancelled_and_processed(
        app, session, thread, "I want to cancel my service", "4050", "no thanks", "yes"
    )
    reply = thread.send("actually I changed my mind, don't cancel it")
    assert "already processed your cancellation request" in reply and "agent" in reply
    assert "stays active" not in reply
    [escalation] = escalations(session)
    assert escalation.reason == "cancellation_withdrawal"


def test_a_claim_without_a_date_is_never_said_to_have_one(app, sms, session, customer_factory):
    customer_factory(balance="106981")
    thread = sms(SPANISH)
    thread.send("ya pague 200.000 pesos y no me aparece")
    reply = thread.send("4050")
    assert "con el monto que me diste" in reply and "fecha que me diste" not in reply
    [escalation] = escalations(session)
    assert escalation.context["details"]["payment_claim"]["date"] is None
    spanish, english, _ = agent_views(app, session, escalation.id)
    assert "pagó 200.000 pesos, sin decir la fecha" in gathered(spanish)
    assert "paid 200,000.00 COP, without saying when" in gathered(english)
    assert "el —" not in gathered(spanish)

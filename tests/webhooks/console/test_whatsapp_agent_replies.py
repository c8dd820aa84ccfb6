"""Agents answering WhatsApp customers from the console, inside and outside the 24-hour window."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from contactpro.models import Escalation, Interaction, MessageMedia, OutboundMessage, Turn, utcnow
from contactpro.providers.telephony import FakeTelephony
from tests.contactpro.messaging.conftest import BUSINESS, whatsapp_params
from tests.webhooks.console.conftest import add_customer, login

PHOTO = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM9/Media/ME9"
TEMPLATE = "HX" + "d" * 32
REFUSED = {
    "es": "El cliente no escribe por WhatsApp hace más de 24 horas",
    "en": "The customer last wrote on WhatsApp more than 24 hours ago",
}


@pytest.fixture
def with_template(app_config: dict[str, Any]) -> None:
    """An approved template for agents' replies outside the window."""
    app_config["whatsapp_content_sids"] = (f"agent_reply:{TEMPLATE}",)


def escalated_photo(twilio, session: Session, phone: str, *, hours_ago: float) -> Escalation:
    """A WhatsApp customer who sent a receipt ``hours_ago`` hours ago and was escalated."""
    add_customer(session, phone, "Wendy Whats")
    twilio.post(
        "/twilio/sms", whatsapp_params(phone, "mi comprobante", media=[(PHOTO, "image/jpeg")])
    )
    then = utcnow() - timedelta(hours=hours_ago)
    session.execute(update(Turn).values(created_at=then))
    session.execute(update(MessageMedia).values(created_at=then, updated_at=then))
    session.execute(update(Interaction).values(started_at=then, last_activity_at=then))
    session.commit()
    return session.scalars(select(Escalation)).one()


def agent_writes(client: FlaskClient, escalation: Escalation, body: str, lang: str) -> str:
    """Claim the escalation and send ``body`` from the console; return the page shown."""
    token = login(client, "ana@example.com")
    client.get(f"/console/queue?lang={lang}")
    client.post(f"/console/escalations/{escalation.id}/claim", data={"csrf_token": token})
    response = client.post(
        f"/console/escalations/{escalation.id}/sms",
        data={"csrf_token": token, "body": body},
        follow_redirects=True,
    )
    return response.text


@pytest.mark.parametrize("lang", ["es", "en"])
def test_agent_reply_outside_the_window_without_template_is_refused_and_said(
    client, session, twilio, users, telephony: FakeTelephony, lang
):
    escalation = escalated_photo(twilio, session, "+573001150001", hours_ago=25)
    page = agent_writes(client, escalation, "Hola Wendy, ya aplicamos tu pago.", lang)
    # WhatsApp would drop free text after 24 hours: nothing goes out, and the agent is told.
    assert telephony.sent == []
    assert REFUSED[lang] in page
    assert "SMS enviado" not in page and "SMS sent" not in page
    session.expire_all()
    agent_turns = session.scalars(select(Turn).where(Turn.speaker == "agent")).all()
    assert agent_turns == []


def test_agent_reply_outside_the_window_goes_as_the_approved_template(
    with_template, client, session, twilio, users, telephony: FakeTelephony
):
    escalation = escalated_photo(twilio, session, "+573001150002", hours_ago=30)
    body = "Hola Wendy, ya aplicamos tu pago."
    page = agent_writes(client, escalation, body, "es")
    # The agent is told where the message went: WhatsApp, not SMS.
    assert "Mensaje enviado por WhatsApp." in page and "Enviar por WhatsApp" in page
    assert "SMS enviado" not in page and "Enviar SMS" not in page
    [sent] = telephony.sent
    assert (sent["to"], sent["from"]) == ("whatsapp:+573001150002", f"whatsapp:{BUSINESS}")
    assert sent["content_sid"] == TEMPLATE
    assert json.loads(sent["variables"]) == {"1": body}
    session.expire_all()
    turn = session.scalars(select(Turn).where(Turn.speaker == "agent")).one()
    assert (turn.text, turn.twilio_key) == (body, sent["sid"])
    assert sent["status_url"].endswith(f"/twilio/sms/status?turn={turn.id}")
    row = session.scalars(select(OutboundMessage)).one()
    assert (row.purpose, row.status, row.content_sid) == ("agent_reply", "sent", TEMPLATE)
    assert row.reason == "outside_whatsapp_window" and row.message_sid == sent["sid"]


def test_agent_reply_inside_the_window_is_free_text_with_a_delivery_report(
    with_template, client, session, twilio, users, telephony: FakeTelephony
):
    escalation = escalated_photo(twilio, session, "+573001150003", hours_ago=2)
    page = agent_writes(client, escalation, "Hello Wendy, your payment is applied.", "en")
    assert "Message sent on WhatsApp." in page and "Send on WhatsApp" in page
    assert "SMS sent" not in page and "Send SMS" not in page
    [sent] = telephony.sent
    assert sent["body"] == "Hello Wendy, your payment is applied." and not sent["content_sid"]
    session.expire_all()
    turn = session.scalars(select(Turn).where(Turn.speaker == "agent")).one()
    assert sent["status_url"].endswith(f"/twilio/sms/status?turn={turn.id}")
    # Twilio's delivery report lands on the agent's turn.
    twilio.post(
        f"/twilio/sms/status?turn={turn.id}",
        {"MessageSid": sent["sid"], "MessageStatus": "delivered"},
    )
    session.expire_all()
    assert session.get(Turn, turn.id).delivery_status == "delivered"


RECEIPT = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM8/Media/ME8"
ASK_AGENT = {"es": "quiero hablar con un asesor", "en": "I want to talk to an agent"}
FILES = {"es": "Archivos del cliente", "en": "Customer files"}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_receipt_sent_after_the_hand_off_is_on_the_agents_page(
    client, session, twilio, users, lang
):
    add_customer(session, "+573001150004", "Wendy Whats", language=lang)
    twilio.post("/twilio/sms", whatsapp_params("+573001150004", ASK_AGENT[lang]))
    escalation = session.scalars(select(Escalation)).one()
    # The customer is told the file is kept in their case: the agent must see it there.
    twilio.post(
        "/twilio/sms", whatsapp_params("+573001150004", "", media=[(RECEIPT, "image/jpeg")])
    )
    session.expire_all()
    assert session.scalars(select(Escalation)).one().id == escalation.id  # no second hand-off
    receipt = session.scalars(select(MessageMedia)).one()
    login(client, "ana@example.com")
    page = client.get(f"/console/escalations/{escalation.id}?lang={lang}").text
    assert FILES[lang] in page
    assert f'src="/console/files/{receipt.id}"' in page and RECEIPT not in page

"""Inbound SMS: signed requests in, TwiML replies out, every turn stored."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpro.models import Escalation, Interaction, Turn
from devtools.simulator import new_sid
from tests.conftest import PUBLIC_URL, TwilioClient

BUSINESS = "+15550001000"


def sms_params(from_number: str, body: str, sid: str | None = None) -> dict[str, str]:
    """The parameters Twilio posts for an inbound SMS."""
    return {
        "MessageSid": sid or new_sid("SM"),
        "SmsSid": sid or "",
        "AccountSid": "AC" + "1" * 32,
        "MessagingServiceSid": "",
        "From": from_number,
        "To": BUSINESS,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "FromCountry": "CO",
        "ApiVersion": "2010-04-01",
    }


def replies(response) -> list[str]:
    """Parse a messaging TwiML response into its message texts."""
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    return [el.text or "" for el in root.findall("Message")]


def count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_billing_question_answered_after_verification(twilio, session, customer_factory):
    customer_factory(phone="+573001112233", balance="125000")
    [ask] = replies(twilio.post("/twilio/sms", sms_params("+573001112233", "Hola, cuánto debo?")))
    assert "últimos cuatro dígitos" in ask and "125.000" not in ask
    [text] = replies(twilio.post("/twilio/sms", sms_params("+573001112233", "4050")))
    assert "125.000 pesos" in text
    assert "0000120451" in text
    interaction = session.scalars(select(Interaction)).one()
    assert (interaction.channel, interaction.status) == ("sms", "active")
    assert interaction.language == "es"
    assert interaction.customer.phone == "+573001112233"
    first, second = session.scalars(select(Turn).order_by(Turn.sequence)).all()
    assert (first.speaker, first.source, first.intent) == ("caller", "sms", "billing_inquiry")
    assert first.tier in ("rules", "model")
    assert second.text == "4050" and second.reply == text
    assert second.latency_ms is not None and second.latency_ms >= 0
    assert interaction.state["verified"] is True


def test_english_customer_gets_english(twilio: TwilioClient, customer_factory):
    customer_factory(phone="+13055550123", language="en", balance="42.50", currency="USD")
    [ask] = replies(twilio.post("/twilio/sms", sms_params("+13055550123", "what is my balance")))
    assert ask.startswith("For your security")
    [text] = replies(twilio.post("/twilio/sms", sms_params("+13055550123", "4050")))
    assert "42.50 dollars" in text and text.startswith("The balance")


def test_conversation_continues_and_escalates_with_context(twilio, session, customer_factory):
    customer_factory(phone="+573001112233")
    twilio.post("/twilio/sms", sms_params("+573001112233", "saldo"))
    [text] = replies(twilio.post("/twilio/sms", sms_params("+573001112233", "quiero un asesor")))
    assert "asesor" in text.lower()
    assert count(session, Interaction) == 1
    escalation = session.scalars(select(Escalation)).one()
    assert escalation.reason == "agent_request" and escalation.status == "open"
    packet = escalation.context
    assert packet["customer"]["accounts"][0]["number"] == "0000120451"
    # The turn that handed over is in the packet, with what the customer was told.
    assert [t["intent"] for t in packet["transcript"]] == ["billing_inquiry", "agent_request"]
    assert packet["transcript"][-1]["reply"] == text
    assert "asked_verification" in packet["steps_tried"]
    assert "Camila Rojas Pérez" in packet["summary"]


def test_unknown_sender_is_identified_then_verified(twilio, session, customer_factory):
    customer_factory(phone="+573001112233", balance="125000")
    sender = "+573009998877"
    [text] = replies(twilio.post("/twilio/sms", sms_params(sender, "cuanto debo")))
    assert "cédula o de cuenta" in text
    [text] = replies(twilio.post("/twilio/sms", sms_params(sender, "mi cedula es 1.020.304.050")))
    assert "en qué año naciste" in text
    [text] = replies(twilio.post("/twilio/sms", sms_params(sender, "1988")))
    assert "125.000 pesos" in text


def test_failed_verification_escalates(twilio, session, customer_factory):
    customer_factory(phone="+573001112233")
    twilio.post("/twilio/sms", sms_params("+573001112233", "cuanto debo"))
    [retry] = replies(twilio.post("/twilio/sms", sms_params("+573001112233", "1111")))
    assert "no coincide" in retry
    [text] = replies(twilio.post("/twilio/sms", sms_params("+573001112233", "2222")))
    assert "asesor" in text and "pesos" not in text
    escalation = session.scalars(select(Escalation)).one()
    assert escalation.reason == "verification_failed"
    assert escalation.context["customer"]["name"] == "Camila Rojas Pérez"


def test_not_understood_twice_escalates(twilio, session, customer_factory):
    customer_factory()
    [first] = replies(twilio.post("/twilio/sms", sms_params("+573001112233", "el perro ladra")))
    assert "no entendí" in first.lower()
    assert count(session, Escalation) == 0
    replies(twilio.post("/twilio/sms", sms_params("+573001112233", "la luna es azul")))
    assert session.scalars(select(Escalation)).one().reason == "not_understood"


def test_retry_of_same_message_replays_and_writes_nothing(twilio, session, customer_factory):
    customer_factory()
    params = sms_params("+573001112233", "saldo")
    first = replies(twilio.post("/twilio/sms", params))
    second = replies(twilio.post("/twilio/sms", params))
    assert first == second
    assert count(session, Turn) == 1 and count(session, Interaction) == 1


def test_missing_signature_is_refused_and_nothing_stored(twilio, session):
    response = twilio.post("/twilio/sms", sms_params("+573001112233", "saldo"), signature="")
    assert response.status_code == 403
    assert b"signature missing" in response.data
    assert count(session, Interaction) == 0


def test_wrong_signature_is_refused(twilio, session):
    params = sms_params("+573001112233", "saldo")
    forged = twilio.signature("/twilio/sms", {**params, "Body": "other"})
    response = twilio.post("/twilio/sms", params, signature=forged)
    assert response.status_code == 403 and b"signature mismatch" in response.data
    assert count(session, Turn) == 0


def test_signature_for_the_internal_url_is_refused_behind_a_proxy(twilio, client, session):
    # Twilio signs the public URL; a signature over the proxy's internal URL must not pass.
    params = sms_params("+573001112233", "saldo")
    internal = twilio.validator.compute_signature("http://127.0.0.1:8000/twilio/sms", params)
    response = twilio.post("/twilio/sms", params, signature=internal)
    assert response.status_code == 403
    assert PUBLIC_URL.startswith("https://")


def test_missing_parameter_gets_clear_400(twilio, session, caplog):
    params = sms_params("+573001112233", "saldo")
    del params["From"]
    response = twilio.post("/twilio/sms", params)
    assert response.status_code == 400
    assert b"missing parameter From" in response.data
    assert any(getattr(r, "reason", "") == "missing_from" for r in caplog.records)
    assert count(session, Interaction) == 0


def test_empty_body_is_answered_and_kept(twilio, session, customer_factory):
    customer_factory()
    [text] = replies(twilio.post("/twilio/sms", sms_params("+573001112233", "")))
    assert "sin texto" in text
    turn = session.scalars(select(Turn)).one()
    assert turn.entities == {"problem": "empty_sms"} and turn.text == ""


def test_body_over_1600_characters_is_kept_and_answered(twilio, session, customer_factory):
    customer_factory()
    body = "saldo " * 300
    [text] = replies(twilio.post("/twilio/sms", sms_params("+573001112233", body)))
    assert "muy largo" in text
    turn = session.scalars(select(Turn)).one()
    assert turn.text == body and turn.entities["problem"] == "too_long_sms"


def test_invalid_utf8_gets_a_safe_answer(twilio, client, session, customer_factory):
    customer_factory()
    params = sms_params("+573001112233", "x")
    body = "&".join(f"{k}={v}" for k, v in params.items() if k != "Body")
    raw = body.replace("+", "%2B").encode() + b"&Body=saldo%FF%FE"
    decoded = {**params, "Body": "saldo\ufffd\ufffd"}
    response = client.post(
        "/twilio/sms",
        data=raw,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": twilio.signature("/twilio/sms", decoded)},
        base_url="http://127.0.0.1:8000",
    )
    [text] = replies(response)
    assert "No pudimos leer" in text
    assert session.scalars(select(Turn)).one().entities["problem"] == "unreadable_sms"


def test_delivery_status_is_recorded_on_the_turn(twilio, session, customer_factory):
    customer_factory()
    response = twilio.post("/twilio/sms", sms_params("+573001112233", "saldo"))
    action = ET.fromstring(response.data).find("Message").get("action")
    assert action.startswith("/twilio/sms/status?turn=")
    status = twilio.post(
        action,
        {
            "MessageSid": new_sid("SM"),
            "MessageStatus": "delivered",
            "AccountSid": "AC" + "1" * 32,
            "To": "+573001112233",
            "From": BUSINESS,
        },
    )
    assert status.status_code == 204
    session.expire_all()
    assert session.scalars(select(Turn)).one().delivery_status == "delivered"

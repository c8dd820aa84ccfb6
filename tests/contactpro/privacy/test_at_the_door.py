"""Card numbers and secrets sent over the signed webhooks are never stored, shown or queued."""

from __future__ import annotations

import json

from sqlalchemy import select

from contactpro.models import Escalation, Turn
from tests.webhooks.test_sms import replies, sms_params
from tests.webhooks.test_voice import Call

CARD = "4111 1111 1111 1111"


def _stored_text(session) -> str:
    """Everything the database holds of the conversation: turns, replies and escalations."""
    session.expire_all()
    turns = session.scalars(select(Turn)).all()
    escalations = session.scalars(select(Escalation)).all()
    parts = [t.text or "" for t in turns] + [t.reply or "" for t in turns]
    parts += [json.dumps(e.context, ensure_ascii=False) for e in escalations]
    return "\n".join(parts)


def test_card_and_cvv_by_sms_are_redacted_before_anything_is_stored(
    twilio, session, customer_factory
):
    customer_factory()
    body = f"quiero pagar con mi tarjeta {CARD} cvv 123, y quiero hablar con un asesor"
    answer = replies(twilio.post("/twilio/sms", sms_params("+573001112233", body)))
    assert answer and all(CARD not in text for text in answer)
    stored = _stored_text(session)
    assert "[tarjeta ****1111]" in stored
    assert CARD not in stored and "4111111111111111" not in stored
    assert "123" not in stored.split("[tarjeta ****1111]", 1)[1].split("\n", 1)[0]


def test_english_password_said_on_a_call_is_redacted(twilio, session, customer_factory):
    customer_factory(phone="+15551234567", language="en")
    call = Call(twilio, "+15551234567")
    call.start()
    call.say("my password is 9876 and my balance please")
    stored = _stored_text(session)
    assert "9876" not in stored
    assert "my password is" in stored
    identification = session.scalars(select(Turn).where(Turn.speaker == "caller")).all()
    assert identification, "the caller's turn was stored"

"""Short, natural first messages go straight to their flow, never to a clarifying question."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contactpro.models import Turn

# (message, intent, words the first reply must hold), as customers text them.
SHORT_REQUESTS = [
    ("payment plan please", "debt_negotiation", "identify you"),
    ("plan de pagos", "debt_negotiation", "identificarte"),
    ("acuerdo de pago", "debt_negotiation", "identificarte"),
    ("my bill", "billing_inquiry", "identify you"),
    ("mi factura", "billing_inquiry", "identificarte"),
    ("no tengo internet", "connection_problem", "identificarte"),
    ("quiero cancelar", "cancellation", "identificarte"),
    ("pay my debt", "payment_how", "pay"),
    ("hablar con un asesor", "agent_request", "asesor"),
]
# The clarifying questions (templates ``clarify`` and ``clarify_topics``) in both languages.
QUESTIONS = ("or about", "o sobre", "didn't get that", "no entendí")


@pytest.mark.parametrize(
    ("text", "intent", "words"), SHORT_REQUESTS, ids=[r[0] for r in SHORT_REQUESTS]
)
def test_a_short_request_goes_straight_to_its_flow(sms, session, text, intent, words) -> None:
    reply = sms("+15550104040").send(text)
    assert words in reply.lower() and not any(q in reply for q in QUESTIONS), reply
    understood = session.scalars(select(Turn).where(Turn.speaker == "caller")).one()
    assert (understood.intent, understood.text) == (intent, text)
    assert understood.tier in ("rules", "model")

"""How many times one SMS turn writes to the database: pinned, so a change that adds a round
trip to every message is seen in review."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, UOWTransaction

from contactpro.models import Escalation, Interaction, Turn
from tests.conftest import TwilioClient
from tests.webhooks.test_sms import replies, sms_params


class FlushCounter:
    """Count the flushes that wrote something, in every session of the app."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, session: Session, flush_context: UOWTransaction) -> None:
        self.count += 1

    def during(self, twilio: TwilioClient, phone: str, body: str) -> tuple[int, str]:
        """Send one SMS; return the flushes it took and the reply."""
        self.count = 0
        [text] = replies(twilio.post("/twilio/sms", sms_params(phone, body)))
        return self.count, text


@pytest.fixture
def flushes() -> Iterator[FlushCounter]:
    counter = FlushCounter()
    event.listen(Session, "after_flush", counter)
    yield counter
    event.remove(Session, "after_flush", counter)


@pytest.mark.parametrize(
    ("language", "phone", "ask", "four", "agent", "balance_words"),
    [
        ("es", "+573001112233", "Hola, cuánto debo?", "4050", "quiero un asesor", "125.000"),
        ("en", "+13055550123", "what is my balance", "4050", "I want an agent", "125,000"),
    ],
)
def test_a_typical_sms_conversation_flushes_once_per_turn(
    twilio, session, customer_factory, flushes, language, phone, ask, four, agent, balance_words
):
    """Opening the conversation writes the interaction, then each turn writes once."""
    customer_factory(phone=phone, language=language, balance="125000")
    opened, question = flushes.during(twilio, phone, ask)
    assert opened == 2  # the new interaction (its id names the turn), then the turn
    assert balance_words not in question
    answered, balance = flushes.during(twilio, phone, four)
    assert answered == 1
    assert balance_words in balance
    handed_over, goodbye = flushes.during(twilio, phone, agent)
    assert handed_over == 1 + 1  # the escalation packet reads the stored turns, then the turn
    assert goodbye
    session.expire_all()
    interaction = session.scalars(select(Interaction)).one()
    assert interaction.turn_count == 3 and interaction.language == language
    assert interaction.state["verified"] is True
    assert [t.text for t in session.scalars(select(Turn).order_by(Turn.sequence))] == [
        ask,
        four,
        agent,
    ]
    assert session.scalars(select(Escalation)).one().interaction_id == interaction.id

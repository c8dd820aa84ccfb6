"""A caller who got their answer and stays silent at "did that answer your question?" is told
goodbye and the call ends: nobody is queued for an agent with nothing to do."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contactpro.models import Escalation, Interaction
from tests.conftest import wait_for
from tests.webhooks.test_voice import Call, spoken


@pytest.mark.parametrize(
    ("language", "phone", "ask", "answered", "goodbye"),
    [
        ("es", "+573001112233", "cuánto debo", "Tu saldo", "Gracias por comunicarte"),
        ("en", "+13055550123", "how much do I owe", "The balance", "Thanks for contacting"),
    ],
)
def test_silence_after_the_answer_ends_the_call_without_an_agent(
    twilio, customer_factory, session, language, phone, ask, answered, goodbye
):
    customer_factory(phone=phone, language=language, currency="COP" if language == "es" else "USD")
    call = Call(twilio, phone)
    call.start()
    call.say(ask)
    told = call.press("4050")
    assert answered in spoken(told) and told.find("Gather") is not None
    first, second = call.silence(), call.silence()
    assert first.find("Gather") is not None and second.find("Gather") is not None
    last = call.silence()
    assert last.find("Hangup") is not None and last.find("Enqueue") is None
    assert goodbye in spoken(last)
    session.expire_all()
    assert session.scalars(select(Escalation)).all() == []
    assert call.end(40) == 204

    def closed() -> Interaction | None:
        session.expire_all()
        return session.scalars(select(Interaction).where(Interaction.status == "closed")).first()

    interaction = wait_for(closed)
    assert (interaction.outcome, interaction.close_reason) == ("auto_resolved", "auto_resolved")


def test_silence_before_any_answer_still_reaches_a_person(twilio, customer_factory, session):
    customer_factory()
    call = Call(twilio, "+573001112233")
    call.start()
    call.say("cuánto debo")
    for _ in range(2):
        assert call.silence().find("Gather") is not None
    assert call.silence().find("Enqueue") is not None
    session.expire_all()
    assert session.scalars(select(Escalation)).one().reason == "no_input"

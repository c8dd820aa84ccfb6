"""A call-back an agent promises a customer with no time zone on file is told on the clock of
where their number says they live, in their language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from contactpro.models import Callback, Escalation
from devtools.conversations import PhoneCall
from tests.webhooks.console.conftest import add_customer, login


@pytest.mark.parametrize(
    ("phone", "language", "words", "told", "not_told"),
    [
        # Guadalajara (UTC-6): 16:00 UTC is 10:00 there, 11:00 in the company's Bogotá.
        (
            "+5213390836544",
            "es",
            "quiero hablar con un asesor",
            "Te llamaremos el 1 de marzo a las 10:00, hora de Ciudad de México.",
            "11:00",
        ),
        # Los Angeles (UTC-8): 16:00 UTC is 08:00 there.
        (
            "+12134982674",
            "en",
            "I want to talk to an agent",
            "We will call you on March 1 at 8:00 AM your time.",
            "11:00",
        ),
    ],
)
def test_callback_sms_tells_the_time_where_the_caller_lives(
    client, session, twilio, users, telephony, phone, language, words, told, not_told
):
    customer = add_customer(session, phone, "Daniela Caller", language=language)
    assert customer.timezone is None
    call = PhoneCall(twilio, phone)
    call.start()
    _, verb = call.say(words)
    assert verb == "Enqueue"
    session.expire_all()
    escalation = session.scalars(select(Escalation)).one()
    token = login(client, "ana@example.com")
    client.post(f"/console/escalations/{escalation.id}/claim", data={"csrf_token": token})
    # 11:00 in a browser at UTC-5, the company's clock: 16:00 UTC.
    client.post(
        f"/console/escalations/{escalation.id}/callback",
        data={"csrf_token": token, "when": "2099-03-01T11:00", "tz_offset": "300", "notify": "1"},
    )
    session.expire_all()
    assert session.scalars(select(Callback)).one().scheduled_for == datetime(
        2099, 3, 1, 16, 0, tzinfo=UTC
    )
    [sent] = [m for m in telephony.sent if m["to"] == phone]
    assert told in sent["body"] and not_told not in sent["body"]

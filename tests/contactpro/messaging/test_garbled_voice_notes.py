"""A voice note heard as a garbled sentence the model weakly reads as a complaint is asked about
(which of the two likeliest topics), not handed to a person."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.models import Escalation, Turn
from tests.contactpro.messaging.conftest import replies, sent_bodies, whatsapp_params

PHONES = {"es": "+573019990713", "en": "+13055550713"}
HEARD = {
    "es": "Uno menachia cabería era más que necesario.",
    "en": "I mean what happened was that the guy said",
}
ASKED = {"es": "¿Tu consulta es sobre", "en": "Is your question about"}


@pytest.mark.messaging_config(twilio_api=True, media_host=True, transcriber="fake")
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_garbled_voice_note_gets_a_clarifying_question(
    twilio, session: Session, customer_phone, voice_note, twilio_api, language
):
    url = voice_note(language, HEARD[language])
    params = whatsapp_params(customer_phone, media=[(url, "audio/ogg")])
    replies(twilio.post("/twilio/sms", params))
    session.expire_all()
    heard = session.scalars(select(Turn).where(Turn.source == "voice_note")).one()
    assert heard.text == HEARD[language]
    [answer] = sent_bodies(twilio_api)
    assert ASKED[language] in answer
    assert session.scalars(select(Escalation)).all() == []

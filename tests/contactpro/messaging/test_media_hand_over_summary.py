"""A photo hands over at once; what the caption or the voice note sent with it asks reaches the
agent's summary once known, in the console's language."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.console import agent_queue
from contactpro.models import Escalation, Turn
from tests.contactpro.messaging.conftest import replies, whatsapp_params

PHONES = {"es": "+573019990712", "en": "+13055550712"}
PHOTO = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM8/Media/ME8"
ASKED = {"es": "Preguntó por: consulta de factura", "en": "They asked about: billing inquiry"}
NOTHING = {"es": "nada reconocible", "en": "nothing recognisable"}
SPOKEN = {"es": "quiero saber cuánto debo de la factura", "en": "how much do I owe on my bill"}
CAPTION = {"es": "cuánto debo de esta factura", "en": "how much do I owe on this bill"}


def _summary(app: Flask, session: Session, language: str) -> str:
    session.expire_all()
    [escalation] = session.scalars(select(Escalation)).all()
    assert escalation.reason == "customer_media"
    settings = app.extensions["contactpro"].settings
    return agent_queue.packet(session, settings, escalation.id, language)["context"]["summary"]


@pytest.mark.messaging_config(twilio_api=True, media_host=True, transcriber="fake")
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_voice_note_sent_with_a_photo_is_in_the_summary_once_heard(
    app: Flask, twilio, session: Session, customer_phone, voice_note, language
):
    audio = voice_note(language, SPOKEN[language])
    params = whatsapp_params(customer_phone, media=[(PHOTO, "image/jpeg"), (audio, "audio/ogg")])
    replies(twilio.post("/twilio/sms", params))
    session.expire_all()
    heard = session.scalars(select(Turn).where(Turn.source == "voice_note")).one()
    assert heard.intent == "billing_inquiry"
    summary = _summary(app, session, language)
    assert ASKED[language] in summary and NOTHING[language] not in summary


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_caption_of_a_photo_is_in_the_summary(
    app: Flask, twilio, session: Session, customer_phone, language
):
    params = whatsapp_params(customer_phone, CAPTION[language], media=[(PHOTO, "image/jpeg")])
    replies(twilio.post("/twilio/sms", params))
    summary = _summary(app, session, language)
    assert ASKED[language] in summary and NOTHING[language] not in summary

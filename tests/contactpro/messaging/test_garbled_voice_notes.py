"""A voice note heard as a garbled sentence the model weakly reads as a complaint is asked about
(which of the two likeliest topics), not handed to a person."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.models import Escalation, Turn
from contactpro.speech.backends import load_transcriber
from tests.contactpro.messaging.conftest import MediaServer, clip_ogg, replies, whatsapp_params

PHONES = {"es": "+573019990713", "en": "+13055550713"}
HEARD = {
    "es": "Uno menachia cabería era más que necesario.",
    "en": "I mean what happened was that the guy said",
}
ASKED = {"es": "¿Tu consulta es sobre", "en": "Is your question about"}


def sent_bodies(twilio_api) -> list[str]:
    api, _ = twilio_api
    return [r["form"]["Body"] for r in api.requests if str(r["path"]).endswith("/Messages.json")]


@pytest.mark.messaging_config(twilio_api=True, media_host=True, transcriber="fake")
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_garbled_voice_note_gets_a_clarifying_question(
    backend,
    app: Flask,
    twilio,
    session: Session,
    customer_factory,
    media_server: MediaServer,
    twilio_api,
    monkeypatch,
    language,
):
    if backend is not None:
        pytest.skip("the shared worker has no test media host")
    settings = app.extensions["contactpro"].settings
    monkeypatch.setitem(load_transcriber(settings).texts, language, HEARD[language])  # type: ignore[attr-defined]
    phone = PHONES[language]
    customer_factory(phone=phone, language=language, currency="COP" if language == "es" else "USD")
    url = media_server.serve("/Media/ME41", clip_ogg("es_cheetah_numero.wav"))
    replies(twilio.post("/twilio/sms", whatsapp_params(phone, media=[(url, "audio/ogg")])))
    session.expire_all()
    heard = session.scalars(select(Turn).where(Turn.source == "voice_note")).one()
    assert heard.text == HEARD[language]
    [answer] = sent_bodies(twilio_api)
    assert ASKED[language] in answer
    assert session.scalars(select(Escalation)).all() == []

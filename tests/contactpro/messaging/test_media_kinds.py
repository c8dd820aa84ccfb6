"""WhatsApp and MMS media edge cases: audio with a photo, captions on voice notes, stickers,
shared locations and several files, over the signed messaging webhook in both languages."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.models import Escalation, MessageMedia, OutboundMessage, Turn
from tests.contactpro.messaging.conftest import (
    LISTENING,
    MediaServer,
    clip_ogg,
    replies,
    sent_bodies,
    whatsapp_params,
)

PHONES = {"es": "+573019990711", "en": "+13055550711"}
PHOTO = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM8/Media/ME8"
PHOTO2 = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM8/Media/ME9"
STICKER = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM8/Media/ME10"
ONE_FILE = {"es": "Recibimos tu archivo.", "en": "We got your file "}
TWO_FILES = {"es": "Recibimos tus 2 archivos. Los guardamos", "en": "We got your 2 files"}
REVIEW_THEM = {"es": "Un asesor los revisará", "en": "An agent will review them"}
REVIEW_IT = {"es": "Un asesor lo revisará", "en": "An agent will review it"}
NO_TEXT = {"es": "Recibimos tu mensaje sin texto", "en": "We got your message without any text"}


@pytest.mark.messaging_config(twilio_api=True, media_host=True, transcriber="fake")
@pytest.mark.parametrize("language", ["es", "en"])
def test_audio_with_a_photo_is_heard_and_the_photo_goes_to_an_agent(
    twilio, session, customer_phone, media: MediaServer, twilio_api, language
):
    audio = media.serve("/Media/ME21", clip_ogg("es_cheetah_numero.wav"))
    params = whatsapp_params(customer_phone, media=[(PHOTO, "image/jpeg"), (audio, "audio/ogg")])
    [ack] = replies(twilio.post("/twilio/sms", params))
    assert ack.startswith(ONE_FILE[language]) and REVIEW_IT[language] in ack
    assert ack.endswith(LISTENING[language])
    session.expire_all()
    photo, note = session.scalars(select(MessageMedia).order_by(MessageMedia.position)).all()
    # The photo waits for the agent as any photo; the audio is transcribed and answered.
    assert (photo.kind, photo.status) == ("image", "received")
    assert (note.kind, note.status) == ("audio", "answered") and note.transcript
    assert note.reply_sid and note.turn_id == photo.turn_id
    heard = session.get(Turn, note.reply_turn_id)
    assert (heard.speaker, heard.source, heard.text) == ("caller", "voice_note", note.transcript)
    assert sent_bodies(twilio_api) == [heard.reply]
    assert LISTENING[language] not in heard.reply
    [escalation] = session.scalars(select(Escalation)).all()
    assert escalation.reason == "customer_media"
    rows = session.scalars(select(OutboundMessage)).all()
    assert [(r.purpose, r.status) for r in rows] == [("voice_note_reply", "sent")]


ABOUT_THE_BILL = {
    "es": ("es sobre mi factura", "Buenas, le cuento lo que pasó."),
    "en": ("it's about my bill", "Hi there, let me tell you what happened."),
}


@pytest.mark.messaging_config(twilio_api=True, media_host=True, transcriber="fake")
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_caption_on_a_voice_note_is_read_for_meaning(
    twilio, session: Session, customer_phone, voice_note, twilio_api, language
):
    caption, spoken = ABOUT_THE_BILL[language]
    url = voice_note(language, spoken)
    params = whatsapp_params(customer_phone, caption, media=[(url, "audio/ogg")])
    [ack] = replies(twilio.post("/twilio/sms", params))
    assert ack == LISTENING[language]
    session.expire_all()
    written, heard = session.scalars(select(Turn).order_by(Turn.sequence)).all()
    assert (written.speaker, written.source, written.text) == ("caller", "sms", caption)
    # The transcript is stored as said; the caption is read with it: the bill is understood.
    assert (heard.source, heard.text) == ("voice_note", spoken)
    assert heard.intent == "billing_inquiry"
    assert sent_bodies(twilio_api) == [heard.reply]


UNKNOWN = "+13055550799"
BILL_CAPTION = {
    "es": "hola, les mando un audio sobre mi factura",
    "en": "hello, here is a voice message about my bill",
}


@pytest.mark.messaging_config(twilio_api=True, media_host=True, transcriber="fake")
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_voice_note_is_acknowledged_in_the_language_of_its_caption(
    twilio, session, media: MediaServer, twilio_api, language
):
    url = media.serve("/Media/ME23", clip_ogg("es_cheetah_numero.wav"))
    params = whatsapp_params(UNKNOWN, BILL_CAPTION[language], media=[(url, "audio/ogg")])
    [ack] = replies(twilio.post("/twilio/sms", params))
    assert ack == LISTENING[language]
    other = LISTENING["es" if language == "en" else "en"]
    assert other not in ack
    session.expire_all()
    written = session.scalars(select(Turn).order_by(Turn.sequence)).first()
    assert (written.speaker, written.text) == ("caller", BILL_CAPTION[language])
    assert written.interaction.language == language


@pytest.mark.messaging_config(twilio_api=True, media_host=True, transcriber="fake")
def test_an_unknown_numbers_wordless_voice_note_is_acknowledged_in_the_default_language(
    twilio, session, media: MediaServer, twilio_api
):
    # As for a wordless text: the number's country says no language (+1 writes both).
    url = media.serve("/Media/ME24", clip_ogg("es_cheetah_numero.wav"))
    params = whatsapp_params(UNKNOWN, media=[(url, "audio/ogg")])
    [ack] = replies(twilio.post("/twilio/sms", params))
    assert ack == LISTENING["es"]
    [text_ack] = replies(twilio.post("/twilio/sms", whatsapp_params("+13055550798", "")))
    assert text_ack.startswith(NO_TEXT["es"])


STICKER_REPLY = {
    "es": "¡Gracias por tu sticker! ¿En qué te puedo ayudar?",
    "en": "Thanks for the sticker! How can I help you?",
}


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("message_type", ["sticker", None])
def test_a_sticker_is_not_a_document(twilio, session, customer_factory, language, message_type):
    phone = PHONES[language]
    customer_factory(phone=phone, language=language)
    params = whatsapp_params(phone, media=[(STICKER, "image/webp")])
    if message_type:
        params["MessageType"] = message_type
    [reply] = replies(twilio.post("/twilio/sms", params))
    assert reply.startswith(STICKER_REPLY[language])
    assert "asesor" not in reply and "agent" not in reply
    session.expire_all()
    turn = session.scalars(select(Turn)).one()
    assert (turn.speaker, turn.text, turn.action) == ("caller", "", "continue")
    assert turn.entities["problem"] == "sticker_received"
    assert session.scalars(select(Escalation)).all() == []
    assert session.scalars(select(MessageMedia)).all() == []


LOCATION_REPLY = {
    "es": "Recibimos tu ubicación, pero no la necesitamos para atenderte. ¿En qué te puedo ayudar?",
    "en": "We got your location, but we don't need it to help you. How can I help you?",
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_shared_location_is_acknowledged_as_one(twilio, session, customer_factory, language):
    phone = PHONES[language]
    customer_factory(phone=phone, language=language)
    params = whatsapp_params(phone)
    params.update(
        MessageType="location",
        Latitude="4.6533816",
        Longitude="-74.0836333",
        Address="Calle 26 # 59-51, Bogotá",
        Label="Oficina",
    )
    [reply] = replies(twilio.post("/twilio/sms", params))
    assert reply.startswith(LOCATION_REPLY[language])
    assert NO_TEXT[language] not in reply
    session.expire_all()
    turn = session.scalars(select(Turn)).one()
    assert turn.entities["problem"] == "location_received"
    # The product has no use for where the customer is: the coordinates are not kept.
    assert "4.65" not in str(turn.entities) and "Calle 26" not in (turn.text or "")
    assert session.scalars(select(Escalation)).all() == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_several_files_are_acknowledged_in_the_plural(twilio, session, customer_factory, language):
    phone = PHONES[language]
    customer_factory(phone=phone, language=language)
    params = whatsapp_params(
        phone, media=[(PHOTO, "image/jpeg"), (PHOTO2, "application/pdf")], channel="sms"
    )
    [reply] = replies(twilio.post("/twilio/sms", params))
    assert reply.startswith(TWO_FILES[language]) and REVIEW_THEM[language] in reply
    assert ONE_FILE[language] not in reply
    session.expire_all()
    assert [m.status for m in session.scalars(select(MessageMedia))] == ["received"] * 2
    assert session.scalars(select(Escalation)).one().reason == "customer_media"

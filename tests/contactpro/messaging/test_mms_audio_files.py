"""Several audio files in one MMS: every one is transcribed, taken as a turn and answered."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contactpro.models import MessageMedia, OutboundMessage, Turn
from tests.contactpro.messaging.conftest import (
    BUSINESS,
    LISTENING,
    MediaServer,
    clip_ogg,
    replies,
    sent_messages,
    silent_ogg,
    whatsapp_params,
)

PHONES = {"es": "+573019990611", "en": "+13055550611"}
# Several voice notes in one message are acknowledged in the plural.
LISTENING_SEVERAL = {
    "es": "Escuchando tus notas de voz… Te respondo en un momento.",
    "en": "Listening to your voice notes… I'll answer in a moment.",
}
NOTHING_HEARD = {"es": "No escuché nada en tu nota de voz", "en": "I couldn't hear anything"}


@pytest.mark.messaging_config(twilio_api=True, media_host=True, transcriber="fake")
@pytest.mark.parametrize("language", ["es", "en"])
def test_every_audio_file_of_an_mms_is_answered(
    twilio, session, customer_phone, media: MediaServer, twilio_api, language
):
    first = media.serve("/Media/ME1", clip_ogg("es_cheetah_numero.wav"))
    second = media.serve("/Media/ME2", silent_ogg())
    params = whatsapp_params(
        customer_phone, media=[(first, "audio/ogg"), (second, "audio/ogg")], channel="sms"
    )
    [ack] = replies(twilio.post("/twilio/sms", params))
    assert ack == LISTENING_SEVERAL[language]
    session.expire_all()
    notes = session.scalars(select(MessageMedia).order_by(MessageMedia.position)).all()
    # The second file is heard too: its silence is said, never left waiting unanswered.
    assert [n.status for n in notes] == ["answered", "empty"]
    assert all(n.reply_sid for n in notes)
    heard = session.get(Turn, notes[0].reply_turn_id)
    assert (heard.speaker, heard.source, heard.text) == (
        "caller",
        "voice_note",
        notes[0].transcript,
    )
    said = session.get(Turn, notes[1].reply_turn_id)
    assert said.id != heard.id and NOTHING_HEARD[language] in said.reply
    messages = sent_messages(twilio_api)
    assert [m["Body"] for m in messages] == [heard.reply, said.reply]
    assert {(m["To"], m["From"]) for m in messages} == {(customer_phone, BUSINESS)}
    rows = session.scalars(select(OutboundMessage)).all()
    assert [(r.purpose, r.status) for r in rows] == [("voice_note_reply", "sent")] * 2


@pytest.mark.messaging_config(twilio_api=True, media_host=True)
def test_two_spoken_notes_in_one_mms_with_the_offline_whisper_model(
    twilio, session, customer_factory, media: MediaServer, twilio_api
):
    phone = PHONES["es"]
    customer_factory(phone=phone)
    first = media.serve("/Media/ME3", clip_ogg("es_cheetah_numero.wav"))
    second = media.serve("/Media/ME4", clip_ogg("en_cheetah_platforms.wav"))
    params = whatsapp_params(
        phone, media=[(first, "audio/ogg"), (second, "audio/ogg")], channel="sms"
    )
    replies(twilio.post("/twilio/sms", params))
    session.expire_all()
    notes = session.scalars(select(MessageMedia).order_by(MessageMedia.position)).all()
    assert [n.status for n in notes] == ["answered", "answered"]
    assert "268" in notes[0].transcript
    assert "platforms" in notes[1].transcript.lower()
    turns = session.scalars(
        select(Turn).where(Turn.source == "voice_note").order_by(Turn.sequence)
    ).all()
    assert [t.text for t in turns] == [notes[0].transcript, notes[1].transcript]
    assert len(sent_messages(twilio_api)) == 2


RECEIPT = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM7/Media/ME7"
CAPTIONS = {
    "en": ("Hi, here is my payment receipt from yesterday", "We got your file"),
    "es": ("Hola, les envío el comprobante de pago de ayer", "Recibimos tu archivo"),
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_photo_is_acknowledged_in_the_language_of_its_caption(twilio, session, language):
    # An unknown number: only the caption says which language the customer reads.
    caption, acknowledged = CAPTIONS[language]
    params = whatsapp_params("+13055550612", caption, media=[(RECEIPT, "image/jpeg")])
    [reply] = replies(twilio.post("/twilio/sms", params))
    assert reply.startswith(acknowledged)
    other = CAPTIONS["es" if language == "en" else "en"][1]
    assert other not in reply
    session.expire_all()
    turn = session.scalars(select(Turn)).one()
    assert (turn.text, turn.interaction.language) == (caption, language)
    assert session.scalars(select(MessageMedia)).one().status == "received"


AUDIO_CAPTIONS = {
    "es": "les mando un audio con mi consulta",
    "en": "sending you a voice message with my question",
}


@pytest.mark.messaging_config(twilio_api=True, media_host=True, transcriber="fake")
@pytest.mark.parametrize("language", ["es", "en"])
def test_words_sent_with_an_audio_file_are_the_customers(
    twilio, session, customer_phone, media: MediaServer, language
):
    url = media.serve("/Media/ME5", clip_ogg("es_cheetah_numero.wav"))
    params = whatsapp_params(
        customer_phone, AUDIO_CAPTIONS[language], media=[(url, "audio/ogg")], channel="sms"
    )
    [ack] = replies(twilio.post("/twilio/sms", params))
    assert ack == LISTENING[language]
    session.expire_all()
    first, heard = session.scalars(select(Turn).order_by(Turn.sequence)).all()
    # The caption is kept as what the customer wrote, never as words of the bot.
    assert (first.speaker, first.source, first.text) == ("caller", "sms", AUDIO_CAPTIONS[language])
    assert first.reply == LISTENING[language]
    note = session.scalars(select(MessageMedia)).one()
    assert note.status == "answered" and note.turn_id == first.id
    assert (heard.speaker, heard.source, heard.text) == ("caller", "voice_note", note.transcript)

"""A voice note nobody can hear, sent with words: the words are still understood and answered."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contactpro.models import MessageMedia, Turn
from tests.contactpro.messaging.conftest import (
    LISTENING,
    MediaServer,
    clip_ogg,
    replies,
    sent_messages,
    silent_ogg,
    whatsapp_params,
)
from tests.webhooks.console.conftest import add_users, login

PHONES = {"es": "+573019990631", "en": "+13055550631"}
# Captions that ask for something by themselves, as customers write them (accents, none).
CAPTIONS = {
    "es": ("quiero saber cuánto debo", "hola, cuanto debo este mes?"),
    "en": ("how much do I owe?", "hi, whats my balance"),
}
UNHEARD = {
    "empty": {
        "es": "No escuché nada en tu nota de voz, así que te respondo lo que escribiste.",
        "en": "I couldn't hear anything in your voice note, so I'm answering what you wrote.",
    },
    "failed": {
        "es": "No pudimos escuchar tu nota de voz, así que te respondo lo que escribiste.",
        "en": "We couldn't listen to your voice note, so I'm answering what you wrote.",
    },
    "too_long": {
        "es": "Tu nota de voz es demasiado larga para escucharla, así que te respondo lo que "
        "escribiste.",
        "en": "Your voice note is too long to listen to, so I'm answering what you wrote.",
    },
}
# A billing question from an unverified texter is answered by asking to verify.
VERIFY = {"es": "últimos cuatro dígitos", "en": "last four digits"}
# The reply that asks the customer to write what they already wrote.
WRITE_AGAIN = {"es": "escribirnos tu consulta", "en": "write your question"}
NOTES = {
    "empty": (silent_ogg(), None),
    "failed": (b"\x00garbage" * 200, "audio_undecodable"),
    "too_long": (clip_ogg("es_cheetah_numero.wav", pad_seconds=4), "too_long"),
}


@pytest.mark.messaging_config(
    twilio_api=True, media_host=True, transcriber="fake", voice_note_max_seconds=5
)
@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("problem", ["empty", "failed", "too_long"])
@pytest.mark.parametrize("variant", [0, 1])
def test_the_caption_of_an_unheard_voice_note_is_answered(
    twilio, session, customer_phone, media: MediaServer, twilio_api, language, problem, variant
):
    body, reason = NOTES[problem]
    url = media.serve("/Media/ME31", body)
    caption = CAPTIONS[language][variant]
    params = whatsapp_params(customer_phone, caption, media=[(url, "audio/ogg")])
    [ack] = replies(twilio.post("/twilio/sms", params))
    assert ack == LISTENING[language]
    session.expire_all()
    note = session.scalars(select(MessageMedia)).one()
    assert (note.status, note.failure_reason, note.transcript) == (problem, reason, None)
    written, answer = session.scalars(select(Turn).order_by(Turn.sequence)).all()
    assert (written.speaker, written.source, written.text) == ("caller", "sms", caption)
    assert note.reply_turn_id == answer.id
    assert (answer.speaker, answer.source, answer.text) == ("caller", "voice_note", "")
    assert answer.intent == "billing_inquiry"
    assert answer.entities["voice_note"] == note.id
    assert answer.entities["problem"] == (reason or problem)
    assert answer.reply.startswith(UNHEARD[problem][language])
    assert VERIFY[language] in answer.reply
    assert WRITE_AGAIN[language] not in answer.reply
    other = "en" if language == "es" else "es"
    assert UNHEARD[problem][other] not in answer.reply
    [message] = sent_messages(twilio_api)
    assert message["Body"] == answer.reply


@pytest.mark.messaging_config(twilio_api=True, media_host=True, transcriber="fake")
@pytest.mark.parametrize(
    ("language", "caption", "words"),
    [
        ("es", "te mando un audio", "No escuché nada en tu nota de voz. ¿Puedes grabarla"),
        ("es", "hola buenas", "No escuché nada en tu nota de voz. ¿Puedes grabarla"),
        ("en", "sending you a voice message", "I couldn't hear anything in your voice note."),
    ],
)
def test_a_caption_that_asks_nothing_gets_the_unheard_note_reply(
    twilio, session, customer_phone, media: MediaServer, twilio_api, language, caption, words
):
    url = media.serve("/Media/ME32", silent_ogg())
    params = whatsapp_params(customer_phone, caption, media=[(url, "audio/ogg")])
    [ack] = replies(twilio.post("/twilio/sms", params))
    assert ack == LISTENING[language]
    session.expire_all()
    note = session.scalars(select(MessageMedia)).one()
    answer = session.get(Turn, note.reply_turn_id)
    assert (answer.speaker, answer.entities["problem"]) == ("bot", "empty")
    assert answer.reply.startswith(words)
    [message] = sent_messages(twilio_api)
    assert message["Body"] == answer.reply


UNHEARD_ON_THE_PAGE = {
    "es": "(nota de voz que no se pudo escuchar; se respondió lo que escribió)",
    "en": "(voice note that could not be heard; what they wrote was answered)",
}


@pytest.mark.messaging_config(twilio_api=True, media_host=True, transcriber="fake")
def test_the_conversation_page_says_the_answered_note_was_not_heard(
    twilio, client, session, customer_factory, media: MediaServer
):
    customer_factory(phone=PHONES["es"])
    url = media.serve("/Media/ME33", silent_ogg())
    params = whatsapp_params(PHONES["es"], CAPTIONS["es"][0], media=[(url, "audio/ogg")])
    replies(twilio.post("/twilio/sms", params))
    session.expire_all()
    interaction_id = session.scalars(select(MessageMedia)).one().interaction_id
    add_users(session)
    login(client, "max@example.com")
    for language, other in (("es", "en"), ("en", "es")):
        page = client.get(f"/console/manager/conversations/{interaction_id}?lang={language}").text
        assert UNHEARD_ON_THE_PAGE[language] in page
        assert UNHEARD_ON_THE_PAGE[other] not in page
        assert CAPTIONS["es"][0] in page

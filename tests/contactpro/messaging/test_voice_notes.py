"""Voice notes over WhatsApp and MMS: acknowledged at once, transcribed, answered by message."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contactpro.messaging import voice_notes
from contactpro.models import MessageMedia, OutboundMessage, Turn
from tasks.messaging import answer_voice_note
from tests.conftest import (
    AUTH_TOKEN,
    PUBLIC_URL,
    TASK_QUEUE,
    TWILIO_ACCOUNT_SID,
    start_worker,
    wait_for,
    worker_env,
)
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

CUSTOMER = "+573019990608"
PHONES = {"es": CUSTOMER, "en": "+13055550123"}
# An unverified texter is asked to verify (billing) or told the channels (payment), never the
# account number itself.
WORDS = {
    "es": ("últimos cuatro dígitos",),
    "en": ("last four digits", "your account number"),
}


def note(session: Session) -> MessageMedia:
    session.expire_all()
    return session.scalars(select(MessageMedia)).one()


@pytest.mark.messaging_config(twilio_api=True, media_host=True, transcriber="fake")
@pytest.mark.parametrize("language", ["es", "en"])
def test_voice_note_is_transcribed_taken_as_a_turn_and_answered(
    twilio, session, customer_phone, media: MediaServer, twilio_api, language
):
    # On PostgreSQL, see the test with a real worker below.
    url = media.serve("/Media/ME1", clip_ogg("es_cheetah_numero.wav"))
    params = whatsapp_params(customer_phone, media=[(url, "audio/ogg")])
    [ack] = replies(twilio.post("/twilio/sms", params))
    assert ack == LISTENING[language]
    stored = note(session)
    assert (stored.kind, stored.status, stored.content_type) == ("audio", "answered", "audio/ogg")
    assert stored.duration_seconds == pytest.approx(3.08, abs=0.1)
    heard = session.get(Turn, stored.reply_turn_id)
    assert heard is not None
    assert (heard.speaker, heard.source) == ("caller", "voice_note")
    assert heard.intent in ("billing_inquiry", "payment_how")  # "check my bill" is read as either
    assert heard.text == stored.transcript and heard.asr_confidence == stored.asr_confidence == 1.0
    assert any(words in heard.reply for words in WORDS[language])
    assert "0000120451" not in heard.reply
    [message] = sent_messages(twilio_api)
    assert message == {
        "To": f"whatsapp:{customer_phone}",
        "From": f"whatsapp:{BUSINESS}",
        "Body": heard.reply,
        "StatusCallback": f"{PUBLIC_URL}/twilio/sms/status?turn={heard.id}",
    }
    assert stored.reply_sid == "SM" + "1" * 32
    assert heard.delivery_status == "queued"
    # Twilio reports the delivery of the answer on the voice note's turn.
    report = {"MessageSid": stored.reply_sid, "MessageStatus": "delivered", "AccountSid": "AC1"}
    assert twilio.post(f"/twilio/sms/status?turn={heard.id}", report).status_code == 204
    session.refresh(heard)
    assert heard.delivery_status == "delivered"
    outbound = session.scalars(select(OutboundMessage)).one()
    assert (outbound.purpose, outbound.status, outbound.channel) == (
        "voice_note_reply",
        "sent",
        "whatsapp",
    )
    # Downloaded with the account's credentials, as Twilio's media URLs require.
    assert media.requests[0]["authorization"].startswith("Basic ")
    api, _ = twilio_api
    assert api.requests[0]["auth"] == (TWILIO_ACCOUNT_SID, AUTH_TOKEN)


@pytest.mark.messaging_config(twilio_api=True, media_host=True)
def test_spanish_voice_note_with_the_offline_whisper_model(
    twilio, session, customer_factory, media: MediaServer, twilio_api
):
    customer_factory(phone=CUSTOMER)
    url = media.serve("/Media/ME2", clip_ogg("es_cheetah_numero.wav"))
    [ack] = replies(
        twilio.post("/twilio/sms", whatsapp_params(CUSTOMER, media=[(url, "audio/ogg")]))
    )
    assert ack == LISTENING["es"]
    stored = note(session)
    assert stored.status == "answered" and stored.model == "base"
    assert "268" in stored.transcript and "favorito" in stored.transcript.lower()
    assert 0.3 < stored.asr_confidence <= 1.0
    heard = session.get(Turn, stored.reply_turn_id)
    assert heard.source == "voice_note" and heard.text == stored.transcript
    [message] = sent_messages(twilio_api)
    assert message["Body"] == heard.reply and message["To"] == f"whatsapp:{CUSTOMER}"


@pytest.mark.messaging_config(
    twilio_api=True, media_host=True, transcriber="fake", voice_note_max_seconds=5
)
@pytest.mark.parametrize(
    ("body", "content_type", "status", "status_code", "reason", "words"),
    [
        (silent_ogg(), "audio/ogg", "empty", 200, None, "No escuché nada en tu nota de voz"),
        (
            b"\x00garbage" * 200,
            "audio/ogg",
            "failed",
            200,
            "audio_undecodable",
            "No pudimos reproducir",
        ),
        (b"", "audio/ogg", "failed", 200, "audio_empty", "No escuché nada en tu nota de voz"),
        (
            clip_ogg("es_cheetah_numero.wav", pad_seconds=4),
            "audio/ogg",
            "too_long",
            200,
            "too_long",
            "muy larga (más de un minuto)",
        ),
        (b"denied", "text/plain", "failed", 403, "recording_unauthorized", "No pudimos escuchar"),
    ],
    ids=["silent", "corrupt", "zero-bytes", "too-long", "refused"],
)
def test_bad_voice_notes_get_a_clear_reply_and_are_kept(
    twilio,
    session,
    customer_factory,
    media: MediaServer,
    twilio_api,
    body,
    content_type,
    status,
    status_code,
    reason,
    words,
):
    customer_factory(phone=CUSTOMER)
    url = media.serve("/Media/ME3", body, content_type, status_code)
    [ack] = replies(
        twilio.post("/twilio/sms", whatsapp_params(CUSTOMER, media=[(url, "audio/ogg")]))
    )
    assert ack == LISTENING["es"]
    stored = note(session)
    assert (stored.status, stored.failure_reason) == (status, reason)
    assert stored.url == url and stored.transcript is None
    answer = session.get(Turn, stored.reply_turn_id)
    assert answer.speaker == "bot" and words in answer.reply
    assert answer.entities["problem"] in (reason, status)
    [message] = sent_messages(twilio_api)
    assert message["Body"] == answer.reply


@pytest.mark.messaging_config(twilio_api=True, media_host=True, transcriber="fake")
def test_mms_audio_on_the_sms_channel_is_answered_by_sms(
    twilio, session, customer_factory, media: MediaServer, twilio_api
):
    customer_factory(phone=CUSTOMER)
    url = media.serve("/Media/ME4", clip_ogg("es_cheetah_numero.wav"))
    params = whatsapp_params(CUSTOMER, media=[(url, "audio/ogg")], channel="sms")
    [ack] = replies(twilio.post("/twilio/sms", params))
    assert ack == LISTENING["es"]
    stored = note(session)
    assert stored.status == "answered" and stored.interaction.channel == "sms"
    [message] = sent_messages(twilio_api)
    assert (message["To"], message["From"]) == (CUSTOMER, BUSINESS)
    assert "últimos cuatro dígitos" in message["Body"]


@pytest.mark.messaging_config(
    twilio_api=True, media_host=True, transcriber="fake", task_always_eager=False
)
def test_the_webhook_answers_before_the_note_is_transcribed(
    app, twilio, session, customer_factory, media: MediaServer, twilio_api
):
    customer_factory(phone=CUSTOMER)
    url = media.serve("/Media/ME5", clip_ogg("es_cheetah_numero.wav"))
    params = whatsapp_params(CUSTOMER, media=[(url, "audio/ogg")])
    [ack] = replies(twilio.post("/twilio/sms", params))
    assert ack == LISTENING["es"]
    stored = note(session)
    assert stored.status == "queued" and media.requests == []
    assert sent_messages(twilio_api) == []
    # Twilio retries the webhook: same answer, nothing queued twice.
    assert replies(twilio.post("/twilio/sms", params)) == [ack]
    with app.app_context():
        assert answer_voice_note.run(stored.id) == "answered"
        assert answer_voice_note.run(stored.id) == "answered"  # redelivered: nothing sent again
    assert len(sent_messages(twilio_api)) == 1


@pytest.mark.messaging_config(twilio_api=True, media_host=True)
def test_voice_note_on_postgresql_with_a_real_worker(
    backend,
    app_config,
    model_cache,
    tmp_path,
    media_server: MediaServer,
    twilio_api,
    request,
):
    if backend is None:
        pytest.skip("SQLite runs the task in the request (the tests above)")
    queue = f"{TASK_QUEUE}-voice-notes"
    app_config["task_queue"] = queue
    _, api_url = twilio_api
    env = worker_env(
        backend.url,
        tmp_path,
        queue,
        CONTACTPRO_VOICE_RECORDING_HOSTS=media_server.host,
        CONTACTPRO_TELEPHONY="twilio",
        CONTACTPRO_TWILIO_API_URL=api_url,
        TWILIO_ACCOUNT_SID=TWILIO_ACCOUNT_SID,
        CONTACTPRO_MODEL_CACHE_DIR=str(model_cache),
        CONTACTPRO_WHISPER_THREADS="2",
    )
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed below
    worker = start_worker(env, log)
    try:
        # The app is built only now, so it queues the note for this worker.
        twilio = request.getfixturevalue("twilio")
        session = request.getfixturevalue("session")
        request.getfixturevalue("customer_factory")(phone=CUSTOMER)
        url = media_server.serve("/Media/ME6", clip_ogg("es_cheetah_numero.wav"))
        started = time.monotonic()
        response = twilio.post("/twilio/sms", whatsapp_params(CUSTOMER, media=[(url, "audio/ogg")]))
        assert time.monotonic() - started < 5  # acknowledged without waiting for Whisper
        assert replies(response) == [LISTENING["es"]]
        stored = wait_for(lambda: _answered(session), timeout=120)
        assert "268" in stored.transcript and stored.reply_sid == "SM" + "1" * 32
        heard = session.get(Turn, stored.reply_turn_id)
        assert heard.source == "voice_note" and heard.asr_confidence == stored.asr_confidence
        [message] = sent_messages(twilio_api)
        assert message["Body"] == heard.reply and message["To"] == f"whatsapp:{CUSTOMER}"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()


def _answered(session: Session) -> MessageMedia | None:
    stored = note(session)
    return stored if stored.status == "answered" else None


@pytest.mark.messaging_config(
    twilio_api=True, media_host=True, transcriber="fake", task_always_eager=False
)
def test_a_note_racing_a_text_on_the_same_conversation_is_taken_again(
    app, twilio, session, customer_factory, media: MediaServer, twilio_api, monkeypatch
):
    customer_factory(phone=CUSTOMER)
    url = media.serve("/Media/ME7", clip_ogg("es_cheetah_numero.wav"))
    twilio.post("/twilio/sms", whatsapp_params(CUSTOMER, media=[(url, "audio/ogg")]))
    real, calls = voice_notes.transcribe, []

    def racing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:  # another message took the sequence number meanwhile
            raise IntegrityError(
                "INSERT INTO turns", {}, Exception("uq_turns_interaction_sequence")
            )
        return real(*args, **kwargs)

    monkeypatch.setattr(voice_notes, "transcribe", racing)
    with app.app_context():
        assert answer_voice_note.run(note(session).id) == "answered"
    assert len(calls) == 2 and len(sent_messages(twilio_api)) == 1


@pytest.mark.messaging_config(twilio_api=True, media_host=True, transcriber="fake")
def test_card_read_in_a_voice_note_is_redacted_before_it_is_stored(
    twilio, session, customer_factory, voice_note
):
    customer_factory(phone=CUSTOMER)
    url = voice_note("es", "pago con la tarjeta 4111 1111 1111 1111 cvv 123")
    replies(twilio.post("/twilio/sms", whatsapp_params(CUSTOMER, media=[(url, "audio/ogg")])))
    stored = note(session)
    assert stored.transcript == "pago con la tarjeta [tarjeta ****1111] cvv [código]"
    heard = session.get(Turn, stored.reply_turn_id)
    assert heard is not None and heard.text == stored.transcript
    assert "4111" not in (heard.reply or "")

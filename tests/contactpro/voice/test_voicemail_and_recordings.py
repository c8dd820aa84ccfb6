"""Voicemail out of hours, call recording callbacks and the transcription task."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from contactpro.errors import AudioFetchError
from contactpro.models import Escalation, Interaction, Recording
from contactpro.speech import load_transcriber
from tasks.voice import transcribe_recording
from tests.conftest import wait_for
from tests.contactpro.voice.conftest import closed_now
from tests.webhooks.test_voice import spoken

RE_SID = "RE" + "d" * 32


AFTER_HOURS = closed_now()


def _to_voicemail(call, customer_factory):
    customer_factory()
    call.start()
    root = call.say("quiero hablar con un asesor")
    assert root.find("Enqueue") is None and "no están disponibles" in spoken(root)
    assert "Te comunico" not in spoken(root)
    record = root.find("Record")
    assert (record.get("action"), record.get("playBeep"), record.get("finishOnKey")) == (
        "/twilio/voice/voicemail?lang=es",
        "true",
        "#",
    )
    assert root.find("Redirect").text == "/twilio/voice/voicemail?empty=1&lang=es"
    return root


@pytest.mark.voice_config(voice_business_hours=AFTER_HOURS, transcriber="fake", recording_host=True)
def test_voicemail_with_speech_is_answered_by_sms(
    backend, call, customer_factory, session, recording_host
):
    if backend is not None:
        pytest.skip("the worker process has no test recording host; SQLite runs the flow")
    _to_voicemail(call, customer_factory)
    url = f"http://{recording_host}/Recordings/{RE_SID}"
    thanks = call.post(
        "/twilio/voice/voicemail",
        RecordingUrl=url,
        RecordingSid=RE_SID,
        RecordingDuration="6",
        Digits="#",
    )
    assert "Recibimos tu mensaje" in spoken(thanks) and thanks.find("Hangup") is not None
    recording = session.scalars(select(Recording)).one()
    assert (recording.kind, recording.transcription_status) == ("voicemail", "pending")
    for status in ("in-progress", "completed", "completed"):  # Twilio may repeat a callback
        response = call.twilio.post(
            "/twilio/voice/recording?kind=voicemail",
            call.params(
                RecordingSid=RE_SID,
                RecordingUrl=url,
                RecordingStatus=status,
                RecordingDuration="6",
                RecordingChannels="1",
                RecordingSource="RecordVerb",
            ),
        )
        assert response.status_code == 204
    session.expire_all()
    recording = session.scalars(select(Recording)).one()
    assert (recording.status, recording.transcription_status) == ("completed", "done")
    assert recording.transcript.startswith("Hola") and recording.model == "base"
    escalation = session.scalars(select(Escalation)).one()
    voicemail = escalation.context["voicemail"]
    assert (voicemail["outcome"], voicemail["intent"]) == ("sms", "billing_inquiry")
    assert voicemail["sms_reply"] and voicemail["message_sid"].startswith("SM")
    assert (escalation.status, escalation.resolution) == ("resolved", "solved")
    call.end(70)
    assert wait_for(lambda: closed_call(session)).close_reason == "voicemail"


def closed_call(session):
    session.expire_all()
    return session.scalars(
        select(Interaction).where(Interaction.channel == "voice", Interaction.status == "closed")
    ).first()


@pytest.mark.voice_config(voice_business_hours=AFTER_HOURS)
def test_empty_voicemail_becomes_a_callback(call, customer_factory, session):
    _to_voicemail(call, customer_factory)
    root = call.post("/twilio/voice/voicemail?empty=1")
    assert "No recibimos" in spoken(root) and root.find("Hangup") is not None
    escalation = session.scalars(select(Escalation)).one()
    voicemail = escalation.context["voicemail"]
    assert voicemail == {"empty": True, "outcome": "callback", "callback": True}
    assert escalation.status == "open"
    call.end(30)
    assert wait_for(lambda: closed_call(session)).close_reason == "voicemail_empty"


@pytest.mark.voice_config(voice_business_hours=AFTER_HOURS)
def test_absent_voicemail_recording_is_not_transcribed(call, customer_factory, session):
    _to_voicemail(call, customer_factory)
    call.post(
        "/twilio/voice/voicemail",
        RecordingUrl="https://api.twilio.com/R",
        RecordingSid=RE_SID,
        RecordingDuration="1",
    )
    call.twilio.post(
        "/twilio/voice/recording?kind=voicemail",
        call.params(
            RecordingSid=RE_SID,
            RecordingStatus="absent",
            RecordingDuration="0",
        ),
    )
    session.expire_all()
    recording = session.scalars(select(Recording)).one()
    assert (recording.status, recording.transcription_status) == ("absent", "empty")
    voicemail = session.scalars(select(Escalation)).one().context["voicemail"]
    assert (voicemail["empty"], voicemail["callback"]) == (True, True)


@pytest.mark.voice_config(voice_record_calls=True)
def test_call_recording_is_announced_and_processed_only_when_completed(
    call, customer_factory, session, monkeypatch
):
    queued = []
    monkeypatch.setattr(transcribe_recording, "apply_async", lambda args: queued.append(args))
    customer_factory()
    root = call.start()
    recording = root.find("Start/Recording")
    assert recording.get("recordingStatusCallback") == "/twilio/voice/recording?kind=call"
    assert recording.get("channels") == "dual"
    assert "será grabada" in spoken(root)
    for status in ("in-progress", "completed", "completed"):
        call.twilio.post(
            "/twilio/voice/recording?kind=call",
            call.params(
                RecordingSid=RE_SID,
                RecordingUrl="https://api.twilio.com/R",
                RecordingStatus=status,
                RecordingDuration="33",
                RecordingChannels="2",
                RecordingSource="StartCallRecordingTwiML",
            ),
        )
        assert len(queued) == (0 if status == "in-progress" else 1)
    stored = session.scalars(select(Recording)).one()
    assert (stored.kind, stored.channels, stored.duration_seconds, stored.transcription_status) == (
        "call",
        2,
        33,
        "queued",
    )


def _call_recording(call, url):
    call.start()
    call.twilio.post(
        "/twilio/voice/recording?kind=call",
        call.params(
            RecordingSid=RE_SID,
            RecordingUrl=url,
            RecordingStatus="in-progress",
        ),
    )


@pytest.mark.voice_config(transcriber="fake", bad_audio_host=True)
def test_transcription_task_gives_up_on_audio_it_cannot_decode(
    app, call, customer_factory, session, bad_audio_host
):
    customer_factory()
    _call_recording(call, f"http://{bad_audio_host}/R")
    recording_id = session.scalars(select(Recording.id)).one()
    with app.app_context():
        assert transcribe_recording.run(recording_id) == "failed"
        assert transcribe_recording.run(recording_id) == "failed"  # redelivered: no change
    session.expire_all()
    recording = session.get(Recording, recording_id)
    assert (recording.transcription_status, recording.failure_reason) == (
        "failed",
        "audio_undecodable",
    )


@pytest.mark.voice_config(voice_recording_hosts="127.0.0.1:9", recording_fetch_attempts=1)
def test_transcription_task_retries_a_failed_download(app, call, customer_factory, session):
    customer_factory()
    _call_recording(call, "http://127.0.0.1:9/R")
    recording_id = session.scalars(select(Recording.id)).one()
    with app.app_context(), pytest.raises(AudioFetchError) as info:
        transcribe_recording.run(recording_id)  # called directly, a retry re-raises
    assert info.value.retryable
    session.expire_all()
    assert session.get(Recording, recording_id).transcription_status == "pending"


@pytest.mark.voice_config(voice_business_hours=AFTER_HOURS, transcriber="fake", recording_host=True)
def test_card_and_pin_in_a_voicemail_are_redacted_in_transcript_and_segments(
    backend, app, call, customer_factory, session, recording_host, monkeypatch
):
    if backend is not None:
        pytest.skip("the worker process has no test recording host; SQLite runs the flow")
    transcriber = load_transcriber(app.extensions["contactpro"].settings)
    said = "mi tarjeta es 4111 1111 1111 1111 código de seguridad 123 y mi clave es 9876"
    monkeypatch.setitem(transcriber.texts, "es", said)
    _to_voicemail(call, customer_factory)
    url = f"http://{recording_host}/Recordings/{RE_SID}"
    call.post("/twilio/voice/voicemail", RecordingUrl=url, RecordingSid=RE_SID, Digits="#")
    call.twilio.post(
        "/twilio/voice/recording?kind=voicemail",
        call.params(
            RecordingSid=RE_SID,
            RecordingUrl=url,
            RecordingStatus="completed",
            RecordingDuration="6",
        ),
    )
    session.expire_all()
    recording = session.scalars(select(Recording)).one()
    assert recording.transcription_status == "done"
    assert recording.transcript == (
        "mi tarjeta es [tarjeta ****1111] código de seguridad [código] y mi clave es [clave]"
    )
    kept = " ".join(s["text"] for s in recording.segments) + str(
        session.scalars(select(Escalation)).one().context
    )
    # Whole numbers only: ids and times in the context may hold these digits by chance.
    for secret in ("4111", "1111 1111", "123", "9876"):
        assert re.search(rf"\b{re.escape(secret)}\b", kept) is None, secret

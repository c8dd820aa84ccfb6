"""Voice calls end to end: language menu, hold loop, record mode, hand-off and outcomes."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from contactpro.models import Escalation, Interaction, Recording, Turn, VoiceJob, utcnow
from contactpro.voice import prompts
from tasks.voice import run_voice_job
from tests.conftest import wait_for
from tests.contactpro.voice.conftest import VoiceCall, is_hold
from tests.webhooks.test_voice import spoken


def widen_deadlines(session):
    """A worker process may still be starting (models load on first use): allow it a minute."""
    session.execute(update(VoiceJob).values(deadline_at=utcnow() + timedelta(seconds=60)))
    session.commit()


def closed(session):
    session.expire_all()
    return session.scalars(select(Interaction).where(Interaction.status == "closed")).first()


# --- Language menu -------------------------------------------------------------------------------


def test_unknown_caller_picks_english_on_the_keypad(twilio, session):
    call = VoiceCall(twilio, "+573005556666")
    root = call.start()
    menu = root.find("Gather")
    assert menu.get("action") == "/twilio/voice/language"
    assert (menu.get("input"), menu.get("numDigits"), menu.get("bargeIn")) == (
        "speech dtmf",
        "1",
        "true",
    )
    says = menu.findall("Say")
    assert menu.get("language") == "es-CO"  # a Colombian number
    assert [s.get("language") for s in says] == ["es-US", "en-US"]
    assert "oprime 1" in says[0].text and "press 2" in says[1].text
    root = call.press("2")
    gather = root.find("Gather")
    assert gather.get("language") == "en-US" and "How can I help" in spoken(root)
    assert "balance" in gather.get("hints")
    session.expire_all()
    interaction = session.scalars(select(Interaction)).one()
    assert interaction.language == "en"
    choice = session.scalars(select(Turn).where(Turn.twilio_key.like("%:language"))).one()
    assert (choice.source, choice.entities["language_choice"]) == ("dtmf", "en")
    # A retried greeting does not show the menu again once the caller chose.
    assert call.start().find("Gather").get("action") != "/twilio/voice/language"


def test_unknown_caller_says_the_language(twilio, session):
    call = VoiceCall(twilio, "+573005556666")
    call.start()
    root = call.say("español por favor")
    assert root.find("Gather").get("language") == "es-CO" and "ayudar" in spoken(root)
    assert session.scalars(select(Interaction)).one().language == "es"


def test_zero_at_the_language_menu_reaches_the_queue(twilio, session):
    call = VoiceCall(twilio, "+573005556666")
    call.start()
    enqueue = call.press("0").find("Enqueue")
    assert enqueue is not None and enqueue.text == "support"
    assert enqueue.get("waitUrl") == "/twilio/voice/queue-wait?lang=es"
    assert enqueue.get("action") == "/twilio/voice/queue-result?lang=es"
    assert session.scalars(select(Escalation)).one().reason == "agent_request"


def test_known_caller_skips_the_menu_and_may_barge_in(call, customer_factory):
    customer_factory()
    gather = call.start().find("Gather")
    assert gather.get("action") == "/twilio/voice/gather?step=1&lang=es"
    assert (gather.get("bargeIn"), gather.get("speechTimeout")) == ("true", "auto")


# --- Hold loop -----------------------------------------------------------------------------------


@pytest.mark.voice_config(voice_hold="always")
def test_held_turn_answers_from_the_poll(call, customer_factory, session):
    customer_factory()
    call.start()
    path = call.next_path
    root = call.say("quiero hablar con un asesor")
    assert is_hold(root) and root.find("Say").text  # a filler, then the poll
    job_id = session.scalars(select(VoiceJob.id)).one()
    assert root.find("Redirect").text == f"/twilio/voice/hold?job={job_id}&lang=es"
    call.next_path = path
    assert ET.tostring(call.say("quiero hablar con un asesor")) == ET.tostring(root)  # retry
    widen_deadlines(session)
    answer = call.wait_out_hold(root, timeout=60)
    assert answer.find("Enqueue") is not None
    session.expire_all()
    job = session.scalars(select(VoiceJob)).one()
    assert (job.status, job.kind, job.result["action"]) == ("done", "turn", "escalate")
    assert session.scalars(select(Escalation)).one().reason == "agent_request"
    # Polling again (a retried poll) replays the same answer and writes nothing.
    assert ET.tostring(call.follow(root)) == ET.tostring(answer)
    # The greeting, the filler the caller heard (once, though the turn was posted twice), the turn.
    turns = session.scalars(select(Turn).order_by(Turn.sequence)).all()
    assert [(t.speaker, (t.entities or {}).get("prompt")) for t in turns] == [
        ("bot", None),
        ("bot", "hold"),
        ("caller", None),
    ]
    # The filler, and "still checking" once when the worker took long enough for the caller to
    # hear it (a loaded machine): what the caller heard, in order.
    filler = root.find("Say").text
    assert turns[1].reply in (filler, f"{filler} {prompts.say('still_working', 'es')}")


@pytest.mark.voice_config(voice_hold="always", voice_hold_seconds=1)
def test_hold_past_the_deadline_apologises_and_hands_over(
    call, customer_factory, session, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(run_voice_job, "apply_async", broker_down)
    customer_factory()
    call.start()
    root = call.say("cuál es mi saldo")
    waiting = call.follow(root)
    assert is_hold(waiting) and waiting.find("Pause").get("length") == "1"
    time.sleep(1.1)
    answer = call.follow(root)
    assert answer.find("Enqueue") is not None and "problema técnico" in spoken(answer)
    assert ET.tostring(call.follow(root)) == ET.tostring(answer)
    session.expire_all()
    assert session.scalars(select(VoiceJob)).one().status == "expired"
    escalation = session.scalars(select(Escalation)).one()
    assert escalation.reason == "technical_error"
    assert escalation.context["transcript"][0]["speaker"] == "bot"
    assert session.scalar(select(func.count(Turn.id)).where(Turn.twilio_key.like("%:held"))) == 1


@pytest.mark.voice_config(voice_record_languages="es")
def test_failed_transcription_apologises_and_hands_over(call, customer_factory, session):
    customer_factory()
    root = call.start()
    record = root.find("Record")
    assert record.get("action") == "/twilio/voice/record?step=1&lang=es"
    assert record.get("finishOnKey") == "#0" and root.find("Redirect") is not None
    # Not one of Twilio's hosts: the download is refused and the job fails at once.
    held = call.record("http://127.0.0.1:9/Recordings/RE1", "RE" + "a" * 32)
    widen_deadlines(session)
    answer = call.wait_out_hold(held, timeout=60)
    assert answer.find("Enqueue") is not None and "problema técnico" in spoken(answer)
    session.expire_all()
    recording = session.scalars(select(Recording)).one()
    assert (recording.kind, recording.transcription_status, recording.failure_reason) == (
        "turn",
        "failed",
        "recording_url_refused",
    )
    assert session.scalars(select(VoiceJob)).one().status == "failed"


@pytest.mark.voice_config(voice_record_languages="es", transcriber="fake", recording_host=True)
def test_record_mode_transcribes_the_answer(
    backend, call, customer_factory, session, recording_host
):
    if backend is not None:
        pytest.skip("the worker process has no test recording host; SQLite runs the flow")
    customer_factory()
    call.start()
    held = call.record(f"http://{recording_host}/Recordings/RE1", "RE" + "b" * 32)
    answer = call.wait_out_hold(held)
    assert answer.find("Record") is not None  # the dialog goes on, still recording
    recording = session.scalars(select(Recording)).one()
    assert (recording.transcription_status, recording.backend) == ("done", "fake")
    assert recording.segments and recording.transcript.startswith("Hola")
    turn = session.scalars(select(Turn).where(Turn.source == "recording")).one()
    assert turn.intent == "billing_inquiry"


@pytest.mark.voice_config(voice_record_numbers="+15550001000")
def test_record_mode_zero_and_silence(call, customer_factory, session):
    customer_factory()
    call.start()
    silent = call.post(call.next_path, RecordingUrl="", RecordingDuration="0")
    assert silent.find("Record") is not None
    assert session.scalar(select(func.count(Recording.id))) == 0
    root = call.record("https://api.twilio.com/x", "RE" + "c" * 32, Digits="0")
    assert root.find("Enqueue") is not None


# --- Hand-off, queue, dial ------------------------------------------------------------------------


@pytest.mark.voice_config(voice_max_queue_wait_seconds=300)
def test_queue_wait_tells_the_position_and_offers_voicemail(call, customer_factory):
    customer_factory()
    call.start()
    call.press("0")
    root = call.post(
        "/twilio/voice/queue-wait",
        QueuePosition="3",
        QueueTime="20",
        AvgQueueTime="40",
        CurrentQueueSize="5",
        QueueSid="QU" + "1" * 32,
    )
    assert "número 3" in spoken(root) and root.find("Play") is not None
    assert root.find("Gather") is None
    root = call.post(
        "/twilio/voice/queue-wait",
        QueuePosition="1",
        QueueTime="320",
        AvgQueueTime="200",
        CurrentQueueSize="1",
        QueueSid="QU" + "1" * 32,
    )
    gather = root.find("Gather")
    assert gather.get("action") == "/twilio/voice/queue-wait/leave?lang=es"
    assert "siguiente" in spoken(root) and "oprime 1" in spoken(root)
    assert call.post("/twilio/voice/queue-wait/leave", Digits="1").find("Leave") is not None
    left = call.post(
        "/twilio/voice/queue-result", QueueResult="leave", QueueTime="330", QueueSid="QU" + "1" * 32
    )
    record = left.find("Record")
    assert record.get("action") == "/twilio/voice/voicemail?lang=es"
    assert record.get("recordingStatusCallback") == "/twilio/voice/recording?kind=voicemail"


@pytest.mark.voice_config(voice_handoff="dial", voice_dial_target="sip:agent@pbx.example.com")
def test_dial_hand_off_to_a_sip_agent_then_voicemail(call, customer_factory, session):
    customer_factory()
    call.start()
    root = call.say("quiero hablar con un asesor")
    dial = root.find("Dial")
    assert dial.get("action") == "/twilio/voice/dial-result?lang=es"
    assert dial.find("Sip").text == "sip:agent@pbx.example.com"
    assert session.scalars(select(Escalation)).one().context["summary"]
    root = call.post("/twilio/voice/dial-result", DialCallStatus="no-answer", DialCallDuration="0")
    assert root.find("Record") is not None
    session.expire_all()
    assert session.scalars(select(Escalation)).one().queue_result == "dial-no-answer"


@pytest.mark.parametrize(
    ("queue_result", "reason", "status"),
    [("bridged", "escalated_answered", "open"), ("hangup", "abandoned_in_queue", "abandoned")],
)
def test_queue_outcomes_reach_the_interaction(
    call, customer_factory, session, queue_result, reason, status
):
    customer_factory()
    call.start()
    call.press("0")
    call.post(
        "/twilio/voice/queue-result",
        QueueResult=queue_result,
        QueueTime="12",
        QueueSid="QU" + "1" * 32,
    )
    assert call.end(60) == 204
    interaction = wait_for(lambda: closed(session))
    assert (interaction.outcome, interaction.close_reason) == ("escalated", reason)
    escalation = session.scalars(select(Escalation)).one()
    assert (escalation.status, escalation.queue_seconds) == (status, 12)


def test_queue_result_after_the_call_closed_updates_the_reason(call, customer_factory, session):
    customer_factory()
    call.start()
    call.press("0")
    call.end(60)
    assert wait_for(lambda: closed(session)).close_reason == "escalated_unanswered"
    call.post(
        "/twilio/voice/queue-result", QueueResult="bridged", QueueTime="5", QueueSid="QU" + "1" * 32
    )
    session.expire_all()
    assert session.scalars(select(Interaction)).one().close_reason == "escalated_answered"


def test_caller_hanging_up_mid_flow(call, customer_factory, session):
    customer_factory()
    call.start()
    call.say("cuál es mi saldo")
    call.end(15)
    interaction = wait_for(lambda: closed(session))
    assert (interaction.outcome, interaction.close_reason) == ("abandoned", "hung_up_mid_flow")


@pytest.mark.voice_config(voice_record_languages="es", voice_hold_seconds=1)
def test_recording_whose_job_missed_its_deadline_is_marked_failed(
    call, customer_factory, session, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(run_voice_job, "apply_async", broker_down)  # the job never runs
    customer_factory()
    call.start()
    held = call.record("https://api.twilio.com/Recordings/RE1", "RE" + "b" * 32)
    time.sleep(1.1)
    answer = call.follow(held)
    assert answer.find("Enqueue") is not None and "problema técnico" in spoken(answer)
    session.expire_all()
    assert session.scalars(select(VoiceJob)).one().status == "expired"
    recording = session.scalars(select(Recording)).one()
    assert (recording.transcription_status, recording.failure_reason) == ("failed", "deadline")

"""Time-outs end to end: a stalled LLM, held work past its deadline, a stalled recording download.

Every test drives the signed webhooks; the slow outside world is a local server that stalls. What
is already tested elsewhere and not repeated here:

- tests/contactpro/nlu/test_llm.py: the classifier alone times out within its budget, and its
  circuit breaker opens, lets a probe through and closes.
- tests/contactpro/voice/test_calls.py::test_hold_past_the_deadline_apologises_and_hands_over:
  a held job that never ran; the poll after the deadline apologises, hands over
  (``<Enqueue>``), writes the ``technical_error`` escalation once and replays the same answer.
- tests/contactpro/voice/test_calls.py::test_failed_transcription_apologises_and_hands_over:
  a refused download fails a record-mode job at once.
- tests/contactpro/voice/test_voicemail_and_recordings.py: a refused connection is retried by the
  transcription task; undecodable audio is given up at once.
"""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from celery.exceptions import Retry
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.models import Escalation, Recording, Turn, VoiceJob
from contactpro.nlu.cascade import get_cascade
from tasks.voice import MAX_TRANSCRIPTION_RETRIES, run_voice_job, transcribe_recording
from tests.conftest import TwilioClient
from tests.contactpro.nlu import conftest as nlu
from tests.contactpro.voice.conftest import VoiceCall, closed_now, is_hold
from tests.webhooks.test_sms import replies, sms_params
from tests.webhooks.test_voice import spoken

# The local Messages API server of the understanding tests (slow, 429 and 500 modes).
messages_server = nlu.messages_server

CUSTOMER = "+573001112233"
STRANGER = "+573007778899"
UNSURE = "bueno pues mire lo que pasa es que la otra vez"  # no rule, the model is unsure
UNSURE_AGAIN = "pues nada que le cuento que eso quedo asi"
STALL_SECONDS = 6.0  # the Messages API answers long after every budget below
SMS_BUDGET = 1.2
VOICE_BUDGET = 0.8
MARGIN = 0.6  # the rest of a turn: rules, the model, the dialog, the database
CLARIFY = "no entendí"
TECHNICAL = "problema técnico"


@pytest.fixture
def llm(app_config: dict[str, Any], messages_server: nlu.MessagesServer) -> nlu.MessagesServer:
    """A Claude tier whose Messages API stalls past every budget; the breaker opens after two."""
    messages_server.default = nlu.Reply(
        body=nlu.tool_answer("billing_inquiry", 0.95), delay=STALL_SECONDS
    )
    app_config.update(
        anthropic_api_key="sk-test",
        llm_base_url=messages_server.url,
        llm_sms_budget_ms=int(SMS_BUDGET * 1000),
        llm_voice_budget_ms=int(VOICE_BUDGET * 1000),
        llm_breaker_failures=2,
        intent_threshold=0.9,  # the model is unsure of UNSURE: the LLM tier is asked
    )
    return messages_server


@pytest.fixture
def warm(app: Flask) -> None:
    """Load the intent model before anything is timed (it loads once per process)."""
    get_cascade(app.extensions["contactpro"].settings)


class _Stall(BaseHTTPRequestHandler):
    """Read the request, then answer nothing until the server is stopped."""

    hits: list[str]
    stop: threading.Event

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.hits.append(self.path)
        self.stop.wait(30)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def stall_host() -> Iterator[tuple[str, list[str]]]:
    """A local recording server that accepts every download and never sends a byte back."""
    hits: list[str] = []
    stop = threading.Event()
    handler = type("Stall", (_Stall,), {"hits": hits, "stop": stop})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def in_process(monkeypatch: pytest.MonkeyPatch, task: Any) -> None:
    """Run ``task`` in this process when it is sent, each retry at once, as a worker would.

    The PostgreSQL backend's worker process does not have this test's settings (the local
    servers, the LLM tier), so the task runs here with them, on the same database.
    """

    def run(args: list[Any]) -> object:
        retries = 0
        while True:
            try:
                return task.apply(args=args, retries=retries, throw=True).get()
            except Retry:
                retries += 1

    monkeypatch.setattr(task, "apply_async", run)


class Worker:
    """A worker thread per sent job, so the caller's polls run while the job still works."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []
        self.results: list[object] = []

    def __call__(self, args: list[Any]) -> None:
        def run() -> None:
            try:
                self.results.append(run_voice_job.apply(args=args).get())
            except Exception as exc:  # noqa: BLE001 - the assertion reports it
                self.results.append(exc)

        thread = threading.Thread(target=run, name="held-job")
        thread.start()
        self.threads.append(thread)

    def join(self) -> list[object]:
        for thread in self.threads:
            thread.join(timeout=30)
        return self.results


def caller_turn(session: Session, text: str) -> Turn:
    session.expire_all()
    return session.scalars(select(Turn).where(Turn.text == text, Turn.speaker == "caller")).one()


def timed(action: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


# --- 1. The LLM tier times out --------------------------------------------------------------------


def test_sms_turns_answer_within_the_budget_when_the_llm_stalls(
    llm, warm, twilio: TwilioClient, session, customer_factory
):
    customer_factory()
    [first], elapsed = timed(
        lambda: replies(twilio.post("/twilio/sms", sms_params(CUSTOMER, UNSURE)))
    )
    assert CLARIFY in first.lower()
    assert SMS_BUDGET - 0.1 < elapsed < SMS_BUDGET + MARGIN  # waited for Claude, then no longer
    turn = caller_turn(session, UNSURE)
    assert (turn.intent, turn.tier, turn.entities["llm_fallback"]) == (
        "out_of_scope",
        "none",
        "timeout",
    )
    [second], elapsed = timed(
        lambda: replies(twilio.post("/twilio/sms", sms_params(CUSTOMER, UNSURE_AGAIN)))
    )
    assert "asesor" in second and elapsed < SMS_BUDGET + MARGIN
    assert session.scalars(select(Escalation)).one().reason == "not_understood"
    assert len(llm.requests) == 2  # one request a turn: a time-out is not retried past the budget
    # Two time-outs opened the breaker: the next turn does not wait for Claude at all.
    [third], elapsed = timed(
        lambda: replies(twilio.post("/twilio/sms", sms_params(STRANGER, UNSURE)))
    )
    assert third and elapsed < SMS_BUDGET / 3
    assert len(llm.requests) == 2
    session.expire_all()
    stranger = session.scalars(
        select(Turn).where(Turn.text == UNSURE, Turn.twilio_key != turn.twilio_key)
    ).one()
    assert (stranger.tier, stranger.entities["llm_fallback"]) == ("none", "breaker_open")


@pytest.fixture
def inline_voice(app_config: dict[str, Any]) -> None:
    """Spoken turns answered in the webhook itself: the caller waits for the cascade."""
    app_config["voice_hold"] = "never"


def test_spoken_turns_answer_within_the_budget_when_the_llm_stalls(
    llm, inline_voice, warm, twilio: TwilioClient, session, customer_factory
):
    customer_factory()
    call = VoiceCall(twilio, CUSTOMER)
    call.start()
    root, elapsed = timed(lambda: call.say(UNSURE))
    assert root.find("Gather") is not None and CLARIFY in spoken(root).lower()
    assert VOICE_BUDGET - 0.1 < elapsed < VOICE_BUDGET + MARGIN
    turn = caller_turn(session, UNSURE)
    assert (turn.source, turn.tier, turn.entities["llm_fallback"]) == ("speech", "none", "timeout")
    root, elapsed = timed(lambda: call.say(UNSURE_AGAIN))
    assert root.find("Enqueue") is not None and elapsed < VOICE_BUDGET + MARGIN
    assert session.scalars(select(Escalation)).one().reason == "not_understood"
    # The breaker is open: another caller's turn is answered without waiting for Claude.
    other = VoiceCall(twilio, STRANGER)
    other.start()
    other.press("1")  # Spanish, at the language menu
    root, elapsed = timed(lambda: other.say(UNSURE))
    assert CLARIFY in spoken(root).lower() and elapsed < VOICE_BUDGET / 3
    assert len(llm.requests) == 2
    session.expire_all()
    late = session.scalars(
        select(Turn).where(Turn.text == UNSURE, Turn.twilio_key.like(f"{other.sid}%"))
    ).one()
    assert late.entities["llm_fallback"] == "breaker_open"


# --- 2. Held work runs past the hold deadline -----------------------------------------------------


@pytest.fixture
def slow_hold(app_config: dict[str, Any]) -> None:
    """Every spoken turn is held for one second; its LLM call takes two before it gives up."""
    app_config.update(voice_hold="always", voice_hold_seconds=1, llm_voice_budget_ms=2000)


def test_late_held_turn_never_overwrites_the_hand_over(
    llm, slow_hold, warm, twilio: TwilioClient, session, customer_factory, monkeypatch
):
    worker = Worker()
    monkeypatch.setattr(run_voice_job, "apply_async", worker)
    customer_factory()
    call = VoiceCall(twilio, CUSTOMER)
    call.start()
    key = f"{call.sid}:gather:1"
    held = call.say(UNSURE)
    assert is_hold(held)
    wait = call.follow(held)
    assert is_hold(wait)  # the job is still waiting for Claude
    time.sleep(1.1)
    answer = call.follow(held)
    assert answer.find("Enqueue") is not None and TECHNICAL in spoken(answer)
    assert worker.join() == ["expired"]  # the job finished late, and knew it
    assert len(llm.requests) == 1
    session.expire_all()
    job = session.scalars(select(VoiceJob)).one()
    assert (job.status, job.failure_reason, job.result) == ("expired", "deadline", None)
    escalation = session.scalars(select(Escalation)).one()
    assert escalation.reason == "technical_error"
    assert session.scalars(select(Turn).where(Turn.twilio_key == key)).first() is None
    assert ET.tostring(call.follow(held)) == ET.tostring(answer)


# --- 3. A recording download stalls -------------------------------------------------------------


@pytest.fixture
def stalled_voicemail(app_config: dict[str, Any], stall_host: tuple[str, list[str]]) -> None:
    """After hours (voicemail), recordings from the stalling host, a one-second read time-out."""
    app_config.update(
        voice_business_hours=closed_now(),
        voice_recording_hosts=stall_host[0],
        recording_timeout_seconds=1,
        recording_fetch_attempts=1,
    )


def test_stalled_voicemail_download_is_retried_then_called_back(
    stalled_voicemail, twilio: TwilioClient, session, customer_factory, stall_host, monkeypatch
):
    in_process(monkeypatch, transcribe_recording)
    host, hits = stall_host
    customer_factory()
    call = VoiceCall(twilio, CUSTOMER)
    call.start()
    assert call.say("quiero hablar con un asesor").find("Record") is not None
    sid = "RE" + "e" * 32
    url = f"http://{host}/Recordings/{sid}"
    call.post(
        "/twilio/voice/voicemail",
        RecordingUrl=url,
        RecordingSid=sid,
        RecordingDuration="6",
        Digits="#",
    )
    response = twilio.post(
        "/twilio/voice/recording?kind=voicemail",
        call.params(
            RecordingSid=sid,
            RecordingUrl=url,
            RecordingStatus="completed",
            RecordingDuration="6",
            RecordingChannels="1",
            RecordingSource="RecordVerb",
        ),
    )
    assert response.status_code == 204
    assert len(hits) == 1 + MAX_TRANSCRIPTION_RETRIES  # the task retried every time-out
    session.expire_all()
    recording = session.scalars(select(Recording)).one()
    assert (recording.transcription_status, recording.failure_reason) == (
        "failed",
        "recording_timeout",
    )
    escalation = session.scalars(select(Escalation)).one()
    voicemail = escalation.context["voicemail"]
    assert (voicemail["outcome"], voicemail["callback"], voicemail["failure_reason"]) == (
        "callback",
        True,
        "recording_timeout",
    )
    assert escalation.status == "open"


@pytest.fixture
def stalled_record_mode(app_config: dict[str, Any], stall_host: tuple[str, list[str]]) -> None:
    """Record mode in Spanish, two seconds of hold, the default 30-second read time-out."""
    app_config.update(
        voice_record_languages="es",
        voice_recording_hosts=stall_host[0],
        voice_hold_seconds=2,
    )


def test_record_mode_turn_whose_download_stalls_hands_over(
    stalled_record_mode, twilio: TwilioClient, session, customer_factory, stall_host, monkeypatch
):
    in_process(monkeypatch, run_voice_job)
    host, hits = stall_host
    customer_factory()
    call = VoiceCall(twilio, CUSTOMER)
    assert call.start().find("Record") is not None
    held, elapsed = timed(lambda: call.record(f"http://{host}/Recordings/RE1", "RE" + "f" * 32))
    assert elapsed < 2 + MARGIN + 0.5  # the download gave up at the hold deadline, not after 30 s
    answer = call.wait_out_hold(held)
    assert answer.find("Enqueue") is not None and TECHNICAL in spoken(answer)
    assert hits
    session.expire_all()
    job = session.scalars(select(VoiceJob)).one()
    assert (job.kind, job.status, job.failure_reason) == (
        "transcribe",
        "failed",
        "recording_timeout",
    )
    recording = session.scalars(select(Recording)).one()
    assert (recording.transcription_status, recording.failure_reason) == (
        "failed",
        "recording_timeout",
    )
    assert session.scalars(select(Escalation)).one().reason == "technical_error"

"""Twilio's callbacks while the database is down: answered, journaled, replayed once, in order.

Queue and dial results, voicemails, recording status callbacks, SMS delivery statuses and the
hold loop's poll: each is answered as the caller needs, kept in the journal with the query
arguments its route reads, and written by the replay through the webhooks' own functions; a
second replay or Twilio's retry writes nothing more and queues no second transcription.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpro.conversations.turn_service import technical_fallback
from contactpro.models import Escalation, Interaction, Recording, Turn
from contactpro.resilience import journal
from contactpro.resilience.journal import Entry, Journal
from contactpro.voice import prompts
from devtools.simulator import new_sid
from tasks.outbox import replay_journal
from tasks.voice import transcribe_recording
from tests.conftest import PUBLIC_URL, TwilioClient
from tests.contactpro.resilience.conftest import DEAD_POSTGRES, migrated, sqlite_config
from webhooks import create_app
from webhooks.journal import replay_now

BUSINESS = "+15550001000"
CALLER = "+573001112233"
RECORDING_URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/"


class Outage:
    """An app whose PostgreSQL is gone and one on SQLite, sharing one journal folder."""

    def __init__(self, tmp_path: Path, **down_config: Any) -> None:
        var = str(tmp_path / "var")
        self.journal = Journal(tmp_path / "var" / "journal")
        down = create_app(
            sqlite_config(tmp_path, database_url=DEAD_POSTGRES, var_dir=var, **down_config)
        )
        self.down = TwilioClient(down.test_client())
        self.app = migrated(create_app(sqlite_config(tmp_path, var_dir=var)))
        self.up = TwilioClient(self.app.test_client())
        self.session: Session = self.app.extensions["contactpro"].db.sessionmaker()

    def pending(self) -> list[Entry]:
        """Return the journaled entries, oldest first (without claiming them)."""
        return self.journal.read(self.journal.pending)

    def replay(self) -> journal.ReplayResult:
        result = replay_now(self.app)
        self.session.expire_all()
        return result

    def replay_by_beat(self) -> int:
        """Replay as the periodic task does on a worker; return how many entries remain."""
        with self.app.app_context():
            remaining = replay_journal.run()
        self.session.expire_all()
        return remaining

    def escalation(self, call_sid: str) -> Escalation:
        self.session.expire_all()
        return self.session.scalars(
            select(Escalation).join(Interaction).where(Interaction.twilio_sid == call_sid)
        ).one()

    def snapshot(self) -> tuple[Any, ...]:
        """Every row the callbacks write, to compare before and after a retry."""
        self.session.expire_all()
        counts = tuple(
            self.session.scalar(select(func.count()).select_from(model))
            for model in (Interaction, Turn, Escalation, Recording)
        )
        escalations = self.session.execute(
            select(
                Escalation.status,
                Escalation.queue_result,
                Escalation.queue_seconds,
                Escalation.context,
            ).order_by(Escalation.id)
        ).all()
        recordings = self.session.execute(
            select(
                Recording.status, Recording.transcription_status, Recording.duration_seconds
            ).order_by(Recording.id)
        ).all()
        turns = self.session.execute(
            select(Turn.delivery_status, Turn.entities).order_by(Turn.id)
        ).all()
        return counts, escalations, recordings, turns

    def close(self) -> None:
        self.session.close()


@pytest.fixture(autouse=True)
def _replay_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """No background replay: an answer from the dead app would start one, which (failing)
    moves the entries from pending.jsonl to a retry file while the test reads them."""
    monkeypatch.setattr("webhooks.journal.replay_soon", lambda app: None)


@pytest.fixture
def outage(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Outage]:
    """The two apps; parametrize indirectly with settings for the dead one."""
    box = Outage(tmp_path, **getattr(request, "param", {}))
    yield box
    box.close()


@pytest.fixture
def transcriptions(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """The transcription tasks sent (none runs)."""
    queued: list[tuple[int, ...]] = []
    monkeypatch.setattr(
        transcribe_recording, "apply_async", lambda args: queued.append(tuple(args))
    )
    return queued


def call(sid: str, **extra: str) -> dict[str, str]:
    return {"CallSid": sid, "From": CALLER, "To": BUSINESS, **extra}


def twiml_root(response: Any) -> ET.Element:
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    return root


def said(root: ET.Element) -> list[str]:
    return [say.text or "" for say in root.iter("Say")]


def verbs(root: ET.Element) -> list[str]:
    return [child.tag for child in root]


def start_call(twilio: TwilioClient, sid: str) -> None:
    """A call that reaches us: the journal's apology and the agent queue, or a live greeting."""
    assert said(twiml_root(twilio.post("/twilio/voice", call(sid, CallStatus="ringing"))))


def assert_no_content(response: Any) -> None:
    assert (response.status_code, response.data) == (204, b"")


def test_queue_results_are_journaled_and_replayed_once(outage: Outage) -> None:
    hung_up, queue_full = new_sid("CA"), new_sid("CA")
    for sid in (hung_up, queue_full):
        start_call(outage.down, sid)
    left = outage.down.post(
        "/twilio/voice/queue-result", call(hung_up, QueueResult="hangup", QueueTime="42")
    )
    assert verbs(twiml_root(left)) == []  # the caller is gone: nothing to say
    failed = twiml_root(
        outage.down.post(
            "/twilio/voice/queue-result", call(queue_full, QueueResult="queue-full", QueueTime="3")
        )
    )
    assert said(failed) == [prompts.say("voicemail_busy", "es")]
    assert failed.find("Record").get("action") == "/twilio/voice/voicemail?lang=es"
    assert failed.find("Enqueue") is None
    ended = call(hung_up, CallStatus="completed", CallDuration="60")
    assert_no_content(outage.down.post("/twilio/voice/status", ended))
    kinds = [entry.kind for entry in outage.pending()]
    assert kinds == [journal.VOICE_START] * 2 + [journal.QUEUE_RESULT] * 2 + [journal.VOICE_STATUS]

    result = outage.replay()
    assert (result.replayed, result.remaining, result.rejected) == (5, 0, 0)
    abandoned = outage.escalation(hung_up)
    assert (abandoned.queue_result, abandoned.queue_seconds) == ("hangup", 42)
    assert abandoned.status == "abandoned"
    assert abandoned.reason == journal.ESCALATION_REASON
    # The status came after the queue result: the call closes with what happened in the queue.
    assert abandoned.interaction.status == "closed"
    assert abandoned.interaction.close_reason == "abandoned_in_queue"
    unanswered = outage.escalation(queue_full)
    assert (unanswered.queue_result, unanswered.queue_seconds) == ("queue-full", 3)
    assert unanswered.status == "open"
    rows = outage.snapshot()
    assert rows[0] == (2, 3, 2, 0)  # and the voicemail invitation the queue-full caller heard

    assert outage.replay().replayed == 0
    retry = outage.up.post(
        "/twilio/voice/queue-result", call(hung_up, QueueResult="hangup", QueueTime="42")
    )
    assert verbs(twiml_root(retry)) == []
    assert outage.snapshot() == rows


@pytest.mark.parametrize("outage", [{"default_language": "en"}], indirect=True)
def test_dial_results_answer_in_the_default_language_and_replay_once(outage: Outage) -> None:
    answered, unanswered = new_sid("CA"), new_sid("CA")
    for sid in (answered, unanswered):
        start_call(outage.down, sid)
    done = twiml_root(
        outage.down.post(
            "/twilio/voice/dial-result",
            call(answered, DialCallStatus="completed", DialCallDuration="95"),
        )
    )
    assert said(done) == [prompts.say("agent_finished", "en")]
    assert verbs(done) == ["Say", "Hangup"]
    nobody = twiml_root(
        outage.down.post(
            "/twilio/voice/dial-result",
            call(unanswered, DialCallStatus="no-answer", DialCallDuration="0"),
        )
    )
    assert said(nobody) == [prompts.say("voicemail_busy", "en")]
    assert nobody.find("Record") is not None and nobody.find("Dial") is None
    assert_no_content(
        outage.down.post("/twilio/voice/status", call(answered, CallStatus="completed"))
    )
    assert [e.kind for e in outage.pending()].count(journal.DIAL_RESULT) == 2

    result = outage.replay()
    assert (result.replayed, result.remaining, result.rejected) == (5, 0, 0)
    talked = outage.escalation(answered)
    assert talked.queue_result == "dial-completed"
    assert talked.context["dial"] == {"status": "completed", "seconds": 95}
    assert talked.interaction.close_reason == "escalated_answered"
    missed = outage.escalation(unanswered)
    assert missed.queue_result == "dial-no-answer"
    assert missed.context["dial"] == {"status": "no-answer", "seconds": 0}
    rows = outage.snapshot()
    assert rows[0] == (2, 4, 2, 0)  # and the goodbye and voicemail invitation they heard

    assert outage.replay().replayed == 0
    outage.up.post(
        "/twilio/voice/dial-result",
        call(unanswered, DialCallStatus="no-answer", DialCallDuration="0"),
    )
    assert outage.snapshot() == rows


def test_voicemails_are_journaled_and_transcribed_once(
    outage: Outage, transcriptions: list[tuple[int, ...]]
) -> None:
    left, empty = new_sid("CA"), new_sid("CA")
    recording_sid = new_sid("RE")
    for sid in (left, empty):
        start_call(outage.down, sid)
    recorded = call(
        left,
        RecordingUrl=RECORDING_URL + recording_sid,
        RecordingSid=recording_sid,
        RecordingDuration="6",
    )
    message = {**recorded, "Digits": "#"}  # the <Record> action
    thanks = twiml_root(outage.down.post("/twilio/voice/voicemail", message))
    assert said(thanks) == [prompts.say("voicemail_thanks", "es")]
    assert verbs(thanks) == ["Say", "Hangup"]
    completed = {**recorded, "RecordingStatus": "completed", "RecordingChannels": "1"}
    callback = "/twilio/voice/recording?kind=voicemail"
    assert_no_content(outage.down.post(callback, completed))
    nothing = twiml_root(outage.down.post("/twilio/voice/voicemail?empty=1", call(empty)))
    assert said(nothing) == [prompts.say("voicemail_empty", "es")]
    assert verbs(nothing) == ["Say", "Hangup"]
    entries = outage.pending()
    kinds = [journal.VOICEMAIL, journal.RECORDING, journal.VOICEMAIL]
    assert [e.kind for e in entries[2:]] == kinds
    assert "empty" not in entries[2].params and entries[4].params["empty"] == "1"
    assert entries[3].params["kind"] == "voicemail"
    assert transcriptions == []

    result = outage.replay()
    assert (result.replayed, result.remaining, result.rejected) == (5, 0, 0)
    recording = outage.session.scalars(select(Recording)).one()
    assert (recording.kind, recording.recording_sid) == ("voicemail", recording_sid)
    assert (recording.status, recording.duration_seconds, recording.channels) == ("completed", 6, 1)
    assert recording.url == RECORDING_URL + recording_sid
    assert recording.transcription_status == "queued"
    assert recording.interaction.twilio_sid == left
    assert result.transcriptions == [recording.id]
    assert transcriptions == [(recording.id,)]
    callback_please = outage.escalation(empty)
    voicemail = {"empty": True, "outcome": "callback", "callback": True}
    assert callback_please.context["voicemail"] == voicemail
    assert callback_please.status == "open"
    rows = outage.snapshot()
    assert rows[0] == (2, 4, 2, 1)  # and the two goodbyes they heard

    assert outage.replay().replayed == 0
    again = twiml_root(outage.up.post("/twilio/voice/voicemail", message))
    assert said(again) == said(thanks)
    assert_no_content(outage.up.post(callback, completed))
    outage.up.post("/twilio/voice/voicemail?empty=1", call(empty))
    assert outage.snapshot() == rows
    assert len(transcriptions) == 1


@pytest.mark.parametrize("by_beat", [False, True], ids=["web", "beat"])
def test_call_recordings_are_journaled_and_transcribed_once(
    outage: Outage, transcriptions: list[tuple[int, ...]], by_beat: bool
) -> None:
    sid, recording_sid = new_sid("CA"), new_sid("RE")
    start_call(outage.down, sid)
    callback = "/twilio/voice/recording?kind=call"
    reports = [
        call(
            sid,
            RecordingSid=recording_sid,
            RecordingUrl=RECORDING_URL + recording_sid,
            RecordingStatus=status,
            RecordingDuration="33",
            RecordingChannels="2",
            RecordingSource="StartCallRecordingTwiML",
        )
        for status in ("in-progress", "completed")
    ]
    for report in reports:
        assert_no_content(outage.down.post(callback, report))
    entries = outage.pending()
    assert [e.kind for e in entries] == [journal.VOICE_START] + [journal.RECORDING] * 2
    assert {e.params["kind"] for e in entries[1:]} == {"call"}

    if by_beat:
        assert outage.replay_by_beat() == 0
    else:
        result = outage.replay()
        assert (result.replayed, result.remaining, result.rejected) == (3, 0, 0)
    recording = outage.session.scalars(select(Recording)).one()
    assert (recording.kind, recording.status) == ("call", "completed")
    assert recording.transcription_status == "queued"
    assert (recording.duration_seconds, recording.channels) == (33, 2)
    assert recording.source == "StartCallRecordingTwiML"
    assert recording.interaction.twilio_sid == sid
    assert transcriptions == [(recording.id,)]
    rows = outage.snapshot()
    assert rows[0] == (1, 1, 1, 1)

    assert outage.replay().replayed == 0
    for report in reports:  # Twilio may send a callback again
        assert_no_content(outage.up.post(callback, report))
    assert outage.snapshot() == rows
    assert len(transcriptions) == 1


def test_sms_delivery_statuses_are_journaled_and_replayed_once(outage: Outage) -> None:
    inbound = {"MessageSid": new_sid("SM"), "From": CALLER, "To": BUSINESS, "Body": "hola"}
    reply = twiml_root(outage.up.post("/twilio/sms", inbound)).find("Message")
    action = reply.get("action")
    assert action.startswith("/twilio/sms/status?turn=")
    turn_id = int(action.rsplit("=", 1)[1])
    reply_sid = new_sid("SM")
    sent = {"MessageSid": reply_sid, "MessageStatus": "sent"}
    failed = {"MessageSid": reply_sid, "MessageStatus": "undelivered", "ErrorCode": "30005"}
    for status in (sent, failed):
        assert_no_content(outage.down.post(action, status))
    entries = outage.pending()
    assert [e.kind for e in entries] == [journal.SMS_STATUS] * 2
    assert {e.params["turn"] for e in entries} == {str(turn_id)}

    result = outage.replay()
    assert (result.replayed, result.remaining, result.rejected) == (2, 0, 0)
    turn = outage.session.get(Turn, turn_id)
    assert turn.twilio_key == inbound["MessageSid"]
    assert turn.delivery_status == "undelivered"
    assert turn.entities["delivery_error"] == "30005"
    rows = outage.snapshot()
    assert rows[0] == (1, 1, 0, 0)

    assert outage.replay().replayed == 0
    # Twilio's late "sent" (a retry, or callbacks out of order) does not undo "undelivered".
    assert_no_content(outage.up.post(action, sent))
    assert outage.snapshot() == rows


def test_hold_poll_while_down_hands_the_caller_over_and_records_it(outage: Outage) -> None:
    sid = new_sid("CA")
    start_call(outage.up, sid)  # greeted while the database was up
    before = outage.snapshot()
    poll = twiml_root(outage.down.post("/twilio/voice/hold?job=7", call(sid)))
    assert said(poll) == [technical_fallback("es")]
    assert verbs(poll) == ["Say", "Enqueue"]
    assert poll.find("Enqueue").get("action") == "/twilio/voice/queue-result?lang=es"
    outage.down.post("/twilio/voice/queue-result", call(sid, QueueResult="hangup", QueueTime="9"))
    assert [e.kind for e in outage.pending()] == [journal.VOICE_START, journal.QUEUE_RESULT]

    result = outage.replay()
    assert (result.replayed, result.remaining, result.rejected) == (2, 0, 0)
    handed_over = outage.escalation(sid)
    assert handed_over.reason == journal.ESCALATION_REASON
    assert (handed_over.queue_result, handed_over.queue_seconds) == ("hangup", 9)
    assert handed_over.status == "abandoned"
    rows = outage.snapshot()
    assert rows[0] == (before[0][0], before[0][1], 1, 0)  # no turn added to the greeted call
    assert outage.replay().replayed == 0
    assert outage.snapshot() == rows


def test_callbacks_speak_the_language_their_url_carries(outage: Outage) -> None:
    sid = new_sid("CA")
    start_call(outage.up, sid)
    poll = twiml_root(outage.down.post("/twilio/voice/hold?job=7&lang=en", call(sid)))
    assert said(poll) == [technical_fallback("en")]
    assert poll.find("Enqueue").get("action") == "/twilio/voice/queue-result?lang=en"
    full = call(sid, QueueResult="queue-full", QueueTime="3")
    failed = twiml_root(outage.down.post("/twilio/voice/queue-result?lang=en", full))
    assert said(failed) == [prompts.say("voicemail_busy", "en")]
    assert failed.find("Record").get("action") == "/twilio/voice/voicemail?lang=en"
    nothing = twiml_root(outage.down.post("/twilio/voice/voicemail?empty=1&lang=en", call(sid)))
    assert said(nothing) == [prompts.say("voicemail_empty", "en")]
    spoken_turn = call(sid, SpeechResult="what is my balance")
    turn = twiml_root(outage.down.post("/twilio/voice/gather?step=2&lang=en", spoken_turn))
    assert said(turn) == [technical_fallback("en")]
    unknown = twiml_root(outage.down.post("/twilio/voice/queue-result?lang=xx", full))
    assert said(unknown) == [prompts.say("voicemail_busy", "es")]  # the default
    # With the database up, the URL's language is used without looking the call up.
    waiting = twiml_root(
        outage.up.post("/twilio/voice/queue-wait?lang=en", call(sid, QueuePosition="2"))
    )
    assert said(waiting) == [prompts.say("queue_position", "en", position=2)]


def fallback_of(failed_path: str, **params: str) -> dict[str, str]:
    """What Twilio posts to a fallback URL after ``failed_path`` failed."""
    return {**params, "ErrorCode": "11200", "ErrorUrl": PUBLIC_URL + failed_path}


def test_sms_fallback_acknowledges_and_the_replay_answers_once(outage: Outage) -> None:
    lost = {"MessageSid": new_sid("SM"), "From": CALLER, "To": BUSINESS, "Body": "cuánto debo"}
    ack = twiml_root(outage.up.post("/twilio/sms/fallback", fallback_of("/twilio/sms", **lost)))
    assert [m.text for m in ack.iter("Message")] == [journal.SMS_ACKNOWLEDGEMENT["es"]]
    # The primary had stored this one after all (it answered after Twilio gave up).
    late = {"MessageSid": new_sid("SM"), "From": CALLER, "To": BUSINESS, "Body": "hola"}
    twiml_root(outage.up.post("/twilio/sms", late))
    twiml_root(outage.up.post("/twilio/sms/fallback", fallback_of("/twilio/sms", **late)))
    assert [e.kind for e in outage.pending()] == [journal.SMS, journal.SMS]
    sent = outage.app.extensions["telephony"].sent
    assert sent == []

    result = outage.replay()
    assert (result.replayed, result.remaining, result.rejected) == (2, 0, 0)
    keys = set(outage.session.scalars(select(Turn.twilio_key)))
    assert {lost["MessageSid"], late["MessageSid"]} <= keys
    stored = outage.session.scalars(select(Turn).where(Turn.twilio_key == lost["MessageSid"])).one()
    assert stored.text == lost["Body"]
    assert [m["body"] for m in sent] == [stored.reply], "only the unanswered one gets an SMS"
    rows = outage.snapshot()
    assert outage.replay().replayed == 0 and outage.snapshot() == rows and len(sent) == 1


def test_voice_fallback_hands_over_and_keeps_what_the_caller_said(outage: Outage) -> None:
    sid = new_sid("CA")
    start_call(outage.up, sid)
    said_then = call(sid, SpeechResult="my internet is down", Confidence="0.9")
    path = "/twilio/voice/gather?step=2&lang=en"
    answer = twiml_root(outage.up.post("/twilio/voice/fallback", fallback_of(path, **said_then)))
    assert said(answer) == [technical_fallback("en")]
    assert answer.find("Enqueue").get("action") == "/twilio/voice/queue-result?lang=en"
    # A queue callback that failed has nothing of the caller's: answered, not journaled.
    left = fallback_of("/twilio/voice/queue-result?lang=en", **call(sid, QueueResult="hangup"))
    assert said(twiml_root(outage.up.post("/twilio/voice/fallback", left)))
    # Without a CallSid the caller still hears the apology; nothing to keep.
    nameless = twiml_root(outage.up.post("/twilio/voice/fallback", {"From": CALLER}))
    assert nameless.find("Enqueue") is not None or nameless.find("Say") is not None
    (entry,) = outage.pending()
    assert (entry.kind, entry.params["key"]) == (journal.VOICE_TURN, f"{sid}:gather:2")

    result = outage.replay()
    assert (result.replayed, result.rejected) == (1, 0)
    turn = outage.session.scalars(select(Turn).where(Turn.twilio_key == f"{sid}:gather:2")).one()
    assert (turn.text, turn.source) == ("my internet is down", "speech")
    assert outage.escalation(sid).reason == journal.ESCALATION_REASON
    rows = outage.snapshot()
    assert outage.replay().replayed == 0 and outage.snapshot() == rows

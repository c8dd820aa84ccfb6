"""The journal: with the database down callers still get answers and nothing is lost."""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from contactpro import migrate
from contactpro.models import Escalation, Interaction, Turn
from contactpro.resilience import journal
from contactpro.resilience.journal import Journal
from devtools.simulator import new_sid
from tests.conftest import POSTGRES_SERVER, TwilioClient, wait_for
from tests.contactpro.resilience.conftest import (
    DEAD_POSTGRES,
    migrated,
    postgres_stopped,
    sqlite_config,
)
from webhooks import create_app, warm_up
from webhooks.journal import replay_now

BUSINESS = "+15550001000"


def sms(from_number: str, body: str, sid: str | None = None) -> dict[str, str]:
    return {"MessageSid": sid or new_sid("SM"), "From": from_number, "To": BUSINESS, "Body": body}


def call(sid: str, **extra: str) -> dict[str, str]:
    return {"CallSid": sid, "From": "+573001112233", "To": BUSINESS, **extra}


def twiml_root(response) -> ET.Element:
    assert response.status_code == 200, response.data
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    return root


def count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_entries_keep_their_order_across_a_failed_replay(tmp_path: Path) -> None:
    box = Journal(tmp_path / "journal")
    for n in range(3):
        box.append(journal.SMS, sms("+573000000000", f"m{n}", sid=f"SM{n:032d}"))
    (claimed,) = box.claim()
    entries = box.read(claimed)
    box.release(claimed, entries[1:], [])  # the first one replayed, then the database left
    box.append(journal.SMS, sms("+573000000000", "later", sid="SM" + "9" * 32))
    with claimed.parent.joinpath("pending.jsonl").open("a") as handle:
        handle.write('{"kind": "sms", "params": {"Body": "torn')  # a write cut by a crash
    assert box.pending_count() == 4
    claimed = box.claim()
    bodies = [e.params["Body"] for path in claimed for e in box.read(path)]
    assert bodies == ["m1", "m2", "later"]
    assert box.has_pending()  # claimed, not yet replayed
    for path in claimed:
        box.release(path, [], [])
    assert not box.has_pending() and box.pending_count() == 0


def test_database_down_answers_journals_and_replays_once(tmp_path: Path) -> None:
    var = tmp_path / "var"
    down = create_app(sqlite_config(tmp_path, database_url=DEAD_POSTGRES, var_dir=str(var)))
    twilio = TwilioClient(down.test_client())
    message = sms("+573001112233", "cuánto debo <b>&</b>")
    call_sid = new_sid("CA")

    (ack,) = twiml_root(twilio.post("/twilio/sms", message)).findall("Message")
    assert ack.text == journal.SMS_ACKNOWLEDGEMENT["es"]
    for path, params in [
        ("/twilio/voice", call(call_sid, CallStatus="ringing")),
        ("/twilio/voice/gather?step=2", call(call_sid, SpeechResult="mi saldo")),
    ]:
        root = twiml_root(twilio.post(path, params))
        assert root.find("Say") is not None and root.find("Enqueue") is not None
    status = twilio.post("/twilio/voice/status", call(call_sid, CallStatus="completed"))
    assert status.status_code == 204
    assert Journal(var / "journal").pending_count() == 4

    up = migrated(create_app(sqlite_config(tmp_path, var_dir=str(var))))
    result = replay_now(up)
    assert (result.replayed, result.remaining, result.rejected) == (4, 0, 0)
    session = up.extensions["contactpro"].db.sessionmaker()
    sms_turn = session.scalars(select(Turn).where(Turn.twilio_key == message["MessageSid"])).one()
    assert sms_turn.text == message["Body"]
    voice = session.scalars(select(Interaction).where(Interaction.twilio_sid == call_sid)).one()
    keys = [t.twilio_key for t in voice.turns]
    assert keys == [f"{call_sid}:start", f"{call_sid}:gather:2"]
    assert voice.turns[1].text == "mi saldo"
    assert voice.twilio_status == "completed" and voice.status == "closed"
    assert count(session, Escalation) == 1
    sent = up.extensions["telephony"].sent
    assert [m["to"] for m in sent] == [message["From"]] and sent[0]["body"] == sms_turn.reply

    # A second replay and Twilio's own retry write nothing twice and send nothing again.
    assert replay_now(up).replayed == 0
    retry = twiml_root(TwilioClient(up.test_client()).post("/twilio/sms", message))
    assert retry.find("Message").text == sms_turn.reply
    assert count(session, Turn) == 3 and len(sent) == 1
    session.close()


def test_bad_request_is_not_journaled(tmp_path: Path) -> None:
    var = tmp_path / "var"
    down = create_app(sqlite_config(tmp_path, database_url=DEAD_POSTGRES, var_dir=str(var)))
    response = TwilioClient(down.test_client()).post("/twilio/sms", {"From": "+573001112233"})
    assert response.status_code == 400 and b"MessageSid" in response.data
    assert Journal(var / "journal").pending_count() == 0


@pytest.mark.postgres
@pytest.mark.usefixtures("services")
def test_postgres_restart_while_requests_flow_loses_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    name = f"contactpro_journal_{id(tmp_path) % 100000}"
    server = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    server.dispose()
    url = POSTGRES_SERVER.rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(url)
    app = create_app(sqlite_config(tmp_path, database_url=url, task_always_eager=False))
    warm_up(app)
    twilio = TwilioClient(app.test_client())
    sent: list[str] = []
    calls: list[str] = []
    answers: list[int] = []
    outage = threading.Event()

    def fault() -> None:
        time.sleep(0.5)
        with postgres_stopped():
            outage.set()
            time.sleep(2.0)

    thread = threading.Thread(target=fault)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        n = 0
        while (thread.is_alive() or n < 40) and time.monotonic() < deadline:
            n += 1
            language = "es" if n % 2 else "en"
            message = sms(f"+5730000{n:05d}", "hola" if language == "es" else "hello")
            root = twiml_root(twilio.post("/twilio/sms", message))
            answers.append(len(root.findall("Message")))
            sent.append(message["MessageSid"])
            if n % 5 == 0:
                call_sid = new_sid("CA")
                root = twiml_root(twilio.post("/twilio/voice", call(call_sid)))
                assert root.find("Say") is not None or root.find("Gather") is not None
                calls.append(call_sid)
    finally:
        thread.join()
    assert outage.is_set() and all(answers), "every sender got an answer"
    journaled = [r for r in caplog.records if r.getMessage().startswith("journaled request")]
    assert len(journaled) >= 5, "requests flowed during the outage"

    # A background replay may already be running (started by the first request that reached
    # the database again); replay until the journal is empty either way.
    box = Journal(tmp_path / "var" / "journal")
    wait_for(lambda: replay_now(app).remaining == 0 and not box.has_pending(), timeout=30)
    assert not box.rejected.exists()
    session = app.extensions["contactpro"].db.sessionmaker()
    stored = set(session.scalars(select(Turn.twilio_key).where(Turn.twilio_key.in_(sent))))
    assert stored == set(sent)
    voice_sids = select(Interaction.twilio_sid).where(Interaction.channel == "voice")
    voice = set(session.scalars(voice_sids))
    assert voice == set(calls)
    session.close()
    app.extensions["contactpro"].db.dispose()
    server = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    server.dispose()

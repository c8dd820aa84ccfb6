"""A worker killed mid-task: the task comes back, finishes, and acts once.

A voicemail's transcription task works in two steps: it downloads the recording, then stores the
transcript, answers the caller by SMS (Twilio's REST API) and resolves the escalation. The test
runs real worker processes on the real PostgreSQL and Redis, stalls the download, and kills:

1. the pool process only: ``task_reject_on_worker_lost`` puts the task back at once;
2. the whole worker: ``task_acks_late`` leaves it unacknowledged, and a second worker gets it
   once the visibility timeout (``CONTACTPRO_TASK_VISIBILITY_TIMEOUT``) has passed.

The last attempt finishes; every row and the SMS exist once. A further delivery of the same task
(what a task running past the visibility timeout gets) changes nothing.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpro.conversations import interactions
from contactpro.models import Escalation, Interaction, Recording, Turn
from contactpro.speech.audio import decode_audio, to_phone_wav
from contactpro.voice import recordings
from tasks import send
from tasks.voice import transcribe_recording
from tests.conftest import (
    TWILIO_ACCOUNT_SID,
    make_customer,
    wait_for,
    worker_env,
)
from tests.contactpro.resilience.conftest import Workers, broker_app
from tests.contactpro.voice.conftest import SPEECH_DATA

CALLER = "+573001112233"
BUSINESS = "+15550001000"
CALL_SID = "CA" + "c" * 32
RECORDING_SID = "RE" + "c" * 32
VISIBILITY_TIMEOUT = 2  # seconds; production waits minutes (docs/operations.md)


class StallingRecordings:
    """Serve a recording; the first ``stalls`` downloads hang until the test releases them."""

    def __init__(self, body: bytes, stalls: int) -> None:
        self.body = body
        self.stalls = stalls
        self.downloads = 0
        self.stalled: queue.Queue[float] = queue.Queue()
        self.release = threading.Event()
        self._lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with server._lock:
                    server.downloads += 1
                    stall = server.downloads <= server.stalls
                if stall:  # the worker is now mid-task; the test kills it
                    server.stalled.put(time.monotonic())
                    server.release.wait(60)
                    self.close_connection = True
                    return
                self.send_response(200)
                self.send_header("Content-Type", "audio/x-wav")
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

        return Handler


def _serve(server: ThreadingHTTPServer) -> Iterator[str]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def recording_server() -> Iterator[tuple[StallingRecordings, str]]:
    """A recording host whose first two downloads stall."""
    body = to_phone_wav(decode_audio((SPEECH_DATA / "es_cheetah_numero.wav").read_bytes()))
    recordings_ = StallingRecordings(body, stalls=2)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), recordings_.handler())
    for host in _serve(httpd):
        yield recordings_, host
    recordings_.release.set()


def pool_processes(worker: subprocess.Popen[bytes]) -> list[int]:
    """Return the pids of a prefork worker's pool processes."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def count(session: Session, model: type, *where: object) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.usefixtures("services")
def test_killed_worker_task_is_redelivered_and_acts_once(
    tmp_path: Path, database: str, task_queue: str, recording_server, twilio_api
) -> None:
    recordings_server, recording_host = recording_server
    api, api_url = twilio_api
    workers = Workers(
        worker_env(
            database,
            tmp_path / "worker-var",
            task_queue,
            CONTACTPRO_TASK_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
            CONTACTPRO_TRANSCRIBER="fake",
            CONTACTPRO_VOICE_RECORDING_HOSTS=recording_host,
            CONTACTPRO_TELEPHONY="twilio",
            TWILIO_ACCOUNT_SID=TWILIO_ACCOUNT_SID,
            TWILIO_PHONE_NUMBER=BUSINESS,
            CONTACTPRO_TWILIO_API_URL=api_url,
        ),
        tmp_path,
    )
    app = broker_app(tmp_path, database, task_queue)
    session = app.extensions["contactpro"].db.sessionmaker()
    try:
        # A voicemail Twilio reports completed, queued after its transaction commits.
        make_customer(session, phone=CALLER)
        settings = app.extensions["contactpro"].settings
        interactions.open_interaction(
            session,
            settings,
            channel="voice",
            sid=CALL_SID,
            from_number=CALLER,
            to_number=BUSINESS,
        )
        report = recordings.RecordingReport(
            call_sid=CALL_SID,
            recording_sid=RECORDING_SID,
            status="completed",
            url=f"http://{recording_host}/Recordings/{RECORDING_SID}",
            duration_seconds=6,
        )
        recording = recordings.record(session, report, "voicemail")
        assert recording is not None and recordings.after_report(session, settings, recording)
        recording_id = recording.id
        session.commit()
        first = workers.start()
        with app.app_context():
            assert send(transcribe_recording, recording_id)

        # 1. The pool process dies mid-download; its worker puts the task back at once.
        recordings_server.stalled.get(timeout=90)
        for pid in pool_processes(first):
            os.kill(pid, signal.SIGKILL)
        stalled_at = recordings_server.stalled.get(timeout=90)  # the task, again
        assert recordings_server.downloads == 2

        # 2. The whole worker dies mid-download: nothing acknowledged the task, so Redis hands
        # it to the next worker once the visibility timeout has passed.
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        recordings_server.release.set()
        time.sleep(max(0.0, stalled_at + VISIBILITY_TIMEOUT + 0.5 - time.monotonic()))
        second = workers.start()

        def transcribed() -> bool:
            session.expire_all()
            return session.get(Recording, recording_id).transcription_status == "done"

        wait_for(transcribed, timeout=90, interval=0.2)
        assert recordings_server.downloads == 3

        def effects() -> tuple[int, ...]:
            sms = select(Interaction.id).where(Interaction.channel == "sms")
            return (
                count(session, Recording),
                count(session, Escalation),
                count(session, Interaction, Interaction.channel == "sms"),
                count(session, Turn, Turn.twilio_key == RECORDING_SID),
                count(session, Turn, Turn.interaction_id.in_(sms)),
                len([r for r in api.requests if str(r["path"]).endswith("/Messages.json")]),
            )

        # One recording, one escalation, one SMS conversation whose one turn is the voicemail
        # and its answer, and one message through Twilio.
        assert effects() == (1, 1, 1, 1, 1, 1)
        escalation = session.scalars(select(Escalation)).one()
        assert escalation.context["voicemail"]["outcome"] == "sms"
        assert (escalation.status, escalation.resolution) == ("resolved", "solved")

        # 3. The same task delivered once more finds the work done and writes nothing.
        again = transcribe_recording.apply_async(args=(recording_id,))
        wait_for(lambda: f"[{again.id}] succeeded" in workers.log(1), timeout=60)
        assert effects() == (1, 1, 1, 1, 1, 1)
        assert recordings_server.downloads == 3
        assert second.poll() is None
    finally:
        session.close()
        app.extensions["contactpro"].db.dispose()
        workers.stop()

"""A release served before ``contactpro init-db``: nothing a caller or texter sends is lost.

On PostgreSQL a missing table or column is a ProgrammingError, not an outage: the texter was
told an agent would contact them (no escalation was written) and the message was dropped. It
now waits in the journal like an outage, the replay says to run ``init-db``, and once it has
run the messages and the call are stored and answered.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from contactpro import migrate
from contactpro.models import Interaction, Turn
from contactpro.resilience.journal import Journal
from devtools.simulator import new_sid
from tests.conftest import AUTH_TOKEN, REPO, TwilioClient
from tests.contactpro.resilience.conftest import sqlite_config
from tests.contactpro.resilience.test_journal import call, sms, twiml_root
from webhooks import create_app
from webhooks.journal import replay_now

ES = "Recibimos tu mensaje. Te responderemos en unos minutos."
EN = "We got your message. We will reply in a few minutes."


@pytest.fixture(autouse=True)
def _replay_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """No background replay while the test reads the journal."""
    monkeypatch.setattr("webhooks.journal.replay_soon", lambda app: None)


@pytest.mark.postgres
@pytest.mark.usefixtures("services")
def test_traffic_on_a_schema_behind_is_journaled_until_init_db(
    database: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    migrate.downgrade(database, "0011")  # before the WhatsApp profile columns of interactions
    app = create_app(sqlite_config(tmp_path, database_url=database))
    twilio = TwilioClient(app.test_client())
    english, spanish = sms("+12135550147", "how much do I owe"), sms("+573001112233", "cuánto debo")
    call_sid = new_sid("CA")

    for message, expected in ((english, EN), (spanish, ES)):
        answer = twiml_root(twilio.post("/twilio/sms", message))
        assert [m.text for m in answer.iter("Message")] == [expected]
        assert "asesor" not in expected and "agent" not in expected  # no escalation exists
    started = twiml_root(twilio.post("/twilio/voice", call(call_sid, CallStatus="ringing")))
    assert started.find("Say") is not None and started.find("Enqueue") is not None
    assert Journal(tmp_path / "var" / "journal").pending_count() == 3

    with caplog.at_level(logging.WARNING, logger="contactpro.resilience.journal"):
        waiting = replay_now(app)
    assert (waiting.replayed, waiting.remaining, waiting.rejected) == (0, 3, 0)
    assert "schema is behind this release: run `contactpro init-db`" in caplog.text

    migrate.upgrade(database)
    done = replay_now(app)
    assert (done.replayed, done.remaining, done.rejected) == (3, 0, 0)
    session = app.extensions["contactpro"].db.sessionmaker()
    try:
        for message, language in ((english, "en"), (spanish, "es")):
            turn = session.scalars(
                select(Turn).where(Turn.twilio_key == message["MessageSid"])
            ).one()
            assert turn.text == message["Body"] and turn.interaction.language == language
        assert session.scalars(select(Interaction).where(Interaction.twilio_sid == call_sid)).one()
        sent = app.extensions["telephony"].sent
        assert sorted(m["to"] for m in sent) == sorted([english["From"], spanish["From"]])
    finally:
        session.close()
        app.extensions["contactpro"].db.dispose()


def test_gunicorn_start_on_a_schema_behind_says_the_fix_in_one_line(tmp_path: Path) -> None:
    """The web app (``webhooks.wsgi``, what gunicorn loads) starts, and says what to run."""
    url = f"sqlite:///{tmp_path / 'behind.sqlite3'}"
    migrate.upgrade(url, "0011")
    done = subprocess.run(
        [sys.executable, "-c", "import webhooks.wsgi"],
        cwd=REPO,
        env={
            **os.environ,
            "CONTACTPRO_ENV": "production",
            "CONTACTPRO_LOG_FORMAT": "json",
            "CONTACTPRO_DATABASE_URL": url,
            "CONTACTPRO_VAR_DIR": str(tmp_path / "var"),
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    warned = [r for r in records if r["logger"] == "webhooks.health"]
    assert [r["message"] for r in warned] == [
        "database not ready (schema_outdated): run `contactpro init-db`;"
        " Twilio requests are journaled until it is"
    ], done.stderr

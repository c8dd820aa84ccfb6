"""While the database is down, a texter is acknowledged in the language of the message.

The sender's own language is in the database, out of reach: the message says it when it is
clear (Spanish or English, accents or not), else the failed URL's ``lang``, else the default.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from contactpro.models import Turn
from contactpro.resilience.journal import Journal
from devtools.simulator import new_sid
from tests.conftest import PUBLIC_URL, TwilioClient
from tests.contactpro.resilience.conftest import DEAD_POSTGRES, migrated, sqlite_config
from tests.contactpro.resilience.test_journal import sms, twiml_root
from webhooks import create_app
from webhooks.journal import replay_now

ES = "Recibimos tu mensaje. Te responderemos en unos minutos."
EN = "We got your message. We will reply in a few minutes."


@pytest.fixture(autouse=True)
def _replay_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """No background replay while the test reads the journal."""
    monkeypatch.setattr("webhooks.journal.replay_soon", lambda app: None)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("how much do I owe", EN),
        ("I want to cancel my plan", EN),
        ("my internet isnt working", EN),
        ("cuánto debo", ES),
        ("quiero cancelar mi plan", ES),
        ("no me funciona el internet", ES),
        ("ok", ES),  # says nothing: the default language
    ],
)
def test_database_down_acknowledges_in_the_message_language(
    tmp_path: Path, body: str, expected: str
) -> None:
    var = tmp_path / "var"
    down = create_app(sqlite_config(tmp_path, database_url=DEAD_POSTGRES, var_dir=str(var)))
    message = sms("+12135550147", body)
    (ack,) = twiml_root(TwilioClient(down.test_client()).post("/twilio/sms", message)).findall(
        "Message"
    )
    assert ack.text == expected
    assert (ES if expected == EN else EN) != ack.text
    assert Journal(var / "journal").pending_count() == 1

    # The real answer follows by SMS, in the same language, once the database is back.
    up = migrated(create_app(sqlite_config(tmp_path, var_dir=str(var))))
    assert replay_now(up).replayed == 1
    session = up.extensions["contactpro"].db.sessionmaker()
    turn = session.scalars(select(Turn).where(Turn.twilio_key == message["MessageSid"])).one()
    assert turn.interaction.language == ("en" if expected == EN else "es")
    sent = up.extensions["telephony"].sent
    assert [m["body"] for m in sent] == [turn.reply]
    session.close()


@pytest.mark.parametrize(
    ("body", "failed", "expected"),
    [
        ("what about my bill", "/twilio/sms", EN),
        ("ok", "/twilio/sms?lang=en", EN),
        ("vale, gracias", "/twilio/sms?lang=en", ES),
        ("ok", "/twilio/sms", ES),
    ],
)
def test_fallback_acknowledges_in_the_message_language(
    tmp_path: Path, body: str, failed: str, expected: str
) -> None:
    app = create_app(sqlite_config(tmp_path, var_dir=str(tmp_path / "var")))
    params = {
        "MessageSid": new_sid("SM"),
        "From": "+12135550147",
        "To": "+15550001000",
        "Body": body,
        "ErrorCode": "11200",
        "ErrorUrl": PUBLIC_URL + failed,
    }
    answer = TwilioClient(app.test_client()).post("/twilio/sms/fallback", params)
    assert [m.text for m in twiml_root(answer).iter("Message")] == [expected]

"""Card numbers and secrets sent over the signed webhooks are never stored, shown or queued."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from contactpro.models import Escalation, Turn
from contactpro.resilience.filelock import folder_lock
from tests.conftest import TwilioClient
from tests.webhooks.test_sms import replies, sms_params
from tests.webhooks.test_voice import Call
from webhooks import create_app

CARD = "4111 1111 1111 1111"


def _stored_text(session) -> str:
    """Everything the database holds of the conversation: turns, replies and escalations."""
    session.expire_all()
    turns = session.scalars(select(Turn)).all()
    escalations = session.scalars(select(Escalation)).all()
    parts = [t.text or "" for t in turns] + [t.reply or "" for t in turns]
    parts += [json.dumps(e.context, ensure_ascii=False) for e in escalations]
    return "\n".join(parts)


def _journal_text(folder: Path) -> str:
    """Every journal file's text, read under the journal's lock: a replay running in the
    background renames its files under the same lock."""
    with folder_lock(folder, "journal.lock"):
        return "".join(path.read_text() for path in sorted(folder.glob("*.jsonl")))


def test_card_and_cvv_by_sms_are_redacted_before_anything_is_stored(
    twilio, session, customer_factory
):
    customer_factory()
    body = f"quiero pagar con mi tarjeta {CARD} cvv 123, y quiero hablar con un asesor"
    answer = replies(twilio.post("/twilio/sms", sms_params("+573001112233", body)))
    assert answer and all(CARD not in text for text in answer)
    stored = _stored_text(session)
    assert "[tarjeta ****1111]" in stored
    assert CARD not in stored and "4111111111111111" not in stored
    assert "123" not in stored.split("[tarjeta ****1111]", 1)[1].split("\n", 1)[0]


def test_english_password_said_on_a_call_is_redacted(twilio, session, customer_factory):
    customer_factory(phone="+15551234567", language="en")
    call = Call(twilio, "+15551234567")
    call.start()
    call.say("my password is 9876 and my balance please")
    stored = _stored_text(session)
    assert re.search(r"\b9876\b", stored) is None
    assert "my password is" in stored
    identification = session.scalars(select(Turn).where(Turn.speaker == "caller")).all()
    assert identification, "the caller's turn was stored"


def test_journal_on_disk_keeps_no_card_cvv_or_pin_while_the_database_is_down(
    app_config, backend, tmp_path
):
    if backend is not None:
        pytest.skip("one database-down check is enough")
    app_config["database_url"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    twilio = TwilioClient(create_app(app_config).test_client())
    body = f"mi tarjeta {CARD} cvv 123 y mi clave es 9876"
    assert twilio.post("/twilio/sms", sms_params("+573001112233", body)).status_code == 200
    call = Call(twilio, "+573001112233")
    said = call.params(SpeechResult=f"tarjeta {CARD} código de seguridad 456 pin 5555")
    assert twilio.post("/twilio/voice/gather", said).status_code == 200
    on_disk = _journal_text(tmp_path / "var" / "journal")
    assert on_disk.count("[tarjeta ****1111]") == 2, on_disk
    # Whole numbers only: the entries' random hexadecimal ids may contain "123" or "456".
    for secret in (CARD, "4111111111111111", "123", "9876", "456", "5555"):
        assert re.search(rf"\b{re.escape(secret)}\b", on_disk) is None, secret

"""Cards, security codes and passwords written as customers write them are kept nowhere: not in
turns, escalations, the similar-case index, the exports, nor the fallback journal's replay."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from contactpro.conversations.interactions import close_interaction
from contactpro.improve.index import HashingEncoder, index_interaction
from contactpro.models import CaseVector, Escalation, Interaction, Turn
from contactpro.models.base import Base
from contactpro.providers.telephony import FakeTelephony
from contactpro.resilience import journal
from devtools.conversations import SmsThread
from tests.conftest import TwilioClient
from tests.webhooks.test_sms import sms_params
from webhooks import create_app

SPANISH, ENGLISH = "+573001112233", "+13055550123"
# What customers wrote (QA's messages and more), with no space before the card, codes after
# abbreviations and slashes, and passwords after "pass:", "pwd:", "my pw is".
WRITTEN = {
    "es": [
        "hola quiero pagar con mi tarjeta:4111111111111111 venc 12/27 cvv:737",
        "mi tarjeta es la #4111111111111111 y el cod de seguridad 482",
        "tarjeta=4111 1111 1111 1111, los 3 de atras 919",
        "5500000000000004/6061",
        "pass: Gato2024",
        "quiero hablar con un asesor",
    ],
    "en": [
        "I want to pay with card:4111111111111111 exp 12/27 ccv 737",
        "4111 1111 1111 1111 / 12/27 / 482",
        "the code on the back is 919, sec code 6061",
        "my pw is Hunter22 and pwd: Perrito77",
        "I want to talk to an agent",
    ],
}
SECRETS = [
    r"4111\D?1111\D?1111\D?1111",
    r"5500\D?0000\D?0000\D?0004",
    r"\b(?:737|482|919|6061)\b",
    "Gato2024",
    "Hunter22",
    "Perrito77",
]
PLACEHOLDERS = {
    "es": ("[tarjeta ****1111]", "[código]", "[clave]"),
    "en": ("[card ****1111]", "[code]", "[password]"),
}


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if re.search(secret, text)]


def _database_text(session) -> str:
    """Every text, JSON and number value of every table, one row a line."""
    session.expire_all()
    lines = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)):
            lines.append(" ".join(json.dumps(v, ensure_ascii=False, default=str) for v in row))
    return "\n".join(lines)


def _caller_turns(session, phone: str) -> list[str]:
    session.expire_all()
    query = (
        select(Turn.text)
        .join(Interaction)
        .where(Interaction.from_number == phone, Turn.speaker == "caller")
        .order_by(Turn.id)
    )
    return list(session.scalars(query))


@pytest.mark.parametrize("language", ["es", "en"])
def test_secrets_written_every_way_are_stored_nowhere_and_exported_nowhere(
    language, twilio, session, runner, customer_factory, tmp_path
):
    phone = SPANISH if language == "es" else ENGLISH
    customer_factory(phone=phone, language=language, currency="COP" if language == "es" else "USD")
    thread = SmsThread(twilio, phone)
    replies = [thread.send(body) for body in WRITTEN[language]]
    assert all(not _leaks(reply) for reply in replies)

    turns = _caller_turns(session, phone)
    assert len(turns) == len(WRITTEN[language])
    said = "\n".join(turns)
    card, code, secret = PLACEHOLDERS[language]
    assert said.count(card) >= 2 and code in said and secret in said, said
    other = PLACEHOLDERS["en" if language == "es" else "es"]
    assert not any(word in said for word in other), said
    [escalation] = session.scalars(select(Escalation)).all()
    assert card in json.dumps(escalation.context, ensure_ascii=False)

    interaction = session.scalars(select(Interaction)).one()
    close_interaction(session, interaction.id, "timeout")
    session.commit()
    assert index_interaction(session, HashingEncoder(), interaction.id)
    session.commit()
    assert card in session.scalars(select(CaseVector.text)).one()

    customer_file, conversations_file = tmp_path / "customer.json", tmp_path / "live.jsonl"
    exported = runner.invoke(
        args=["customers", "export", "--phone", phone, "--out", str(customer_file)]
    )
    assert exported.exit_code == 0, exported.output
    exported = runner.invoke(args=["conversations", "export", "--out", str(conversations_file)])
    assert exported.exit_code == 0 and "exported 1 conversation " in exported.output
    for path in (customer_file, conversations_file):
        assert card in path.read_text(encoding="utf-8")
        assert _leaks(path.read_text(encoding="utf-8")) == [], path
    assert _leaks(_database_text(session)) == []


def test_secrets_sent_while_the_database_is_down_are_replayed_redacted(
    app, app_config, backend, session, customer_factory
):
    if backend is not None:
        pytest.skip("one database-down check is enough")
    customer_factory(phone=SPANISH)
    down = dict(app_config, database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    twilio = TwilioClient(create_app(down).test_client())
    bodies = WRITTEN["es"][:5]
    for body in bodies:
        assert twilio.post("/twilio/sms", sms_params(SPANISH, body)).status_code == 200
    runtime = app.extensions["contactpro"]
    kept = journal.Journal.for_settings(runtime.settings)
    on_disk = "".join(p.read_text() for p in sorted(Path(kept.folder).glob("*.jsonl")))
    assert on_disk.count("[tarjeta ****1111]") == 3
    # Whole values only: the entries' random hexadecimal ids may contain "737" or "919".
    assert [s for s in SECRETS if re.search(rf"\b{s}\b", on_disk)] == []

    telephony = FakeTelephony()
    result = journal.replay(kept, runtime.db, runtime.settings, telephony)
    assert result.replayed == len(bodies)
    turns = _caller_turns(session, SPANISH)
    assert len(turns) == len(bodies) and all(not _leaks(text) for text in turns)
    assert "[tarjeta ****0004]/[código]" in turns[3] and turns[4] == "pass: [clave]"
    assert all(not _leaks(sent["body"]) for sent in telephony.sent)
    assert _leaks(_database_text(session)) == []

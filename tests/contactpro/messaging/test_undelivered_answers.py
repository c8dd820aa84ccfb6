"""An answer the customer never receives goes to a person.

When Twilio refuses the bot's answer for good (an invalid or blocked number), or it stays
unreachable after every retry, the conversation is handed over: the agent's queue gets an
escalation saying the answer did not arrive and why, in the page's language, with the answer
the customer missed. Nothing is handed over while a retry may still send it.
"""

from __future__ import annotations

import pytest
import requests
from celery.exceptions import Retry
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.http.http_client import TwilioHttpClient

from contactpro.conversations.escalation import UNDELIVERED_REASON
from contactpro.models import Escalation, Interaction, MessageMedia, OutboundMessage, Turn
from contactpro.resilience import journal
from tasks.messaging import (
    MAX_LATE_ANSWER_RETRIES,
    answer_voice_note,
    send_late_answer,
)
from tests.conftest import TwilioClient
from tests.contactpro.dialog.conftest import agent_views, gathered
from tests.contactpro.messaging.conftest import MediaServer, clip_ogg, replies, whatsapp_params
from tests.contactpro.resilience.conftest import DEAD_POSTGRES
from webhooks import create_app
from webhooks.journal import replay_now

REFUSED = "+15005550001"  # the local Twilio server refuses this number (code 21211)
REACHABLE = {"es": "+573019990612", "en": "+13055550178"}
ASKED = {"es": "cuánto debo", "en": "how much do I owe"}
MISSED = {
    "es": "El cliente no recibió la última respuesta del bot (Twilio rechazó el envío)",
    "en": "last answer (Twilio refused to send it): text or call them",
}
UNREACHABLE = "El cliente no recibió la última respuesta del bot (no se pudo contactar a Twilio)"


def replayed_turn(
    app_config: dict, session: Session, monkeypatch: pytest.MonkeyPatch, phone: str, text: str
) -> tuple[Turn, list[tuple[int, ...]]]:
    """Acknowledge ``text`` with the database down, bring it back and replay the journal;
    return the stored turn and the retries queued for its answer."""
    monkeypatch.setattr("webhooks.journal.replay_soon", lambda app: None)
    down = TwilioClient(create_app(dict(app_config, database_url=DEAD_POSTGRES)).test_client())
    sms = whatsapp_params(phone, text, channel="sms")
    assert replies(down.post("/twilio/sms", sms))[0] in journal.SMS_ACKNOWLEDGEMENT.values()
    app = create_app(app_config)
    queued: list[tuple[int, ...]] = []
    monkeypatch.setattr("tasks.outbox.send", lambda task, *args: queued.append(args))
    replay_now(app)
    turn = session.scalars(select(Turn).where(Turn.twilio_key == sms["MessageSid"])).one()
    return turn, queued


@pytest.mark.messaging_config(twilio_api=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_late_answer_twilio_refuses_goes_to_an_agent_at_once(
    app_config, backend, session: Session, customer_factory, twilio_api, monkeypatch, language
):
    if backend is not None:
        pytest.skip("the outage is simulated with an unreachable PostgreSQL on SQLite runs")
    customer_factory(phone=REFUSED, language=language)
    turn, queued = replayed_turn(app_config, session, monkeypatch, REFUSED, ASKED[language])

    assert queued == []  # a refusal does not pass: nothing is tried again
    [failed] = session.scalars(select(OutboundMessage)).all()
    assert (failed.status, failed.reason) == ("failed", "telephony_failed")
    [escalation] = session.scalars(select(Escalation)).all()
    assert escalation.interaction_id == turn.interaction_id
    assert escalation.reason == UNDELIVERED_REASON and escalation.status == "open"
    details = escalation.context["details"]["undelivered"]
    assert details == {"reply": turn.reply, "why": "telephony_failed"}
    interaction = session.get(Interaction, turn.interaction_id)
    assert interaction is not None and interaction.state["escalated"] is True

    spanish, english, _ = agent_views(create_app(app_config), session, escalation.id)
    assert MISSED["es"] in gathered(spanish) and MISSED["en"] in gathered(english)
    assert "la respuesta no le llegó" in spanish and "Twilio refused" not in spanish
    assert "answer not delivered" in english and "no le llegó" not in english


def attempt(turn_id: int, retries: int) -> str | None:
    """Run the late answer task as Celery runs its attempt number ``retries`` (a retry it asks
    for raises Retry instead of being queued)."""
    send_late_answer.push_request(
        id=f"late-{turn_id}", retries=retries, is_eager=True, called_directly=False
    )
    try:
        return send_late_answer.run(turn_id)
    finally:
        send_late_answer.pop_request()


@pytest.mark.messaging_config(twilio_api=True)
def test_a_late_answer_is_handed_over_only_after_its_last_retry(
    app_config, backend, session: Session, customer_factory, twilio_api, monkeypatch
):
    if backend is not None:
        pytest.skip("the outage is simulated with an unreachable PostgreSQL on SQLite runs")
    customer_factory(phone=REACHABLE["es"], language="es")

    def unreachable(self, method: str, url: str, *args, **kwargs):  # noqa: ANN001, ANN202
        raise requests.ConnectionError("Connection refused")

    monkeypatch.setattr(TwilioHttpClient, "request", unreachable)
    turn, queued = replayed_turn(app_config, session, monkeypatch, REACHABLE["es"], ASKED["es"])
    assert queued == [(turn.id,)] and session.scalars(select(Escalation)).all() == []

    app = create_app(app_config)
    with app.app_context():
        for retry in range(MAX_LATE_ANSWER_RETRIES):  # every retry but the last may still send it
            with pytest.raises(Retry):
                attempt(turn.id, retry)
            assert session.scalars(select(Escalation)).all() == []
        assert attempt(turn.id, MAX_LATE_ANSWER_RETRIES) == "telephony_unreachable"
    session.expire_all()
    [escalation] = session.scalars(select(Escalation)).all()
    assert escalation.reason == UNDELIVERED_REASON
    sends = session.scalars(select(OutboundMessage)).all()
    assert [s.status for s in sends] == ["failed"] * (MAX_LATE_ANSWER_RETRIES + 2)
    spanish, _, _ = agent_views(app, session, escalation.id)
    assert UNREACHABLE in gathered(spanish)
    # A duplicate of the last task hands nothing over twice.
    with app.app_context():
        attempt(turn.id, MAX_LATE_ANSWER_RETRIES)
    assert len(session.scalars(select(Escalation)).all()) == 1


@pytest.mark.messaging_config(
    twilio_api=True, media_host=True, transcriber="fake", task_always_eager=False
)
def test_a_voice_note_answer_twilio_refuses_goes_to_an_agent(
    backend, app, session: Session, customer_factory, media_server: MediaServer, twilio_api
):
    if backend is not None:
        pytest.skip("the shared worker has no test media host")
    twilio = TwilioClient(app.test_client())
    customer_factory(phone=REFUSED, language="es")
    url = media_server.serve("/Media/ME10", clip_ogg("es_cheetah_numero.wav"))
    voice_note = whatsapp_params(REFUSED, media=[(url, "audio/ogg")], channel="sms")
    replies(twilio.post("/twilio/sms", voice_note))
    note = session.scalars(select(MessageMedia)).one()
    with app.app_context():
        outcome = answer_voice_note.apply(args=(note.id,), retries=0, throw=False)
    assert outcome.state == "SUCCESS"  # a refusal is not retried
    session.expire_all()
    [failed] = session.scalars(select(OutboundMessage)).all()
    assert (failed.purpose, failed.status) == ("voice_note_reply", "failed")
    [escalation] = session.scalars(select(Escalation)).all()
    assert escalation.reason == UNDELIVERED_REASON
    reply = session.get(Turn, note.reply_turn_id).reply  # type: ignore[union-attr]
    assert reply and escalation.context["details"]["undelivered"]["reply"] == reply

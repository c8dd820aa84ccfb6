"""Twilio unreachable, and errors nobody caught: the turn and its effects are kept, and what the
customer reads is true (an agent is promised only when an escalation exists)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.http.http_client import TwilioHttpClient

from contactpro.conversations import turn_service
from contactpro.models import (
    Escalation,
    Interaction,
    MessageMedia,
    OutboundMessage,
    PaymentAgreement,
    Turn,
)
from contactpro.providers.telephony import TelephonyError
from tasks.messaging import answer_voice_note
from tests.conftest import TwilioClient
from tests.contactpro.messaging.conftest import MediaServer, clip_ogg, replies, whatsapp_params

PHONES = {"es": "+573019990608", "en": "+13055550123"}
AGENT_PROMISED = {"es": "Un asesor", "en": "An agent"}
OFFERS = {
    "es": ("no puedo pagar todo, necesito un acuerdo de pago", "4050", "la opción 2", "sí"),
    "en": ("I can't pay it all, I need a payment plan", "4050", "option 2", "yes"),
}
BOOKED = {
    "es": ("registré tu acuerdo", "guarda este como confirmación"),
    "en": ("recorded your agreement", "keep this one as your confirmation"),
}


def post(twilio: TwilioClient, number: str, text: str, sid: str | None = None) -> str:
    return "\n".join(replies(twilio.post("/twilio/sms", whatsapp_params(number, text, sid=sid))))


def debtor(customer_factory, session: Session, language: str) -> None:
    customer = customer_factory(phone=PHONES[language], balance="540000", language=language)
    account = customer.accounts[0]
    account.debt_amount, account.days_past_due, account.status = Decimal("450000"), 75, "delinquent"
    session.commit()


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every request to Twilio's REST API fail as a dropped network does; list the URLs."""
    tried: list[str] = []

    def fail(self, method: str, url: str, *args, **kwargs):  # noqa: ANN001, ANN202
        tried.append(url)
        raise requests.ConnectionError("Connection refused")

    monkeypatch.setattr(TwilioHttpClient, "request", fail)
    return tried


@pytest.mark.messaging_config(twilio_api=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_agreement_is_kept_when_twilio_cannot_be_reached_for_the_confirmation(
    twilio, session: Session, customer_factory, unreachable, language
):
    debtor(customer_factory, session, language)
    *before, yes = OFFERS[language]
    for text in before:
        post(twilio, PHONES[language], text)
    done = post(twilio, PHONES[language], yes)
    assert unreachable, "the confirmation was never attempted"
    assert all(words in done for words in BOOKED[language])
    assert AGENT_PROMISED[language] not in done
    agreement = session.scalars(select(PaymentAgreement)).one()
    assert agreement.total == Decimal("416250")
    row = session.scalars(select(OutboundMessage)).one()
    assert (row.purpose, row.status, row.reason) == (
        "agreement_confirmation",
        "failed",
        "telephony_unreachable",
    )
    interaction = session.scalars(select(Interaction)).one()
    assert "confirmation_whatsapp_failed" in interaction.state["steps"]
    assert session.scalars(select(Turn).where(Turn.text == yes)).one().reply == done
    assert session.scalars(select(Escalation)).first() is None


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_unexpected_error_hands_the_message_to_a_person(
    twilio, session: Session, customer_factory, monkeypatch: pytest.MonkeyPatch, language
):
    debtor(customer_factory, session, language)
    phone = PHONES[language]
    post(twilio, phone, OFFERS[language][0])

    def broken(ctx):  # noqa: ANN001, ANN202
        raise RuntimeError("a bug")

    monkeypatch.setattr(turn_service, "decide", broken)
    said = "4050"
    response = twilio.post("/twilio/sms", whatsapp_params(phone, said, sid="SM" + "7" * 32))
    [reply] = replies(response)
    assert reply.startswith(AGENT_PROMISED[language])
    escalation = session.scalars(select(Escalation)).one()
    assert (escalation.reason, escalation.status) == ("technical_error", "open")
    assert said in str(escalation.context["transcript"])
    turn = session.scalars(select(Turn).where(Turn.twilio_key == "SM" + "7" * 32)).one()
    assert (turn.text, turn.reply, turn.action) == (said, reply, "escalate")
    assert session.scalars(select(PaymentAgreement)).first() is None
    # Twilio's retry of the same message gets the same answer, and no second escalation.
    assert post(twilio, phone, said, sid="SM" + "7" * 32) == reply
    assert len(session.scalars(select(Escalation)).all()) == 1


@pytest.mark.messaging_config(
    twilio_api=True, media_host=True, transcriber="fake", task_always_eager=False
)
def test_a_voice_note_answer_twilio_could_not_take_is_retried_and_sent(
    backend,
    app,
    twilio,
    session: Session,
    customer_factory,
    media_server: MediaServer,
    twilio_api,
    monkeypatch: pytest.MonkeyPatch,
):
    if backend is not None:
        pytest.skip("the shared worker has no test media host")
    customer_factory(phone=PHONES["es"])
    url = media_server.serve("/Media/ME9", clip_ogg("es_cheetah_numero.wav"))
    replies(twilio.post("/twilio/sms", whatsapp_params(PHONES["es"], media=[(url, "audio/ogg")])))
    note = session.scalars(select(MessageMedia)).one()
    real = TwilioHttpClient.request

    def fail(self, method: str, url: str, *args, **kwargs):  # noqa: ANN001, ANN202
        raise requests.ConnectionError("Connection refused")

    monkeypatch.setattr(TwilioHttpClient, "request", fail)
    with app.app_context(), pytest.raises(TelephonyError) as raised:
        answer_voice_note.run(note.id)
    assert raised.value.retryable
    session.expire_all()
    failed = session.scalars(select(OutboundMessage)).one()
    assert (failed.purpose, failed.status, failed.reason) == (
        "voice_note_reply",
        "failed",
        "telephony_unreachable",
    )
    assert note.status == "transcribed" and note.reply_sid is None and note.transcript
    monkeypatch.setattr(TwilioHttpClient, "request", real)
    with app.app_context():
        assert answer_voice_note.run(note.id) == "answered"  # the retry only sends the answer
    api, _ = twilio_api
    [message] = [r["form"] for r in api.requests if str(r["path"]).endswith("/Messages.json")]
    assert message["Body"] == session.get(Turn, note.reply_turn_id).reply
    assert [r.status for r in session.scalars(select(OutboundMessage))] == ["failed", "sent"]

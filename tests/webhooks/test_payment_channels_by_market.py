"""How to pay follows the customer's market, and silence after a clarifying question re-asks it.

A Mexican or American customer asking how to pay must hear their own country's channels, never
Colombia's PSE, Baloto or Efecty; an unknown sender gets their number's market.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from contactpro.models import Interaction, Turn
from tests.conftest import TwilioClient
from tests.webhooks.test_sms import replies, sms_params
from tests.webhooks.test_voice import Call, spoken

PHONES = {"co": "+573001112233", "mx": "+5215512345678", "us": "+13055550123"}
CURRENCIES = {"co": "COP", "mx": "MXN", "us": "USD"}
ASK = {
    "es": ("¿cómo pago?", "dónde puedo pagar mi factura"),
    "en": ("how can I pay my bill?", "where can I pay my bill"),
}
MUST = {
    "co": (r"\bPSE\b", r"\bEfecty\b", r"\bBaloto\b"),
    "mx": (r"\bOXXO\b", r"\bSPEI\b"),
    "us": (r"\bAutoPay\b", r"\bWalgreens\b"),
}
MUST_NOT = {
    "co": (r"\bOXXO\b", r"\bSPEI\b", r"\bWalgreens\b", r"\bAutoPay\b"),
    "mx": (r"\bPSE\b", r"\bEfecty\b", r"\bBaloto\b", r"\bE[xX]ito\b", r"\bWalgreens\b"),
    "us": (r"\bPSE\b", r"\bEfecty\b", r"\bBaloto\b", r"\bOXXO\b", r"\bSPEI\b"),
}
# Words a reply in the other language would carry.
FOREIGN = {"es": (r"\byou\b", r"\bpay\b"), "en": (r"\bpuedes\b", r"\bpagar\b")}


def _assert_channels(reply: str, market: str, language: str) -> None:
    for word in MUST[market]:
        assert re.search(word, reply), (word, reply)
    for word in MUST_NOT[market] + FOREIGN[language]:
        assert not re.search(word, reply, re.IGNORECASE), (word, reply)


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("market", ["co", "mx", "us"])
def test_texter_hears_the_payment_channels_of_their_market(
    twilio: TwilioClient, session, customer_factory, market: str, language: str
):
    customer_factory(phone=PHONES[market], currency=CURRENCIES[market], language=language)
    for text in ASK[language]:
        [reply] = replies(twilio.post("/twilio/sms", sms_params(PHONES[market], text)))
        _assert_channels(reply, market, language)
    turns = session.scalars(select(Turn).where(Turn.speaker == "caller")).all()
    assert [t.intent for t in turns] == ["payment_how", "payment_how"]
    assert "told_how_to_pay" in session.scalars(select(Interaction)).one().state["steps"]


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("market", ["co", "mx", "us"])
def test_caller_hears_the_payment_channels_of_their_market(
    twilio: TwilioClient, session, customer_factory, market: str, language: str
):
    customer_factory(phone=PHONES[market], currency=CURRENCIES[market], language=language)
    call = Call(twilio, PHONES[market])
    call.start()
    reply = spoken(call.say(ASK[language][0].strip("¿?")))
    _assert_channels(reply, market, language)
    turn = session.scalars(select(Turn).where(Turn.speaker == "caller")).one()
    assert turn.intent == "payment_how"


@pytest.mark.parametrize(
    ("market", "language"), [("mx", "es"), ("us", "en"), ("us", "es"), ("co", "es")]
)
def test_unknown_texter_hears_the_channels_of_their_numbers_country(
    twilio: TwilioClient, market: str, language: str
):
    phone = PHONES[market][:-4] + "9876"
    [reply] = replies(twilio.post("/twilio/sms", sms_params(phone, ASK[language][1])))
    _assert_channels(reply, market, language)


def test_unknown_market_names_no_countrys_stores(twilio: TwilioClient):
    [reply] = replies(twilio.post("/twilio/sms", sms_params("+34600111222", "dónde puedo pagar")))
    assert "tarjeta" in reply
    for word in MUST["co"] + MUST["mx"] + MUST["us"]:
        assert not re.search(word, reply), (word, reply)


def test_verified_mexican_customer_hears_their_account_with_mexican_channels(
    twilio: TwilioClient, customer_factory
):
    customer_factory(phone=PHONES["mx"], currency="MXN", balance="850")
    phone = PHONES["mx"]
    replies(twilio.post("/twilio/sms", sms_params(phone, "cuánto debo")))
    replies(twilio.post("/twilio/sms", sms_params(phone, "4050")))
    [reply] = replies(twilio.post("/twilio/sms", sms_params(phone, "¿y dónde puedo pagar?")))
    assert "0000120451" in reply
    _assert_channels(reply, "mx", "es")


UNSURE = {
    "es": ("cómo hago para retirarme de la empresa", "No te escuché.", ("Disculpa", "no entendí")),
    "en": ("how do I get out of the company", "I didn't hear you.", ("Sorry", "didn't quite get")),
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_silence_after_a_clarifying_question_asks_it_again_without_the_apology(
    twilio: TwilioClient, session, customer_factory, language: str
):
    customer_factory(language=language)
    call = Call(twilio, "+573001112233")
    call.start()
    said, heard, apology = UNSURE[language]
    question = spoken(call.say(said))
    assert question.startswith(apology[0]), question
    asked = question.split(". ", 1)[1]
    reprompt = spoken(call.silence())
    assert reprompt == f"{heard} {asked}"
    for words in apology:
        assert words not in reprompt
    state = session.scalars(select(Interaction)).one().state
    assert state["awaiting"] == "clarify_topic"
    last = session.scalars(select(Turn).order_by(Turn.sequence.desc())).first()
    assert last is not None and last.entities["reprompt"] is True

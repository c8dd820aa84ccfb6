"""Messages of emoji alone (🙏, 😀, ❤️) are reactions: answered kindly, never handed to a person
as a request nobody understood; a 👍 to a yes-or-no question stays a yes. A reaction, a sticker or
a shared location in the middle of a flow is answered with the question still waiting."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contactpro.models import Escalation, Turn
from tests.contactpro.messaging.conftest import replies, whatsapp_params

PHONES = {"es": "+573019990741", "en": "+13055550741"}
THANKS = {
    "es": "¡Gracias por tu mensaje! ¿En qué te puedo ayudar? Escríbenos tu consulta",
    "en": "Thanks for your message! How can I help you? Please write your question",
}
NOT_UNDERSTOOD = {"es": "no entendí", "en": "didn't get that"}
HANDED_OVER = {"es": "asesor", "en": "agent"}
ASK_BALANCE = {"es": "cuánto debo", "en": "how much do I owe"}
VERIFY = {
    "es": "Por tu seguridad, escríbeme los últimos cuatro dígitos de tu documento.",
    "en": "For your security, please text me the last four digits of your ID.",
}
GOT_IT = {"es": "Recibimos tu mensaje.", "en": "We got your message."}
BALANCE = {"es": "saldo", "en": "balance"}


def send(twilio, phone: str, body: str) -> str:
    [reply] = replies(twilio.post("/twilio/sms", whatsapp_params(phone, body)))
    return reply


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("emoji", [("🙏", "😀😀"), ("❤️", "👍"), ("👍🏽", "🙌🙌 !!")])
def test_emoji_alone_are_answered_as_reactions_never_handed_over(
    twilio, session, customer_phone, language, emoji
):
    for reaction in emoji:
        reply = send(twilio, customer_phone, reaction)
        assert reply.startswith(THANKS[language])
        assert NOT_UNDERSTOOD[language] not in reply
        assert HANDED_OVER[language] not in reply
    session.expire_all()
    assert session.scalars(select(Escalation)).all() == []
    turns = session.scalars(select(Turn).order_by(Turn.sequence)).all()
    assert [t.text for t in turns] == list(emoji)
    assert all(t.entities["problem"] == "emoji_received" for t in turns)
    assert all((t.speaker, t.source, t.action) == ("caller", "sms", "continue") for t in turns)


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_reaction_in_a_flow_asks_the_waiting_question_again(
    twilio, session, customer_phone, language
):
    assert VERIFY[language] in send(twilio, customer_phone, ASK_BALANCE[language])
    for reaction in ("🙏", "😅", "❤️"):
        # Asked again once, however many reactions come: never "got it. got it. ..."
        assert send(twilio, customer_phone, reaction) == f"{GOT_IT[language]} {VERIFY[language]}"
    answer = send(twilio, customer_phone, "4050")
    assert BALANCE[language] in answer.lower()
    session.expire_all()
    assert session.scalars(select(Escalation)).all() == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_thumbs_up_still_answers_a_yes_or_no_question(twilio, session, customer_phone, language):
    send(twilio, customer_phone, ASK_BALANCE[language])
    resolved = send(twilio, customer_phone, "4050")
    assert resolved.endswith(("¿Con esto resolví tu consulta?", "Did that answer your question?"))
    reply = send(twilio, customer_phone, "👍")
    assert THANKS[language] not in reply and GOT_IT[language] not in reply
    session.expire_all()
    last = session.scalars(select(Turn).order_by(Turn.sequence.desc())).first()
    assert last.intent == "affirm"


STICKER = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM8/Media/ME10"
STICKER_THANKS = {"es": "¡Gracias por tu sticker!", "en": "Thanks for the sticker!"}
LOCATION_SEEN = {
    "es": "Recibimos tu ubicación, pero no la necesitamos para atenderte.",
    "en": "We got your location, but we don't need it to help you.",
}
HOW_CAN_I_HELP = {"es": "¿En qué te puedo ayudar?", "en": "How can I help you?"}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_sticker_or_a_location_in_a_flow_asks_the_waiting_question_again(
    twilio, session, customer_phone, language
):
    assert VERIFY[language] in send(twilio, customer_phone, ASK_BALANCE[language])
    sticker = whatsapp_params(customer_phone, media=[(STICKER, "image/webp")])
    sticker["MessageType"] = "sticker"
    [reply] = replies(twilio.post("/twilio/sms", sticker))
    assert reply == f"{STICKER_THANKS[language]} {VERIFY[language]}"
    location = whatsapp_params(customer_phone)
    location.update(MessageType="location", Latitude="4.6533816", Longitude="-74.0836333")
    [reply] = replies(twilio.post("/twilio/sms", location))
    assert reply == f"{LOCATION_SEEN[language]} {VERIFY[language]}"
    assert HOW_CAN_I_HELP[language] not in reply
    assert BALANCE[language] in send(twilio, customer_phone, "4050").lower()


CONFIRM = {"es": "¿Con esto resolví tu consulta?", "en": "Did that answer your question?"}
GLAD = {"es": "¡Me alegra!", "en": "Glad"}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_reaction_after_the_balance_asks_only_whether_it_helped(
    twilio, session, customer_phone, language
):
    """The balance was read already: an emoji or a sticker after "did that answer your
    question?" asks that question again, not the whole answer; a 👍 then is a yes."""
    send(twilio, customer_phone, ASK_BALANCE[language])
    assert send(twilio, customer_phone, "4050").endswith(CONFIRM[language])
    assert send(twilio, customer_phone, "😀") == f"{GOT_IT[language]} {CONFIRM[language]}"
    sticker = whatsapp_params(customer_phone, media=[(STICKER, "image/webp")])
    sticker["MessageType"] = "sticker"
    [reply] = replies(twilio.post("/twilio/sms", sticker))
    assert reply == f"{STICKER_THANKS[language]} {CONFIRM[language]}"
    assert BALANCE[language] not in reply.lower()
    assert send(twilio, customer_phone, "👍").startswith(GLAD[language])
    session.expire_all()
    assert session.scalars(select(Escalation)).all() == []

"""An unsure first SMS gets a question naming the two likeliest topics; the answer resumes one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contactpro.dialog.engine import CONSEQUENTIAL, CONSEQUENTIAL_MIN_CONFIDENCE
from contactpro.dialog.templates import templates_for
from contactpro.models import Escalation, Interaction, Turn
from tests.conftest import TwilioClient
from tests.webhooks.test_sms import count, replies, sms_params

# How a customer names each topic when asked, per language.
NAMED = {
    "es": {
        "billing_inquiry": "mi saldo",
        "payment_how": "cómo pagar",
        "payment_made": "ya pagué",
        "payment_link": "el link de pago",
        "debt_negotiation": "un acuerdo de pago",
        "connection_problem": "no tengo internet",
        "cancellation": "cancelar el servicio",
        "product_info": "qué planes tienen",
        "complaint": "una queja",
    },
    "en": {
        "billing_inquiry": "my balance",
        "payment_how": "how to pay",
        "payment_made": "i already paid",
        "payment_link": "the payment link",
        "debt_negotiation": "a payment plan",
        "connection_problem": "my internet is down",
        "cancellation": "cancel my service",
        "product_info": "what plans do you have",
        "complaint": "a complaint",
    },
}
UNSURE = {
    "es": ("+573001112233", "cómo hago para retirarme de la empresa"),
    "en": ("+13055550123", "how do i get out of the company"),
}
PAYMENT_CHANNELS = ("nequi", "pse", "efecty", "bancolombia", "baloto")


def unsure(turn: Turn) -> bool:
    """Out of scope, or a consequential topic guessed below the bar that lets it act."""
    if turn.intent == "out_of_scope":
        return True
    return turn.intent in CONSEQUENTIAL and (turn.confidence or 0) < CONSEQUENTIAL_MIN_CONFIDENCE


def _clarified(twilio: TwilioClient, session, language: str) -> tuple[str, list[str]]:
    phone, text = UNSURE[language]
    [question] = replies(twilio.post("/twilio/sms", sms_params(phone, text)))
    interaction = session.scalars(select(Interaction)).one()
    session.refresh(interaction)
    topics = interaction.state["slots"]["topics"]
    return question, topics


@pytest.mark.parametrize("language", ["es", "en"])
def test_unsure_first_message_gets_a_question_naming_two_topics(
    language, twilio, session, customer_factory
):
    phone, text = UNSURE[language]
    customer_factory(phone=phone, language=language)
    question, topics = _clarified(twilio, session, language)
    catalogue = templates_for()
    names = [catalogue.render(f"topic_{t}", language) for t in topics]
    assert len(set(topics)) == 2
    assert question == catalogue.render("clarify_topics", language, first=names[0], second=names[1])
    assert not any(word in question.lower() for word in PAYMENT_CHANNELS)
    turn = session.scalars(select(Turn)).one()
    assert turn.text == text and unsure(turn) and turn.tier in ("model", "none")
    assert turn.reply == question
    interaction = session.scalars(select(Interaction)).one()
    assert interaction.state["awaiting"] == "clarify_topic"
    assert interaction.state["steps"] == ["asked_topic"]
    assert interaction.language == language


@pytest.mark.parametrize("language", ["es", "en"])
def test_naming_a_topic_resumes_its_flow(language, twilio, session):
    # Two senders the company does not know yet, so both get the same identity questions.
    phone, _ = UNSURE[language]
    _, topics = _clarified(twilio, session, language)
    answer = NAMED[language][topics[0]]
    [reply] = replies(twilio.post("/twilio/sms", sms_params(phone, answer)))
    # The same words from a customer asked nothing get the same answer: the topic's flow.
    other = "+573005550000" if language == "es" else "+13055550999"
    [direct] = replies(twilio.post("/twilio/sms", sms_params(other, answer)))
    assert reply == direct
    session.expire_all()
    interaction = session.scalars(select(Interaction).order_by(Interaction.id)).first()
    first, second = session.scalars(
        select(Turn).where(Turn.interaction_id == interaction.id).order_by(Turn.sequence)
    ).all()
    assert unsure(first)
    assert (second.text, second.intent, second.reply) == (answer, topics[0], reply)
    assert interaction.state["awaiting"] != "clarify_topic"
    assert interaction.state["steps"][0] == "asked_topic"


@pytest.mark.parametrize(
    ("language", "answer", "position"), [("es", "la segunda", 1), ("en", "the first one", 0)]
)
def test_answering_by_position_resumes_that_topic(language, answer, position, twilio, session):
    phone, _ = UNSURE[language]
    _, topics = _clarified(twilio, session, language)
    [reply] = replies(twilio.post("/twilio/sms", sms_params(phone, answer)))
    other = "+573005550000" if language == "es" else "+13055550999"
    [direct] = replies(
        twilio.post("/twilio/sms", sms_params(other, NAMED[language][topics[position]]))
    )
    assert reply == direct
    # A complaint is handed to a person for both customers; any other topic for neither.
    assert count(session, Escalation) == (2 if topics[position] == "complaint" else 0)


def test_still_not_understood_after_the_question_goes_to_a_person(
    twilio, session, customer_factory
):
    phone, _ = UNSURE["es"]
    customer_factory(phone=phone)
    _clarified(twilio, session, "es")
    replies(twilio.post("/twilio/sms", sms_params(phone, "la luna es de queso")))
    assert session.scalars(select(Escalation)).one().reason == "not_understood"

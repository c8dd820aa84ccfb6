"""A product question asked with another request in the same message ("..., y además quiero
saber cuánto cuesta el plan móvil") is answered, and the other request is taken up next, never
silently dropped. WhatsApp carries both answers whole; an SMS keeps the price and moves on."""

from __future__ import annotations

import pytest

from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, escalations, latest_state

PHONES = {"es": SPANISH, "en": ENGLISH}


@pytest.mark.parametrize(
    ("language", "message", "price", "step"),
    [
        (
            "es",
            "buenas tardes, el internet se me cae cada rato y ademas quiero saber cuanto cuesta "
            "el plan movil ilimitado",
            "54.900 pesos",
            "Apaga tu módem",
        ),
        (
            "en",
            "hi, my internet keeps dropping all the time and also I want to know how much the "
            "unlimited mobile plan costs",
            "54,900 Colombian pesos",
            "Turn your modem or router off",
        ),
    ],
)
def test_the_other_request_is_taken_up_after_the_answer(
    sms, customer_factory, session, language, message, price, step
):
    customer_factory(phone=PHONES[language], language=language, currency="COP")
    reply = sms(f"whatsapp:{PHONES[language]}").send(message)
    assert price in reply and step in reply, reply
    state = latest_state(session)
    slug = {"es": "plan-movil", "en": "unlimited-mobile"}[language]
    assert f"answered_{slug}" in state["steps"]
    assert (state["flow"], state["awaiting"]) == ("connection", "step_result")
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "message", "price"),
    [
        (
            "es",
            "se me cae el internet a cada rato, y tambien cuanto vale el plan movil ilimitado?",
            "54.900 pesos",
        ),
        (
            "en",
            "my internet keeps dropping, also how much is the unlimited mobile plan?",
            "54,900 Colombian pesos",
        ),
    ],
)
def test_by_sms_the_connection_problem_is_not_dropped(
    sms, customer_factory, session, language, message, price
):
    customer_factory(phone=PHONES[language], language=language, currency="COP")
    reply = sms(PHONES[language]).send(message)
    assert price in reply, reply
    state = latest_state(session)
    assert state["flow"] == "connection" or "connection_problem" in state["queued"], state
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "message", "price", "step", "question"),
    [
        (
            "es",
            "se me cae el internet a cada rato, y tambien cuanto vale el plan movil ilimitado?",
            "54.900 pesos",
            "Apaga tu modem o router",
            "¿Ya funciona tu servicio?",
        ),
        (
            "es",
            "cuanto cuesta el plan movil ilimitado? y ademas no tengo internet",
            "54.900 pesos",
            "Apaga tu modem o router",
            "¿Ya funciona tu servicio?",
        ),
        (
            "en",
            "my internet keeps dropping, also how much is the unlimited mobile plan?",
            "54,900 Colombian pesos",
            "Turn your modem or router off",
            "Is your service working now?",
        ),
    ],
)
def test_by_sms_the_troubleshooting_step_survives_the_shortening(
    sms, customer_factory, session, language, message, price, step, question
):
    customer_factory(phone=PHONES[language], language=language, currency="COP")
    reply = sms(PHONES[language]).send(message)
    # The question asks about the step: the step is what must reach the customer with it.
    assert step in reply and reply.endswith(question), reply
    assert price in reply, reply
    assert reply.index(price) < reply.index(step), reply
    state = latest_state(session)
    assert (state["flow"], state["awaiting"]) == ("connection", "step_result")

"""Follow-ups across calls and texts: a text after a newer call answers the call's question (in
words written for reading), not the older text thread's; and "no gracias" / "no, thanks" after
an answer ends the conversation instead of handing the customer to an agent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from contactpro.models import Interaction
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    agreements,
    all_rows,
    escalations,
    latest_state,
)

# --- a text after a newer call ---------------------------------------------------------------

CASES = [
    (
        "es",
        SPANISH,
        ("quiero negociar mi deuda", "4050", "la segunda"),
        "sí",
        "¿Lo acepto",
        ("416.250 pesos", "0000"),
        ("416250 pesos", "0 0, 0 0", "Responde 1, 2 o 3", "¿Cuál opción prefieres?"),
        Decimal("416250"),
    ),
    (
        "en",
        ENGLISH,
        ("I want to negotiate my debt", "4050", "the second one"),
        "yes",
        "Shall I",
        ("198.00 dollars", "0000"),
        ("198 dollars", "0 0, 0 0", "Reply 1, 2 or 3", "Which option works for you?"),
        Decimal("198.00"),
    ),
]


@pytest.mark.parametrize(
    ("language", "phone", "steps", "yes", "question", "written", "never", "total"), CASES
)
def test_a_text_after_a_newer_call_answers_the_calls_question(
    sms, call, request, session, language, phone, steps, yes, question, written, never, total
):
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    ask, digits, pick = steps
    thread = sms(phone)
    offers = thread.send_all(ask, digits)  # the text thread waits for 1, 2 or 3
    assert "1)" in offers
    texted = all_rows(session, Interaction)[0]
    phone_call = call(phone)
    phone_call.start()
    phone_call.say(ask)
    phone_call.press(digits)
    restated, _ = phone_call.say(pick)
    assert question in restated
    phone_call.hang_up(40)

    first = thread.send(yes)
    assert question in first, first
    for words in written:
        assert words in first, first
    for words in never:
        assert words not in first, first
    assert agreements(session) == []
    session.expire_all()
    old = session.get(Interaction, texted.id)
    assert (old.status, old.close_reason) == ("closed", "superseded")
    booked = thread.send(yes)
    assert "416250 pesos" not in booked and "0 0, 0 0" not in booked
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.total) == ("settlement", total)
    newest = session.scalars(select(Interaction).order_by(Interaction.id.desc())).first()
    assert newest.channel == "sms" and newest.id != texted.id


def test_a_text_thread_with_no_newer_call_goes_on(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    answer = thread.send("la segunda")
    assert "¿Lo acepto" in answer and "416.250 pesos" in answer
    [texted] = all_rows(session, Interaction)
    assert texted.status == "active"


# --- "no gracias" after an answer ----------------------------------------------------------------


def _asked_if_resolved(thread, language: str) -> None:
    answer = thread.send_all(
        "cuál es mi saldo" if language == "es" else "what is my balance", "4050"
    )
    assert ("resolví tu consulta" if language == "es" else "Did that answer") in answer


@pytest.mark.parametrize(
    ("language", "phone", "done", "goodbye"),
    [
        ("es", SPANISH, "no gracias", "Que tengas un buen día"),
        ("es", SPANISH, "No, nada más", "Que tengas un buen día"),
        ("es", SPANISH, "no, muchas gracias, eso es todo", "Que tengas un buen día"),
        ("en", ENGLISH, "no, thanks", "Have a great day"),
        ("en", ENGLISH, "Nope, that's all", "Have a great day"),
        ("en", ENGLISH, "no thank you, I'm good", "Have a great day"),
    ],
)
def test_no_thanks_after_an_answer_by_text_ends_it_resolved(
    sms, customer_factory, session, language, phone, done, goodbye
):
    customer_factory(phone=phone, language=language, currency="COP" if language == "es" else "USD")
    thread = sms(phone)
    _asked_if_resolved(thread, language)
    reply = thread.send(done)
    assert goodbye in reply
    assert "asesor" not in reply and "agent" not in reply
    assert escalations(session) == []
    assert latest_state(session)["confirmed"] is True


@pytest.mark.parametrize(
    ("language", "phone", "unhelped"),
    [
        ("es", SPANISH, "no, no me resolvió"),
        ("es", SPANISH, "no"),
        ("en", ENGLISH, "no, that didn't help"),
    ],
)
def test_a_real_no_after_an_answer_still_reaches_a_person(
    sms, customer_factory, session, language, phone, unhelped
):
    customer_factory(phone=phone, language=language, currency="COP" if language == "es" else "USD")
    thread = sms(phone)
    _asked_if_resolved(thread, language)
    thread.send(unhelped)
    [escalation] = escalations(session)
    assert escalation.reason == "not_resolved"


@pytest.mark.parametrize(
    ("language", "phone", "done", "goodbye"),
    [
        ("es", SPANISH, "no gracias", "Que tengas un buen día"),
        ("en", ENGLISH, "no, thanks", "Have a great day"),
    ],
)
def test_no_thanks_after_an_answer_on_a_call_hangs_up_without_an_agent(
    call, customer_factory, session, language, phone, done, goodbye
):
    customer_factory(phone=phone, language=language, currency="COP" if language == "es" else "USD")
    phone_call = call(phone)
    phone_call.start()
    phone_call.say("cuál es mi saldo" if language == "es" else "what is my balance")
    answer, _ = phone_call.press("4050")
    assert ("resolví tu consulta" if language == "es" else "Did that answer") in answer
    said, verb = phone_call.say(done)
    assert goodbye in said and verb == "Hangup"
    assert escalations(session) == []

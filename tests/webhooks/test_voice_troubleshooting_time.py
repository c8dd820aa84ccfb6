"""A caller told to restart their modem gets time to do it: the call waits longer for the
answer, silence meanwhile neither repeats the step from its start nor says "I didn't hear
you", and only a long silence hands them over."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contactpro.models import Escalation, Interaction
from tests.webhooks.test_voice import Call, spoken

STEP = {"es": "Apaga tu módem", "en": "Turn your modem"}
UNHEARD = {"es": "No te escuché", "en": "didn't hear you"}


@pytest.mark.parametrize(
    ("language", "phone", "problem", "waiting", "still_broken", "next_step"),
    [
        (
            "es",
            "+573001112233",
            "no tengo internet",
            "Tómate el tiempo que necesites",
            "ya lo reinicié y sigue sin funcionar",
            "Probemos otra cosa",
        ),
        (
            "en",
            "+13055550123",
            "my internet is not working",
            "Take your time",
            "I restarted it and it still doesn't work",
            "Let's try something else",
        ),
    ],
)
def test_a_caller_doing_a_step_gets_time_and_is_not_told_it_again(
    twilio, customer_factory, session, language, phone, problem, waiting, still_broken, next_step
):
    customer_factory(phone=phone, language=language, currency="COP" if language == "es" else "USD")
    call = Call(twilio, phone)
    call.start()
    step = call.say(problem)
    assert STEP[language] in spoken(step)
    assert int(step.find("Gather").get("timeout")) >= 60
    first = call.silence()
    assert waiting in spoken(first)
    assert STEP[language] not in spoken(first) and UNHEARD[language] not in spoken(first)
    assert int(first.find("Gather").get("timeout")) >= 60
    second = call.silence()
    assert second.find("Gather") is not None and STEP[language] not in spoken(second)
    answer = call.say(still_broken)
    assert next_step in spoken(answer)
    session.expire_all()
    assert session.scalars(select(Escalation)).all() == []
    interaction = session.scalars(select(Interaction)).one()
    assert interaction.state["awaiting"] == "step_result"


def test_questions_without_a_step_keep_the_short_wait(twilio, customer_factory, session):
    customer_factory(phone="+573001112233")
    call = Call(twilio, "+573001112233")
    root = call.start()
    assert int(root.find("Gather").get("timeout")) == 6
    asked = call.say("cuánto debo")
    assert "cuatro dígitos" in spoken(asked)
    assert int(asked.find("Gather").get("timeout")) < 60


@pytest.mark.parametrize(
    ("language", "phone", "problem", "not_fixed", "lead", "resumed", "second_step"),
    [
        (
            "es",
            "+573001112233",
            "no tengo internet",
            "no",
            "Probemos otra cosa",
            "retomemos donde quedamos",
            "Revisa que el cable",
        ),
        (
            "en",
            "+13055550123",
            "my internet is not working",
            "no",
            "Let's try something else",
            "pick up where we left off",
            "Check that the",
        ),
    ],
)
def test_a_call_back_resumes_the_step_without_its_lead_in(
    twilio,
    customer_factory,
    session,
    language,
    phone,
    problem,
    not_fixed,
    lead,
    resumed,
    second_step,
):
    customer_factory(phone=phone, language=language, currency="COP" if language == "es" else "USD")
    first = Call(twilio, phone)
    first.start()
    first.say(problem)
    step = spoken(first.say(not_fixed))
    assert lead in step and second_step in step
    assert first.end(50) == 204
    greeting = spoken(Call(twilio, phone).start())
    assert resumed in greeting and second_step in greeting
    assert lead not in greeting

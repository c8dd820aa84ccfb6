"""Answers to a troubleshooting step: the step done is not the service fixed, and the words of a
step result ("ya lo apagué y lo prendí") are read as a step result, never as a payment."""

from __future__ import annotations

import pytest

from tests.contactpro.dialog.conftest import latest_state, nothing_booked_or_escalated

CALLERS = {"es": "+573001112233", "en": "+13055550123"}
PROBLEM = {"es": "se me cae el internet", "en": "my internet is not working"}
FIRST_STEP = {"es": "Apaga tu módem", "en": "Turn your modem or router off"}
ASK = {"es": "¿Ya funciona tu servicio?", "en": "Is your service working now?"}
FIXED = {"es": "quedó funcionando", "en": "working again"}
NEXT = {"es": "Probemos otra cosa", "en": "Let's try something else"}
IDENTITY = {"es": ("dígitos", "cédula", "pago"), "en": ("digits", "payment", "account number")}


def _troubleshooting(call, customer_factory, language: str):
    customer_factory(
        phone=CALLERS[language], language=language, currency="COP" if language == "es" else "USD"
    )
    phone = call(CALLERS[language])
    phone.start()
    spoken, _ = phone.say(PROBLEM[language])
    assert FIRST_STEP[language] in spoken
    return phone


@pytest.mark.parametrize(
    ("language", "done"),
    [
        ("es", "listo, ya lo hice"),
        ("es", "ya lo apagué"),
        ("en", "done"),
        ("en", "ok, I did it"),
        ("en", "ok I'm back, I unplugged it"),
    ],
)
def test_a_step_done_is_asked_whether_it_works_not_taken_as_fixed(
    call, customer_factory, session, language, done
):
    phone = _troubleshooting(call, customer_factory, language)
    spoken, _ = phone.say(done)
    assert ASK[language] in spoken and FIXED[language] not in spoken
    state = latest_state(session)
    assert (state["flow"], state["awaiting"]) == ("connection", "step_result")
    assert state.get("outcome_detail") != "fixed"
    works = {"es": "sí, ya funciona", "en": "yes it works now"}[language]
    spoken, _ = phone.say(works)
    assert FIXED[language] in spoken
    assert latest_state(session)["outcome_detail"] == "fixed"
    assert nothing_booked_or_escalated(session)


@pytest.mark.parametrize(
    ("language", "result"),
    [
        ("es", "ya lo apagué y lo prendí, sigue igual"),
        ("es", "ya lo apague y lo prendi y nada"),
        ("en", "I turned it off and on again, still the same"),
    ],
)
def test_a_step_result_is_read_as_a_step_result_not_a_payment(
    call, customer_factory, session, language, result
):
    phone = _troubleshooting(call, customer_factory, language)
    spoken, _ = phone.say(result)
    assert NEXT[language] in spoken
    assert not any(words in spoken for words in IDENTITY[language])
    state = latest_state(session)
    assert (state["flow"], state["awaiting"], state["slots"]["step"]) == (
        "connection",
        "step_result",
        1,
    )
    assert nothing_booked_or_escalated(session)


@pytest.mark.parametrize(("language", "said"), [("es", "ya volví"), ("en", "I'm back")])
def test_the_customer_back_on_the_line_is_not_the_service_back(
    call, customer_factory, session, language, said
):
    phone = _troubleshooting(call, customer_factory, language)
    spoken, _ = phone.say(said)
    assert FIXED[language] not in spoken
    assert latest_state(session).get("outcome_detail") != "fixed"

"""Troubleshooting follows on from what the customer already tried: a step they say they did
("ya reinicié el módem 3 veces", "I already rebooted the router") is never asked again, and a
step they cannot do ("no tengo computador") moves the guide on instead of asking once more."""

from __future__ import annotations

import pytest

from contactpro.models import Escalation
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    all_rows,
    escalations,
    latest_state,
)

PHONES = {"es": SPANISH, "en": ENGLISH}
OPENING = {"es": "se me cae el internet", "en": "my internet is not working"}
RESTART = {"es": "Apaga tu módem", "en": "Turn your modem or router off"}
CABLES = {"es": "Revisa que el cable", "en": "Check that the fiber"}
FIBRE = {"es": "desconecta el cable de fibra", "en": "unplug the fiber cable"}
COMPUTER = {"es": "Conecta un computador", "en": "Connect a computer"}
SKIPPED = {"es": "Como ya probaste eso", "en": "Since you already tried that"}
TECHNICIAN = {
    "es": "el equipo técnico verá cada paso",
    "en": "our technical team will see every step",
}


def _customer(customer_factory, language: str) -> None:
    currency = "COP" if language == "es" else "USD"
    customer_factory(phone=PHONES[language], language=language, currency=currency)


@pytest.mark.parametrize(
    ("language", "opening"),
    [
        ("es", "el internet no me funciona, ya reinicie el modem 3 veces y nada"),
        ("es", "Se me cae el wifi a cada rato!! ya lo apagué y lo prendí y sigue igual"),
        ("es", "no tengo internet, ya resetie el router"),
        ("en", "my internet keeps dropping, I already rebooted the router twice"),
        ("en", "no internet since this morning. turned it off and on, nothing"),
    ],
)
def test_a_restart_already_done_is_not_asked_again(
    sms, customer_factory, session, language, opening
):
    _customer(customer_factory, language)
    reply = sms(PHONES[language]).send(opening)
    assert SKIPPED[language] in reply and CABLES[language] in reply
    assert RESTART[language] not in reply
    state = latest_state(session)
    assert (state["flow"], state["awaiting"]) == ("connection", "step_result")
    assert "troubleshoot_1_done" in state["steps"] and "troubleshoot_2" in state["steps"]
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "answer"),
    [
        ("es", "ya lo reinicié y también revisé los cables, siguen bien conectados. nada"),
        ("en", "did it, and I checked the cables too, still not working"),
    ],
)
def test_steps_said_done_mid_guide_are_skipped(sms, customer_factory, session, language, answer):
    _customer(customer_factory, language)
    thread = sms(PHONES[language])
    first = thread.send(OPENING[language])
    assert RESTART[language] in first
    reply = thread.send(answer)
    assert FIBRE[language] in reply and CABLES[language] not in reply
    assert "troubleshoot_2_done" in latest_state(session)["steps"]


@pytest.mark.parametrize(
    ("language", "cannot"),
    [
        ("es", "no tengo computador, solo el celular"),
        ("es", "no tengo compu"),
        ("en", "I don't have a computer, just my phone"),
    ],
)
def test_a_step_the_customer_cannot_do_moves_on_to_a_technician(
    sms, customer_factory, session, language, cannot
):
    _customer(customer_factory, language)
    thread = sms(PHONES[language])
    still = {"es": "sigue igual", "en": "still not working"}[language]
    thread.send_all(OPENING[language], still, still)
    assert COMPUTER[language] in thread.send(still)
    reply = thread.send(cannot)
    assert TECHNICIAN[language] in reply
    [escalation] = all_rows(session, Escalation)
    assert escalation.reason == "troubleshooting_failed"
    assert escalation.context["steps_tried"][-1] == "troubleshoot_4"


def test_restart_and_cables_already_checked_start_at_the_fibre_light(
    sms, customer_factory, session
):
    _customer(customer_factory, "es")
    reply = sms(SPANISH).send(
        "el wifi esta lentisimo, ya apague y prendi el modem, ya revise q los cables esten bien "
        "y nada"
    )
    assert SKIPPED["es"] in reply and FIBRE["es"] in reply
    assert RESTART["es"] not in reply and CABLES["es"] not in reply


@pytest.mark.parametrize(
    ("language", "answer"),
    [
        ("es", "ya hice eso, la luz de internet no esta roja, esta verde. sigue sin funcionar"),
        ("en", "did that, the LOS light is not red, it's green. still not working"),
    ],
)
def test_a_light_said_not_to_be_red_is_no_red_light(
    sms, customer_factory, session, language, answer
):
    _customer(customer_factory, language)
    thread = sms(PHONES[language])
    still = {"es": "sigue igual", "en": "still not working"}[language]
    assert FIBRE[language] in thread.send_all(OPENING[language], still, still)
    reply = thread.send(answer)
    assert COMPUTER[language] in reply and TECHNICIAN[language] not in reply
    assert escalations(session) == []


def test_everything_already_tried_goes_straight_to_a_technician(sms, customer_factory, session):
    _customer(customer_factory, "es")
    reply = sms(SPANISH).send(
        "sin internet. ya reinicie el modem, revise los cables, desconecte y conecte la fibra "
        "y probe con el computador por cable de red. nada sirve"
    )
    assert "Ya probamos 4 pasos" in reply and TECHNICIAN["es"] in reply
    assert RESTART["es"] not in reply and COMPUTER["es"] not in reply
    [escalation] = escalations(session)
    assert escalation.reason == "troubleshooting_failed"
    assert escalation.context["steps_tried"] == [f"troubleshoot_{i}_done" for i in (1, 2, 3, 4)]

"""Connection problems as customers write them during the guide: going to do the step, asking
where the reset button is, a router and no modem, a step done before they wrote, and asking
whether there is an outage in their area, on texts and calls, in Spanish and English."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contactpro.models import Escalation, ServiceOutage, utcnow
from tests.contactpro.dialog.conftest import all_rows, escalations, latest_state
from tests.contactpro.dialog.test_troubleshooting_steps_already_tried import (
    CABLES,
    PHONES,
    RESTART,
    _customer,
)

OPENING = {"es": "se me cae el internet a cada rato", "en": "my internet is down since yesterday"}
ASK = {"es": "¿Ya funciona tu servicio?", "en": "Is your service working now?"}
TAKE_TIME = {"es": "Tómate el tiempo que necesites", "en": "Take your time"}
FIXED = {"es": "quedó funcionando", "en": "working again"}


@pytest.mark.parametrize(
    ("language", "wait", "then"),
    [
        ("es", "espera que voy a ver", "dónde está el botón de reset?"),
        ("es", "un momento, ya voy", "listo"),
        ("en", "hang on", "where is the reset button?"),
        ("en", "wait let me check", "ok I did it"),
    ],
)
def test_going_to_do_the_step_is_given_time_not_counted_as_unclear(
    sms, customer_factory, session, language, wait, then
):
    _customer(customer_factory, language)
    thread = sms(PHONES[language])
    assert RESTART[language] in thread.send(OPENING[language])
    reply = thread.send(wait)
    assert TAKE_TIME[language] in reply and RESTART[language] not in reply
    # Waiting spent nothing: what follows is still answered, never handed over as unclear.
    reply = thread.send(then)
    assert ASK[language] in reply
    state = latest_state(session)
    assert (state["flow"], state["awaiting"]) == ("connection", "step_result")
    assert escalations(session) == []
    assert FIXED[language] in thread.send(
        {"es": "ya funciona", "en": "it's working now thanks"}[language]
    )
    assert latest_state(session)["outcome_detail"] == "fixed"


@pytest.mark.parametrize(
    ("language", "asked", "answer"),
    [
        ("es", "dónde está el botón de reset?", "desconectar el cable de energía"),
        ("es", "no tengo modem, tengo un router", "El paso es el mismo con tu router"),
        ("en", "where is the reset button?", "unplug the modem's power cable"),
        ("en", "I don't have a modem I have a router", "The step is the same with your router"),
    ],
)
def test_a_question_about_the_step_is_answered_and_the_step_still_waits(
    sms, customer_factory, session, language, asked, answer
):
    _customer(customer_factory, language)
    thread = sms(PHONES[language])
    thread.send(OPENING[language])
    reply = thread.send(asked)
    assert answer in reply and reply.endswith(ASK[language])
    assert CABLES[language] not in reply  # the restart was not skipped
    state = latest_state(session)
    assert state["slots"]["step"] == 0 and not state["slots"].get("asked_again")
    assert "troubleshoot_1_done" not in state["steps"]
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "asked"),
    [("es", "dónde está el botón de reset"), ("en", "where is the reset button")],
)
def test_the_reset_button_answer_on_a_call_is_spoken_words(call, customer_factory, language, asked):
    _customer(customer_factory, language)
    phone = call(PHONES[language])
    phone.start()
    phone.say(OPENING[language])
    spoken, verb = phone.say(asked)
    assert verb == "Gather" and ASK[language] in spoken
    assert {"es": "desconectar el cable", "en": "unplug the modem"}[language] in spoken
    assert not any(mark in spoken for mark in ("Fuente", "Source", "*", "http"))


@pytest.mark.parametrize(
    ("language", "before"),
    [
        ("es", "ya lo reinicie antes de escribirles"),
        ("es", "eso ya lo había hecho"),
        ("en", "already did that before calling"),
        ("en", "I did that before I texted you"),
    ],
)
def test_a_step_done_before_writing_moves_the_guide_on(
    sms, customer_factory, session, language, before
):
    _customer(customer_factory, language)
    thread = sms(PHONES[language])
    thread.send(OPENING[language])
    reply = thread.send(before)
    assert CABLES[language] in reply and reply != ASK[language]
    state = latest_state(session)
    assert state["slots"]["step"] == 1 and "troubleshoot_2" in state["steps"]
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "asked", "none"),
    [
        ("es", "hay alguna falla en mi zona? no tengo internet", "ninguna falla en Bogot"),
        ("en", "is there an outage in my area?", "no outage on record in Bogot"),
    ],
)
def test_asking_about_an_outage_is_answered_when_there_is_none(
    sms, customer_factory, session, language, asked, none
):
    _customer(customer_factory, language)
    reply = sms(PHONES[language]).send(asked)
    assert none in reply
    assert {"es": "Apaga tu m", "en": "Turn your modem"}[language] in reply
    state = latest_state(session)
    assert (state["flow"], state["awaiting"]) == ("connection", "step_result")
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "asked", "told"),
    [
        ("es", "hay alguna falla en mi zona?", "corte de fibra en el norte. Esperamos"),
        ("en", "is there an outage in my area?", "fiber cut in the north. We expect"),
    ],
)
def test_an_outage_on_record_is_told_as_a_sentence(
    sms, customer_factory, session, language, asked, told
):
    _customer(customer_factory, language)
    session.add(
        ServiceOutage(
            city="Bogotá",
            description_es="corte de fibra en el norte",
            description_en="fiber cut in the north",
            starts_at=utcnow() - timedelta(hours=1),
            expected_end_at=utcnow() + timedelta(hours=3),
        )
    )
    session.commit()
    reply = sms(PHONES[language]).send(asked)
    assert told in reply and RESTART[language] not in reply
    assert latest_state(session)["steps"] == ["told_outage"]
    assert all_rows(session, Escalation) == []

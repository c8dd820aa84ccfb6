"""Pressing 0 on a call hands over at any point, the verification question included."""

from __future__ import annotations

import pytest

from tests.contactpro.dialog.conftest import agreements, escalations, latest_state

CALLERS = {
    "es": ("+573001112233", "tengo una pregunta sobre mi factura", "Te comunico con un asesor"),
    "en": ("+13055550123", "I have a question about my bill", "connecting you with an agent"),
}
MISMATCH = {"es": "no coincide", "en": "match"}
ASKED = {"es": "últimos cuatro dígitos", "en": "last four digits"}


@pytest.mark.parametrize("language", ["es", "en"])
def test_zero_during_verification_hands_over_and_is_no_failed_attempt(
    call, customer_factory, session, language
):
    number, question, connecting = CALLERS[language]
    customer_factory(phone=number, language=language, currency="COP" if language == "es" else "USD")
    phone = call(number)
    phone.start()
    asked, _ = phone.say(question)
    assert ASKED[language] in asked
    spoken, verb = phone.press("0")
    assert connecting in spoken and MISMATCH[language] not in spoken
    assert verb == "Enqueue"
    [escalation] = escalations(session)
    assert escalation.reason == "agent_request"
    assert latest_state(session)["verify_attempts"] == 0
    assert agreements(session) == []


def test_zero_typed_as_the_answer_to_the_id_question_is_no_identification(
    call, customer_factory, session
):
    phone = call("+573009998877")  # unknown number: asked for the cédula
    phone.start()
    phone.press("1")  # the language menu
    phone.say("quiero hacer un acuerdo de pago")
    spoken, _ = phone.press("0#")
    assert "Te comunico con un asesor" in spoken
    assert [e.reason for e in escalations(session)] == ["agent_request"]

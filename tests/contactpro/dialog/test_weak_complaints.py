"""A first message the model only weakly reads as a complaint is asked about, not handed over;
real complaints, and indignation about the service, still reach a person."""

from __future__ import annotations

import pytest

from contactpro.models import Turn
from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, all_rows, escalations


@pytest.mark.parametrize(
    "garbled",
    [
        "Uno menachia cabería era más que necesario.",
        "uno menachia caberia era mas que necesario",
        "Pues la verdad es que el otro día fui y nada",
    ],
)
def test_a_garbled_spanish_message_gets_a_clarifying_question(sms, session, garbled):
    asked = sms(SPANISH).send(garbled)
    assert "¿Tu consulta es sobre" in asked or "no entendí" in asked
    assert "asesor" not in asked
    assert escalations(session) == []


def test_the_clarifying_question_names_a_complaint_and_a_complaint_answer_hands_over(sms, session):
    thread = sms(SPANISH)
    asked = thread.send("Uno menachia cabería era más que necesario.")
    assert "¿Tu consulta es sobre una queja o sobre" in asked
    assert escalations(session) == []
    thread.send("una queja")
    [escalation] = escalations(session)
    assert escalation.reason == "complaint"


def test_a_garbled_english_message_gets_a_clarifying_question(sms, session):
    asked = sms(ENGLISH).send("I mean what happened was that the guy said")
    assert "Is your question about" in asked or "didn't get that" in asked
    assert "agent" not in asked
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("phone", "complaint"),
    [
        (SPANISH, "esto es una vergüenza, llevo 3 días sin internet"),
        (SPANISH, "Esto es una verguenza!! llevo 3 dias sin internet"),
        (SPANISH, "es el colmo, otra vez sin señal"),
        (SPANISH, "me parece inaceptable lo que están haciendo"),
        (SPANISH, "quiero quejarme del técnico que vino"),
        (SPANISH, "el asesor me trató muy mal"),
        (ENGLISH, "this is ridiculous, I've been without internet for 3 days"),
        (ENGLISH, "That's a disgrace, no internet since Monday"),
        (ENGLISH, "I want to file a complaint"),
    ],
)
def test_a_real_complaint_still_hands_over_at_once(sms, session, phone, complaint):
    answer = sms(phone).send(complaint)
    assert "consulta es sobre" not in answer and "question about" not in answer
    assert "módem" not in answer and "modem" not in answer
    [escalation] = escalations(session)
    assert escalation.reason == "complaint"
    [turn] = [t for t in all_rows(session, Turn) if t.speaker == "caller"]
    assert turn.intent == "complaint"


def test_sorry_in_spanish_is_no_complaint(sms, session):
    """A Colombian "qué vergüenza con usted" is an apology, not indignation."""
    answer = sms(SPANISH).send("qué vergüenza con usted pero no he podido pagar la factura")
    assert all(e.reason != "complaint" for e in escalations(session)), answer

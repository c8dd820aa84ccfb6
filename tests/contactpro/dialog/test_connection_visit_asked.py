"""A technician's visit asked for, as customers write and say it: "quiero una visita técnica",
"necesito que venga un técnico", "can you send a technician". The guide comes first, and the
customer hears why; insisting on the visit at a step hands over to a person (``visit_requested``)
with the steps tried; a visit that did not come, or the retention offer's preventive visit, is
no such request.
"""

from __future__ import annotations

import pytest

from contactpro.models import CancellationRequest
from contactpro.nlu.rules import apply_rules, visit_asked
from contactpro.nlu.text import normalise
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    all_rows,
    escalations,
    latest_state,
)
from tests.contactpro.dialog.test_cancellation_as_texted import OPENING, PHONES
from tests.contactpro.dialog.test_cancellation_handed_over import _customer

FIRST_STEP = {"es": "Apaga tu módem o router", "en": "Turn your modem or router off"}
VISIT_FIRST = {
    "es": "Para saber si hace falta una visita técnica, probemos primero",
    "en": "To see whether a technician's visit is needed, let's first try",
}
INSISTED = {
    "es": "te paso con el equipo técnico para agendar la visita",
    "en": "passing you to the technical team to book the visit",
}
NOT_UNDERSTOOD = ("no entendí", "didn't quite get")


def _texter(sms, customer_factory, language: str):
    if language == "es":
        customer_factory()
        return sms(SPANISH)
    customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")
    return sms(ENGLISH)


@pytest.mark.parametrize(
    ("language", "asked"),
    [
        ("es", "quiero una visita técnica"),
        ("es", "necesito que venga un tecnico a revisar el internet"),
        ("es", "mándenme un técnico por favor"),
        ("en", "can you send a technician"),
        ("en", "I need a technician to come look at my internet"),
    ],
)
def test_a_visit_asked_for_starts_the_guide_and_says_why(
    sms, customer_factory, session, language, asked
):
    thread = _texter(sms, customer_factory, language)
    reply = thread.send(asked)
    assert not any(words in reply for words in NOT_UNDERSTOOD), reply
    # An SMS spells some accents plainly ("modem"): the words are compared as the rules read them.
    assert normalise(VISIT_FIRST[language]) in normalise(reply), reply
    assert normalise(FIRST_STEP[language]) in normalise(reply), reply
    assert latest_state(session)["awaiting"] == "step_result"
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "insisted"),
    [
        ("es", "no, solo quiero que venga el técnico"),
        ("es", "sigue igual, manden un técnico"),
        ("en", "no just send a technician please"),
        ("en", "still not working, I need a technician"),
    ],
)
def test_insisting_on_the_visit_at_a_step_hands_over_for_it(
    sms, customer_factory, session, language, insisted
):
    thread = _texter(sms, customer_factory, language)
    thread.send("quiero una visita técnica" if language == "es" else "can you send a technician")
    reply = thread.send(insisted)
    assert INSISTED[language] in reply, reply
    [escalation] = escalations(session)
    assert escalation.reason == "visit_requested"


@pytest.mark.parametrize(
    ("language", "fixed"), [("es", "ya funciona, no hace falta el técnico"), ("en", "it works now")]
)
def test_fixed_at_the_step_needs_no_visit(sms, customer_factory, session, language, fixed):
    thread = _texter(sms, customer_factory, language)
    thread.send("quiero una visita técnica" if language == "es" else "can you send a technician")
    thread.send(fixed)
    assert escalations(session) == []
    assert latest_state(session)["resolved"] is True


@pytest.mark.parametrize(
    "text",
    [
        "el técnico no vino",
        "the technician never showed up",
        "acepto la visita técnica preventiva",
        "no necesito que venga un técnico",
        "quiero cancelar la visita técnica",
        "quiero quejarme del técnico que vino",
        "I want to complain about the technician you sent",
    ],
)
def test_a_visit_not_asked_for_is_no_connection_problem_by_rule(text):
    assert visit_asked(normalise(text)) is None
    language = "en" if "the " in text else "es"
    result = apply_rules(text, source="sms", language=language)
    assert "technician's visit" not in (result.reason or "")


@pytest.mark.parametrize(
    ("language", "taken"),
    [
        ("es", "sí, quiero la visita técnica"),
        ("es", "bueno que venga el técnico"),
        ("en", "yes send the technician"),
        ("en", "ok, I'll take the tech visit"),
    ],
)
def test_the_visit_the_retention_offer_is_taken_not_asked_anew(
    sms, customer_factory, session, language, taken
):
    """At the offer of a preventive visit (the *monitor* quadrant), asking for the technician
    takes the offer: retained, never the connection guide."""
    _customer(customer_factory, session, language, "monitor")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    reply = thread.send(taken)
    assert normalise(VISIT_FIRST[language]) not in normalise(reply), reply
    assert [(r.outcome, r.offer) for r in all_rows(session, CancellationRequest)] == [
        ("retained", "preventive_visit")
    ]
    assert escalations(session) == []

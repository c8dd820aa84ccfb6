"""What a customer's answers in a cancellation write: an offer refused is never recorded as one
to apply, a refused discount reaches the agent with the account and the offer, and "cancelar" /
"cancel" answering "¿cancelar tu servicio o ...?" picks cancelling instead of dropping the
conversation."""

from __future__ import annotations

import pytest

from contactpro.console.settings import update_config
from contactpro.models import CancellationRequest
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    all_rows,
    escalations,
    latest_state,
    place,
)
from tests.contactpro.dialog.test_handoff_details_page import agent_views, gathered

PHONES = {"es": SPANISH, "en": ENGLISH}


def _customer(customer_factory, language: str) -> None:
    currency = "COP" if language == "es" else "USD"
    customer_factory(phone=PHONES[language], language=language, currency=currency)


@pytest.mark.parametrize(
    ("language", "opening", "refusal", "kept"),
    [
        ("es", "quiero cancelar el servicio", "no gracias", "sigue activo"),
        ("es", "kiero dar de baja la linea", "no me interesa", "sigue activo"),
        ("en", "I want to cancel my service", "no thanks", "stays active"),
    ],
)
def test_an_offer_refused_then_a_no_to_cancelling_records_no_offer(
    sms, customer_factory, session, language, opening, refusal, kept
):
    _customer(customer_factory, language)
    thread = sms(PHONES[language])
    thread.send(opening)
    offered = thread.send("4050")
    assert {"es": "visita técnica preventiva", "en": "preventive"}[language] in offered
    asked = thread.send(refusal)
    assert {"es": "Confirmas que quieres cancelar", "en": "Do you confirm"}[language] in asked
    reply = thread.send("no")
    assert kept in reply
    assert {"es": "visita", "en": "visit"}[language] not in reply
    [request] = all_rows(session, CancellationRequest)
    # Nothing for the team to apply: the customer refused the visit and kept the service.
    assert (request.quadrant, request.offer, request.outcome) == ("monitor", None, "retained")
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "opening", "answer", "topic", "offer"),
    [
        (
            "es",
            "hola quiero cancelar, esta muy caro y se cae a cada rato",
            "cancelar",
            "cancelar tu servicio",
            "visita técnica preventiva",
        ),
        (
            "es",
            "hola quiero cancelar, esta muy caro y se cae a cada rato",
            "Cancelar por favor",
            "cancelar tu servicio",
            "visita técnica preventiva",
        ),
        (
            "en",
            "hi I wanna cancel this, 85 bucks a month for this garbage connection is a joke",
            "cancel",
            "cancelling your service",
            "preventive",
        ),
    ],
)
def test_cancelar_answering_the_topic_question_picks_cancelling(
    sms, customer_factory, session, language, opening, answer, topic, offer
):
    _customer(customer_factory, language)
    thread = sms(PHONES[language])
    question = thread.send(opening)
    assert topic in question
    asked = thread.send(answer)
    assert {"es": "Listo, lo dejamos ahí", "en": "I've stopped that"}[language] not in asked
    assert {"es": "dígitos", "en": "digits"}[language] in asked
    assert offer in thread.send("4050")
    assert latest_state(session)["flow"] == "cancellation"
    assert all_rows(session, CancellationRequest) == [] and escalations(session) == []


@pytest.mark.parametrize(
    ("language", "opening", "refusal"),
    [
        ("es", "quiero cancelar el servicio", "no gracias, igual me voy de la ciudad"),
        ("en", "I want to cancel my service", "nah, I'm moving out of state anyway"),
    ],
)
def test_a_refused_discount_reaches_the_agent_with_the_account_and_the_offer(
    app, sms, customer_factory, session, language, opening, refusal
):
    currency = "COP" if language == "es" else "USD"
    customer = customer_factory(phone=PHONES[language], language=language, currency=currency)
    number = customer.accounts[0].number
    place(session, customer, "retain", 30.0)
    settings = app.extensions["contactpro"].settings
    update_config(session, settings, {"offer_min_tenure_months": "0"}, None)
    session.commit()
    thread = sms(PHONES[language])
    thread.send(opening)
    assert "35 %" in thread.send("4050")
    thread.send(refusal)
    [request] = all_rows(session, CancellationRequest)
    assert (request.offer, request.outcome) == ("discount_35_3m", "escalated")
    [escalation] = escalations(session)
    assert escalation.reason == "retention_refused"
    assert escalation.context["details"]["cancellation"] == {
        "account": number,
        "offer": "discount_35_3m",
    }
    spanish, english, packet = agent_views(app, session, escalation.id)
    assert "El cliente quiere cancelar la cuenta ******" + number[-4:] in gathered(spanish)
    assert "no aceptó la oferta para quedarse (" in gathered(spanish)
    assert "The customer wants to cancel account ******" + number[-4:] in gathered(english)
    assert number not in gathered(spanish)
    assert packet["context"]["details"]["cancellation"]["account"] == "******" + number[-4:]

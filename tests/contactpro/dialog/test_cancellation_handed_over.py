"""A cancellation handed to a person before it ends still leaves its request: asking for one at
the retention offer or at the confirmation ("no, quiero hablar con un asesor", "I want to talk
to an agent"), by text or on a call, or answering unclearly twice, records the request as
escalated with the account and the offer made, linked to its escalation on the managers' list.
"""

from __future__ import annotations

import pytest

from contactpro.models import CancellationRequest
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    agent_views,
    all_rows,
    escalations,
    gathered,
    place,
)
from tests.webhooks.console.conftest import add_users, login

PHONES = {"es": SPANISH, "en": ENGLISH}
OPENING = {"es": "quiero cancelar el servicio", "en": "I want to cancel my service"}
PERSON = {"es": "no, quiero hablar con un asesor", "en": "no, I want to talk to an agent"}
REFUSED = {"es": "no gracias", "en": "no thanks"}
CONFIRM = {"es": "Confirmas que quieres cancelar", "en": "Do you confirm"}
OFFER_WORDS = {"es": "35 %", "en": "35 %"}
SPOKEN_OFFER = {"es": "35 por ciento de descuento", "en": "35 percent"}
CANCELLED_WORDS = {"es": "Registré tu solicitud de cancelación", "en": "recorded your cancellation"}
PAGE = "/console/manager/requests/"


def _customer(customer_factory, session, language: str, quadrant: str):
    """The customer of ``language`` (account 0000120451), placed in ``quadrant``."""
    if language == "es":
        customer = customer_factory(phone=SPANISH)
    else:
        customer = customer_factory(
            phone=ENGLISH, language="en", currency="USD", name="Grace Miller"
        )
    place(session, customer, quadrant, 30.0 if quadrant == "retain" else 20.0)
    return customer


def _escalated_request(session, customer, offer: str | None, reason: str) -> tuple[int, int]:
    """Assert the one request is escalated on the customer's account with ``offer``, linked to
    the one escalation (``reason``); return their ids."""
    [row] = all_rows(session, CancellationRequest)
    [escalation] = escalations(session)
    assert (row.account_id, row.offer, row.outcome) == (
        customer.accounts[0].id,
        offer,
        "escalated",
    )
    assert escalation.reason == reason
    assert row.interaction_id == escalation.interaction_id
    return row.id, escalation.id


def _listed(app, session, escalation_id: int) -> None:
    """Assert the managers' requests page lists the request, escalated, with its escalation."""
    add_users(session)
    manager = app.test_client()
    login(manager, "max@example.com")
    for language, outcome in (("es", "escalado"), ("en", "escalated")):
        page = manager.get(f"{PAGE}?outcome=escalated&lang={language}").text
        table = page.split('<table id="requests">', 1)[-1]
        assert f"/console/escalations/{escalation_id}" in table, table
        assert outcome in table, table


@pytest.mark.parametrize("language", ["es", "en"])
def test_asking_for_a_person_at_the_offer_by_sms_records_the_request(
    app, sms, customer_factory, session, language
):
    customer = _customer(customer_factory, session, language, "retain")
    thread = sms(PHONES[language])
    thread.send(OPENING[language])
    assert OFFER_WORDS[language] in thread.send("4050")
    reply = thread.send(PERSON[language])
    assert CANCELLED_WORDS[language] not in reply and CONFIRM[language] not in reply, reply
    _, escalation_id = _escalated_request(session, customer, "discount_35_3m", "agent_request")
    _listed(app, session, escalation_id)
    # The agent sees which account the customer wants cancelled, as after a refused offer.
    spanish, english, _ = agent_views(app, session, escalation_id)
    assert "El cliente quiere cancelar la cuenta ******0451" in gathered(spanish)
    assert "The customer wants to cancel account ******0451" in gathered(english)


@pytest.mark.parametrize("language", ["es", "en"])
def test_asking_for_a_person_at_the_confirmation_by_sms_records_the_request(
    app, sms, customer_factory, session, language
):
    customer = _customer(customer_factory, session, language, "care")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    assert CONFIRM[language] in thread.send(REFUSED[language])
    reply = thread.send(PERSON[language])
    assert CANCELLED_WORDS[language] not in reply, reply
    _, escalation_id = _escalated_request(
        session, customer, "loyalty_double_speed", "agent_request"
    )
    _listed(app, session, escalation_id)


@pytest.mark.parametrize("language", ["es", "en"])
def test_asking_for_a_person_at_the_offer_on_a_call_records_the_request(
    app, call, customer_factory, session, language
):
    customer = _customer(customer_factory, session, language, "retain")
    line = call(PHONES[language])
    line.start()
    line.say(OPENING[language])
    offer, _ = line.say({"es": "cuatro cero cinco cero", "en": "four zero five zero"}[language])
    assert SPOKEN_OFFER[language] in offer, offer
    line.say(PERSON[language])
    _, escalation_id = _escalated_request(session, customer, "discount_35_3m", "agent_request")
    _listed(app, session, escalation_id)


def test_two_unclear_answers_to_the_offer_record_the_request(sms, customer_factory, session):
    customer = _customer(customer_factory, session, "es", "care")
    thread = sms(SPANISH)
    thread.send_all(OPENING["es"], "4050", "mmm", "eh")
    _escalated_request(session, customer, "loyalty_double_speed", "not_understood")


def test_a_plain_refusal_still_records_one_request(sms, customer_factory, session):
    customer = _customer(customer_factory, session, "es", "retain")
    thread = sms(SPANISH)
    thread.send_all(OPENING["es"], "4050", "no, no me interesa")
    _escalated_request(session, customer, "discount_35_3m", "retention_refused")

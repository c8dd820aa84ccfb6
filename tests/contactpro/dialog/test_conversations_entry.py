"""Entry points from the customer's side: a request said at the voice language menu is kept, and
a contract number identifies a customer like an account number or a cédula (typed or spoken).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from contactpro.models import Customer, Escalation, Turn
from tests.contactpro.dialog.conftest import latest_interaction

UNKNOWN = "+573009998877"
UNKNOWN_EN = "+13055559999"
CONTRACT = "80000001230"


@pytest.fixture
def holder_en(session, customer_factory) -> Customer:
    """An English-speaking debtor (ID 1020304050, born 1988) 40 days past due on 300 dollars."""
    customer = customer_factory(
        phone="+13055550123", language="en", currency="USD", name="Grace Miller"
    )
    account = customer.accounts[0]
    account.debt_amount, account.days_past_due, account.status = Decimal("300"), 40, "delinquent"
    account.contract_number = CONTRACT
    session.commit()
    return customer


# --- the language menu ---------------------------------------------------------------------------


def test_request_at_the_language_menu_is_resumed_after_identification(call, cedula_holder, session):
    phone = call(UNKNOWN)
    menu, _ = phone.start()
    assert "English" in menu or "inglés" in menu
    asked, _ = phone.say("buenas, quiero negociar mi deuda")
    assert "cédula" in asked and "¿En qué más te puedo ayudar?" not in asked
    interaction = latest_interaction(session)
    assert interaction.language == "es" and interaction.state["pending_intent"] == (
        "debt_negotiation"
    )
    assert "año naciste" in phone.say("uno cero uno nueve seis siete tres siete cinco cero")[0]
    offers, _ = phone.say("mil novecientos noventa")
    assert "450000 pesos" in offers and "mora" in offers
    turns = session.scalars(select(Turn).where(Turn.interaction_id == interaction.id)).all()
    said = [t.text for t in turns if t.speaker == "caller"]
    assert (
        "buenas, quiero negociar mi deuda" in said
    )  # kept in the transcript, not only its language
    assert session.scalars(select(Escalation)).first() is None


def test_english_request_at_the_language_menu_picks_english_and_is_answered(
    call, holder_en, session
):
    phone = call(UNKNOWN_EN)
    phone.start()
    asked, _ = phone.say("I want to negotiate my debt")
    assert "ID or account number" in asked and "cédula" not in asked
    assert latest_interaction(session).language == "en"
    assert "last four digits" in phone.say("my contract number is " + CONTRACT)[0]
    offers, _ = phone.say("4050")
    assert "300 dollars" in offers and "days past due" in offers


def test_cedula_said_at_the_language_menu_starts_verification(call, cedula_holder, session):
    phone = call(UNKNOWN)
    phone.start()
    asked, _ = phone.say("mi cédula es uno cero uno nueve seis siete tres siete cinco cero")
    assert "año naciste" in asked
    assert latest_interaction(session).state["customer_id"] == cedula_holder.id


@pytest.mark.parametrize(("said", "language"), [("español", "es"), ("English please", "en")])
def test_a_plain_language_choice_still_greets(call, cedula_holder, session, said, language):
    phone = call(UNKNOWN)
    phone.start()
    greeting, _ = phone.say(said)
    expected = "En qué te puedo ayudar" if language == "es" else "How can I help"
    assert expected in greeting and latest_interaction(session).language == language


# --- contract numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said", [CONTRACT, f"mi contrato es el {CONTRACT}", "contrato 800-0000-1230"]
)
def test_typed_contract_number_identifies_the_customer(sms, cedula_holder, session, said):
    thread = sms(UNKNOWN)
    asked = thread.send(said)
    assert "cuatro dígitos" in asked and "450.000" not in asked
    assert latest_interaction(session).state["customer_id"] == cedula_holder.id
    balance = thread.send("3750")
    assert latest_interaction(session).state["verified"] is True and "ayudar" in balance


def test_contract_number_answers_the_identification_question(sms, cedula_holder, session):
    thread = sms(UNKNOWN)
    assert "cédula o de cuenta" in thread.send("quiero un acuerdo de pago")
    assert "cuatro dígitos" in thread.send(f"contrato {CONTRACT}")
    offers = thread.send("3750")
    assert "450.000 pesos" in offers


def test_spoken_contract_number_on_a_call(call, cedula_holder, session):
    phone = call(UNKNOWN)
    phone.start()
    phone.press("1")
    asked, _ = phone.say(
        "mi número de contrato es ocho cero cero cero cero cero cero uno dos tres cero"
    )
    assert "cuatro dígitos" in asked
    assert latest_interaction(session).state["customer_id"] == cedula_holder.id


def test_english_contract_number_by_text(sms, holder_en, session):
    thread = sms(UNKNOWN_EN)
    asked = thread.send(f"my contract number is {CONTRACT}")
    assert "last four digits" in asked and "300" not in asked
    assert latest_interaction(session).state["customer_id"] == holder_en.id


def test_unknown_contract_number_is_said_not_found(sms, cedula_holder, session):
    reply = sms(UNKNOWN).send("mi contrato es 80000009999")
    assert (
        "No encontré ese número" in reply
        and latest_interaction(session).state["customer_id"] is None
    )

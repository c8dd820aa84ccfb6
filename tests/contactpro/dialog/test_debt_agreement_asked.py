"""A debtor asks what they agreed: "¿qué acuerdo hice?", "¿cuándo pago la primera cuota del
acuerdo?", "what did I agree to?", "when is my first payment?".

The agreement in force is told (account, terms, what to pay first), nothing new is offered or
booked and nobody is handed over; with none in force the customer is told so and offered one.
"""

from __future__ import annotations

import unicodedata

import pytest

from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_account,
    agreements,
    escalations,
    make_overdue,
)


def plain(text: str) -> str:
    """Return ``text`` without accents (a long SMS goes out in GSM-7 letters)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


@pytest.mark.parametrize(
    "asked",
    [
        "qué acuerdo hice?",
        "cual es mi acuerdo de pago",
        "cuándo tengo que pagar la primera cuota del acuerdo?",
        "cuanto debo pagar primero?",
    ],
)
def test_the_agreement_booked_is_told_when_asked(sms, customer_factory, session, asked):
    customer = make_overdue(session, customer_factory(phone=SPANISH), "450000", 75)
    add_account(session, customer, "0000111800", "120000", 40)
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la 1", "la 3", "si", "si")
    [booked] = agreements(session)
    told = plain(thread.send(asked))
    assert "Tu acuerdo de pago activo en la cuenta 0000120451: 3 cuotas de 150.000 pesos" in told
    assert "Lo primero que debes pagar son 150.000 pesos" in told
    assert "Sobre cual quieres hacer el acuerdo" not in told and "Te ofrezco" not in told
    assert agreements(session) == [booked] and escalations(session) == []


@pytest.mark.parametrize(
    "asked", ["what did I agree to?", "when is my first payment?", "how much is my first payment?"]
)
def test_english_the_agreement_booked_is_told_when_asked(sms, english_debtor, session, asked):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050", "1", "yes", "yes")
    [booked] = agreements(session)
    told = thread.send(asked)
    assert "Your active payment agreement on account 0000120451: a single payment of" in told
    assert f"The first amount to pay is {booked.total:.2f} dollars" in told
    assert "didn't quite get that" not in told and "I can offer" not in told
    assert agreements(session) == [booked] and escalations(session) == []


def test_no_agreement_in_force_is_said_before_the_offers(sms, debtor, session):
    reply = plain(sms(SPANISH).send_all("que acuerdo hice?", "4050"))
    assert reply.startswith("No tienes ningun acuerdo de pago activo.")
    assert "Te ofrezco" in reply and agreements(session) == []

"""Debtor follow-ups: a part already paid and the rest to settle ("ya pagué 100 mil, quiero
saldar el resto"), "what did I agree to?" while the options are listed, the note on options
an SMS cannot carry, and discounts quoted as the offer defines them.

A payment claimed is checked first (found or not); the debt on record is then negotiated and
nobody is handed over. With the options listed, nothing is booked yet and the customer is told
so. A discount is the policy's round percentage, never the one the rounded total works out.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_payment,
    agreements,
    escalations,
    make_overdue,
    one_agreement,
)
from tests.contactpro.dialog.test_debt_agreement_asked import plain

MEXICO = "+5218180352657"

# --- a part paid, the rest to settle -------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "ya pagué 100 mil, quiero saldar el resto",
        "ya pague 100.000 y quiero negociar lo que me falta",
        "abone 100 mil, como pago lo restante?",
    ],
)
def test_unmatched_part_payment_is_told_then_the_rest_negotiated(sms, debtor, session, said):
    thread = sms(SPANISH)
    reply = plain(thread.send_all(said, "4050"))
    assert reply.startswith("No encuentro un pago de 100.000 pesos en tu cuenta 0000120451")
    assert "Tienes una deuda de 450.000 pesos con 75 dias de mora" in reply
    assert "3) 3 cuotas de 150.000 pesos" in reply and "no caben" not in reply
    assert "asesor" not in reply and escalations(session) == []
    thread.send_all("la 3", "si")
    assert one_agreement(session).instalments == 3 and escalations(session) == []


def test_matched_part_payment_is_confirmed_then_the_rest_negotiated(sms, debtor, session):
    add_payment(session, debtor.accounts[0], "100000")
    reply = plain(sms(SPANISH).send_all("ya pagué 100 mil, quiero saldar el resto", "4050"))
    assert reply.startswith("Si, recibimos tu pago de 100.000 pesos")
    assert "Te ofrezco: 1) un pago unico de 382.500 pesos" in reply
    assert agreements(session) == [] and escalations(session) == []


@pytest.mark.parametrize(
    "said",
    [
        "I already paid 100 dollars, I want to settle the rest",
        "i paid $100 already, can i pay off what's left?",
    ],
)
def test_english_part_payment_then_the_rest_negotiated(sms, english_debtor, session, said):
    thread = sms(ENGLISH)
    reply = thread.send_all(said, "4050")
    assert reply.startswith("I can't find a payment of 100.00 dollars on your account 0000120451")
    assert "You owe 240.00 dollars" in reply and "3) 3 instalments of 80.00 dollars" in reply
    assert "agent" not in reply and escalations(session) == []
    again = thread.send("3")
    assert "Let me confirm the agreement" in again and escalations(session) == []


def test_english_matched_part_payment_is_confirmed(sms, english_debtor, session):
    add_payment(session, english_debtor.accounts[0], "100")
    reply = sms(ENGLISH).send_all("I already paid 100 dollars, I want to settle the rest", "4050")
    assert reply.startswith("Yes, we received your payment of 100.00 dollars")
    assert "I can offer: 1) a single payment of 156.00 dollars" in reply
    assert escalations(session) == []


# --- "what did I agree to?" with the options listed -----------------------------------------------


@pytest.mark.parametrize("asked", ["que acuerdo hice?", "cual es mi acuerdo", "qué acordamos?"])
def test_nothing_booked_is_said_while_options_are_listed(sms, debtor, session, asked):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    told = plain(thread.send(asked))
    assert told.startswith("Todavia no has hecho ningun acuerdo de pago: no he registrado nada.")
    assert "1) un pago unico de 382.500 pesos" in told and "Cual prefieres?" in told
    assert "Tus opciones son" not in told and "pedirme otro numero" not in told
    assert "Te confirmo el acuerdo" in plain(thread.send("la 1"))
    assert agreements(session) == [] and escalations(session) == []


@pytest.mark.parametrize(
    "asked", ["what did I agree to?", "whats my agreement", "what did we agree?"]
)
def test_english_nothing_booked_is_said_while_options_are_listed(
    sms, english_debtor, session, asked
):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    told = thread.send(asked)
    assert told.startswith("You haven't made a payment agreement yet: nothing is booked.")
    assert "1) a single payment of 156.00 dollars" in told and "Your options are" not in told
    assert agreements(session) == [] and escalations(session) == []


# --- the note on options an SMS cannot carry ------------------------------------------------------


@pytest.mark.parametrize(
    ("segments", "note"),
    [(2, "(y 1 mas que no cabe en este mensaje)"), (1, "(y 3 mas que no caben en este mensaje)")],
)
def test_left_out_note_agrees_with_its_count(app_config, request, segments, note):
    app_config["max_sms_segments"] = segments
    sms = request.getfixturevalue("sms")
    request.getfixturevalue("debtor")
    reply = sms(SPANISH).send_all("quiero negociar mi deuda", "4050")
    assert note in reply and "1 mas que no caben" not in reply


@pytest.mark.parametrize(
    ("segments", "note"),
    [
        (2, "(and 1 more that does not fit in this message)"),
        (1, "(and 3 more that do not fit in this message)"),
    ],
)
def test_english_left_out_note_agrees_with_its_count(app_config, request, segments, note):
    app_config["max_sms_segments"] = segments
    sms = request.getfixturevalue("sms")
    session = request.getfixturevalue("session")
    make_overdue(session, request.getfixturevalue("english_debtor"), "12400.00", 200)
    reply = sms(ENGLISH).send_all("I want to negotiate my debt", "4050")
    assert note in reply and "1 more that do not" not in reply


# --- discounts as the offer defines them ----------------------------------------------------------


def test_mexican_discount_is_the_offered_round_percentage(sms, customer_factory, session):
    customer = customer_factory(phone=MEXICO, currency="MXN", balance="688.49")
    make_overdue(session, customer, "688.49", 20)
    thread = sms(MEXICO)
    reply = plain(thread.send_all("quiero negociar mi deuda", "4050"))
    assert "1) un pago unico de 654 pesos mexicanos" in reply
    assert "(descuento del 5 %)" in reply and "(descuento del 2,5 %)" in reply
    assert "4,94" not in reply and "2,47" not in reply
    thread.send_all("la 1", "si")
    booked = one_agreement(session)
    assert (booked.total, booked.discount_pct) == (Decimal("654"), Decimal("5"))

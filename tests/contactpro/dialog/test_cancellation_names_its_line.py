"""A cancellation that names its line in words ("cancelar el internet de la casa", "cancel my
mobile line") from a customer with several accounts goes to that account, as the debt flow
reads it, instead of asking which one."""

from __future__ import annotations

import pytest

from contactpro.models import CancellationRequest
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_account,
    add_us_account,
    all_rows,
    escalations,
    place,
)


@pytest.mark.parametrize(
    ("message", "cancelled"),
    [
        ("quiero cancelar el internet de la casa", "0000120451"),
        ("cancelar el servicio del hogar", "0000120451"),
        ("quiero cancelar mi linea movil", "3104447654"),
        ("cancelar el celular", "3104447654"),
    ],
)
def test_spanish_cancellation_in_words_goes_to_the_named_line(
    sms, customer_factory, session, message, cancelled
):
    customer = customer_factory(phone=SPANISH)
    add_account(session, customer, "3104447654")
    place(session, customer, "let_go", 20.0)
    thread = sms(SPANISH)
    thread.send(message)
    asked = thread.send("4050")
    assert "Tienes 2 cuentas" not in asked and "quieres cancelar?" not in asked, asked
    assert f"cuenta {cancelled}" in asked, asked
    assert "Registré" in thread.send("sí")
    [request] = all_rows(session, CancellationRequest)
    numbers = {a.id: a.number for a in customer.accounts}
    assert (numbers[request.account_id], request.outcome) == (cancelled, "cancelled")
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("message", "cancelled"),
    [
        ("I want to cancel my mobile line", "3055550999"),
        ("please cancel my cell phone", "3055550999"),
        ("cancel my home internet", "0000120451"),
    ],
)
def test_english_cancellation_in_words_goes_to_the_named_line(
    sms, customer_factory, session, message, cancelled
):
    customer = customer_factory(phone=ENGLISH, language="en", currency="USD")
    add_us_account(session, customer, "3055550999")
    place(session, customer, "let_go", 20.0)
    thread = sms(ENGLISH)
    thread.send(message)
    asked = thread.send("4050")
    assert "You have 2 accounts" not in asked and "Which one" not in asked, asked
    assert f"account {cancelled}" in asked, asked


def test_a_line_named_by_a_word_two_plans_share_still_asks_which(sms, customer_factory, session):
    customer = customer_factory(phone=SPANISH)
    add_account(session, customer, "0000777001", plan="Hogar Triple Play 300 Mb")
    place(session, customer, "let_go", 20.0)
    thread = sms(SPANISH)
    thread.send("quiero cancelar el servicio de la casa")
    asked = thread.send("4050")
    assert "Tienes 2 cuentas" in asked and "quieres cancelar?" in asked, asked
    assert all_rows(session, CancellationRequest) == []


def test_a_line_named_with_the_id_number_in_the_same_message_goes_to_that_line(
    sms, cedula_holder, session
):
    """The customer's own id number in the message is not an account number: the line named in
    words still picks the account (it asked which of the two)."""
    add_account(session, cedula_holder, "3104447654")
    place(session, cedula_holder, "let_go", 20.0)
    thread = sms("+573009998877")
    assert "en qué año naciste" in thread.send(
        "quiero cancelar el internet de la casa, mi cédula es 1019673750"
    )
    asked = thread.send("1990")
    assert "Tienes 2 cuentas" not in asked and "quieres cancelar?" not in asked, asked
    assert "cuenta 0000120451" in asked, asked
    assert "Registré" in thread.send("sí")
    [request] = all_rows(session, CancellationRequest)
    numbers = {a.id: a.number for a in cedula_holder.accounts}
    assert numbers[request.account_id] == "0000120451"

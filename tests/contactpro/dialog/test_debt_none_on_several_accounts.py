"""A customer with nothing overdue who asks to pay a debt in instalments is told the balance of
every account, not the first one's: with the first at zero and the second owing its bill, the
reply said "no debt, your balance is 0" and left the second out."""

from __future__ import annotations

from sqlalchemy import select

from contactpro.models import Escalation
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_account,
    add_us_account,
    agreements,
)


def test_a_bill_due_on_the_second_account_is_told_in_spanish(sms, customer_factory, session):
    customer = customer_factory(balance="0")
    add_account(session, customer, "0000987654", balance="59900")
    thread = sms(SPANISH)
    thread.send("quiero pagar mi deuda en cuotas")

    told = thread.send("4050")

    assert "No tienes deudas vencidas" in told
    assert "59.900 pesos" in told and "7654" in told and "al dia" in told.replace("í", "i")
    assert "Tu saldo actual es de 0" not in told
    assert agreements(session) == []
    assert session.scalars(select(Escalation)).all() == []


def test_a_bill_due_on_the_second_account_is_told_in_english(sms, customer_factory, session):
    customer = customer_factory(phone=ENGLISH, language="en", currency="USD", balance="0")
    add_us_account(session, customer, "0000987654", balance="58.85")
    thread = sms(ENGLISH)
    thread.send("I want to pay my debt in installments")

    told = thread.send("4050")

    assert "You have no overdue debt" in told
    assert "58.85 dollars" in told and "7654" in told
    assert "Your current balance is 0" not in told
    assert agreements(session) == []


def test_one_account_keeps_the_short_answer(sms, customer_factory, session):
    customer_factory(balance="59900")
    thread = sms(SPANISH)
    thread.send("quiero pagar mi deuda en cuotas")

    told = thread.send("4050")

    assert "No tienes deudas vencidas. Tu saldo actual es de 59.900 pesos." in told

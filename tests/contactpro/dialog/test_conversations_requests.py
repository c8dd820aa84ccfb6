"""Requests the bot must not lose, from the customer's side: a disputed charge, a copy of an
invoice, two requests in one message, a cancellation taken back, abuse in the middle of an
offer, and a known caller naming their own account.
"""

from __future__ import annotations

from sqlalchemy import select

from contactpro.models import AuditLog, CancellationRequest
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_payment,
    agreements,
    all_rows,
    escalations,
    latest_state,
    sent_sms,
)

# --- disputed charges ----------------------------------------------------------------------------


def test_double_charge_shows_the_charges_and_goes_to_a_person(sms, billed, session):
    customer = billed()
    account = customer.accounts[0]
    add_payment(session, account, "89900", reference="PDUP", days_ago=2)  # the same, again
    thread = sms(SPANISH)
    thread.send("me cobraron doble este mes!! me salieron 2 cargos en la tarjeta")
    reply = thread.send("4050")
    assert "cobro doble" in reply and "89.900 pesos" in reply and "parece duplicado" in reply
    assert "Tu saldo" not in reply and "resolví tu consulta" not in reply
    [escalation] = escalations(session)
    assert (escalation.reason, escalation.priority) == ("billing_dispute", 60)
    details = escalation.context["details"]
    assert details["dispute"] == "double_charge"
    twice = [p["reference"] for p in details["charges"][0]["payments"] if p["twice"]]
    assert sorted(twice) == ["P112233", "PDUP"]
    assert not latest_state(session)["resolved"]


def test_asking_about_the_double_charge_after_the_balance_is_not_the_balance_again(
    sms, billed, session
):
    billed(ENGLISH, "en")
    thread = sms(ENGLISH)
    thread.send_all("how much do I owe", "4050")
    reply = thread.send("ok but what about the double charge??")
    assert "double charge" in reply and "The balance on account" not in reply
    assert "Did that answer your question" not in reply and "agent" in reply
    [escalation] = escalations(session)
    assert escalation.reason == "billing_dispute"
    assert escalation.context["details"]["charges"][0]["account"] == "0000120451"


def test_unrecognised_charge_of_a_named_month(sms, billed, session):
    billed(ENGLISH, "en")
    thread = sms(ENGLISH)
    thread.send("there's a charge I don't recognize on my november bill")
    reply = thread.send("4050")
    assert "charge you don't recognise" in reply and "November bill for 64.00 dollars" in reply
    [escalation] = escalations(session)
    assert escalation.context["details"]["month"] == 11


# --- a copy of an invoice ------------------------------------------------------------------------


def test_invoice_copy_is_sent_with_its_details(sms, billed, session):
    billed()
    thread = sms(SPANISH)
    thread.send("necesito una copia de mi factura de octubre porfa, me la mandan al correo?")
    reply = thread.send("4050")
    assert "Copia de la factura F11223310" in reply and "89.900 pesos" in reply
    assert "pagada" in reply and "por correo" in reply and "Tu saldo" not in reply
    assert escalations(session) == []


def test_invoice_copy_on_a_call_goes_by_sms(app, call, billed):
    billed(ENGLISH, "en")
    phone = call(ENGLISH)
    phone.start()
    phone.say("can you send me a copy of my november bill")
    spoken, _ = phone.press("4050")
    assert "texted you a copy of your bill" in spoken
    [message] = [m for m in sent_sms(app) if "Copy of bill" in m["body"]]
    assert (
        "F55012311" in message["body"]
        and "0000120451" in message["body"]
        and "Long-distance calls" in message["body"]
    )


# --- two requests in one message -----------------------------------------------------------------


def test_second_request_of_a_message_is_handled_after_the_first(sms, billed, session):
    billed()
    thread = sms(SPANISH)
    first = thread.send(
        "hola, el internet se me cae a cada rato y ademas quiero saber por q me llego tan cara "
        "la factura"
    )
    assert "una a la vez" in first
    reply = thread.send("4050")
    assert reply.index("107.000 pesos") < reply.index("Ahora, sobre")  # the bill first
    assert "Ahora, sobre una falla de tu internet" in reply and "¿Ya funciona" in reply
    assert latest_state(session)["flow"] == "connection"


def test_second_request_goes_with_the_hand_over(sms, billed, session):
    billed(ENGLISH, "en")
    thread = sms(ENGLISH)
    first = thread.send("you charged me twice this month and also my internet keeps dropping")
    assert "one at a time" in first and "a problem with your internet" in first
    reply = thread.send("4050")
    assert "double charge" in reply and "agent" in reply
    [escalation] = escalations(session)
    assert escalation.reason == "billing_dispute"
    assert escalation.context["details"]["pending_requests"] == ["connection_problem"]
    assert latest_state(session)["queued"] == []


# --- a cancellation taken back -------------------------------------------------------------------


def _cancel(thread, *answers: str) -> None:
    thread.send_all("quiero cancelar el servicio", "4050", *answers)


def test_cancellation_taken_back_is_withdrawn_and_never_restarted(sms, customer_factory, session):
    customer_factory()
    thread = sms(SPANISH)
    _cancel(thread, "no gracias, igual me voy", "sí")
    [request] = all_rows(session, CancellationRequest)
    assert request.outcome == "cancelled"
    reply = thread.send("uy no espera, me arrepentí, mejor no cancelo, me quedo")
    assert "anulé tu solicitud de cancelación" in reply and "0000120451" in reply
    again = thread.send("lo de cancelar, que NO lo cancelen")
    assert "Cuál quieres cancelar" not in again and "Te ofrezco" not in again
    assert "sigue activo" in again
    [request] = all_rows(session, CancellationRequest)
    assert request.outcome == "withdrawn"
    [audit] = session.scalars(select(AuditLog)).all()
    assert (audit.action, audit.target) == ("cancellation.withdraw", f"cancellation:{request.id}")
    assert (audit.before, audit.after["outcome"]) == ({"outcome": "cancelled"}, "withdrawn")


def test_cancelling_again_never_writes_a_second_row(sms, customer_factory, session):
    customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")
    thread = sms(ENGLISH)
    thread.send_all("I want to cancel my service", "4050", "no thanks", "yes")
    reply = thread.send("I want to cancel my service")
    assert "already have a cancellation request" in reply
    assert len(all_rows(session, CancellationRequest)) == 1
    thread.send("I changed my mind, don't cancel it")
    thread.send("start over")
    thread.send_all("I want to cancel my service", "no thanks", "yes")
    [request] = all_rows(session, CancellationRequest)
    assert request.outcome == "cancelled"
    actions = [a.action for a in session.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert actions == ["cancellation.withdraw", "cancellation.update"]


def test_negated_cancellation_with_nothing_recorded_starts_nothing(sms, customer_factory, session):
    customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")
    thread = sms(ENGLISH)
    assert "For your security" in thread.send("I don't want to cancel anymore")
    reply = thread.send("4050")
    assert "won't cancel anything" in reply and "stay with us" not in reply
    assert all_rows(session, CancellationRequest) == []


# --- abuse in the middle of an offer -------------------------------------------------------------


def test_abuse_during_an_offer_goes_to_a_person_first(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero un acuerdo de pago", "4050")
    reply = thread.send("ustedes son unos ladrones hijueputas, me están robando con esos intereses")
    assert "Lamento mucho" in reply and "prioridad" in reply and "Registro el acuerdo" not in reply
    assert agreements(session) == []
    [escalation] = escalations(session)
    assert escalation.reason == "complaint" and escalation.priority == 85
    assert escalation.context["details"]["abuse"] is True
    assert escalation.context["details"]["interrupted"]["flow"] == "debt"


def test_english_abuse_during_an_offer(sms, english_debtor, session):
    thread = sms(ENGLISH)
    thread.send_all("I need a payment plan", "4050")
    reply = thread.send("you guys are thieves, you're robbing me with this interest")
    assert "sorry" in reply and "priority" in reply
    [escalation] = escalations(session)
    assert escalation.priority > 70 and agreements(session) == []


# --- a known caller naming their own account -----------------------------------------------------


def test_known_caller_naming_their_account_gets_the_offers(sms, debtor, session):
    thread = sms(SPANISH)
    first = thread.send("acuerdo de pago para la cuenta 0000120451")
    assert "no entendí" not in first and "asesor" not in first
    reply = thread.send("4050")
    assert "Tienes una deuda de 450.000 pesos" in reply and "Te ofrezco" in reply
    assert escalations(session) == []


def test_english_known_caller_naming_their_account(sms, english_debtor, session):
    thread = sms(ENGLISH)
    first = thread.send("payment plan for account 0000120451")
    assert "For your security" in first
    reply = thread.send("4050")
    assert "240.00 dollars" in reply and latest_state(session)["flow"] == "debt"
    assert escalations(session) == []


def test_negotiating_what_is_owed_with_typos_after_a_hello(sms, debtor, session):
    reply = sms(SPANISH).send("hola, qiero negociar lo q debo")
    assert "últimos cuatro dígitos" in reply and "¿En qué te puedo ayudar?" not in reply
    assert latest_state(session)["pending_intent"] == "debt_negotiation"

"""Retention, payment channels and product questions from the customer's side.

Before any conformity analysis a customer's retention offer follows their payment history and
bill (a 95-day debtor is never offered a benefit); the managers' minimum tenure keeps the discount
from new customers; an unverified texter never reads their account number; a roaming question
is answered from the article.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from contactpro.console.settings import update_config
from contactpro.models import (
    CancellationRequest,
    Escalation,
    Interaction,
    ServiceOutage,
    utcnow,
)
from tests.contactpro.dialog.conftest import all_rows, place


def test_delinquent_customer_before_any_analysis_gets_no_benefit(sms, customer_factory, session):
    customer = customer_factory()
    account = customer.accounts[0]
    account.debt_amount, account.days_past_due, account.status = Decimal("300000"), 95, "delinquent"
    session.commit()
    thread = sms("+573001112233")
    thread.send("quiero cancelar el servicio")
    reply = thread.send("4050")
    assert "doble de velocidad" not in reply and "descuento" not in reply
    assert "Confirmas que quieres cancelar" in reply
    thread.send("sí")
    [request] = all_rows(session, CancellationRequest)
    assert (request.quadrant, request.offer, request.outcome) == ("let_go", None, "cancelled")


def test_punctual_customer_before_any_analysis_follows_the_bill(sms, customer_factory, session):
    customer_factory()  # the only account: its charge is the median, so billing is high
    thread = sms("+573001112233")
    thread.send("quiero cancelar")
    reply = thread.send("4050")
    assert "visita técnica preventiva" in reply and "doble de velocidad" not in reply
    thread.send("sí")
    [request] = all_rows(session, CancellationRequest)
    assert (request.quadrant, request.outcome) == ("monitor", "retained")


def test_minimum_tenure_keeps_the_discount_from_a_new_customer(app, sms, customer_factory, session):
    customer = customer_factory(
        phone="+13055550123", language="en", currency="USD", name="Grace Miller"
    )
    customer.accounts[0].opened_on = date.today() - timedelta(days=300)
    place(session, customer, "retain", 20.0)
    thread = sms("+13055550123")
    thread.send("I want to cancel my service")
    # Ten months of tenure, six required by default; the default maximum discount is 35 %.
    assert "35 % off" in thread.send("4050")
    update_config(
        session, app.extensions["contactpro"].settings, {"offer_min_tenure_months": "12"}, None
    )
    session.commit()
    thread.send("start over")
    again = thread.send("I want to cancel my service")
    assert "% off" not in again and "preventive technical visit" in again


def test_unverified_texter_is_not_told_the_account_number(sms, customer_factory):
    customer_factory()
    reply = sms("+573001112233").send("dónde puedo pagar la factura")
    assert "PSE" in reply and "0000120451" not in reply


def test_verified_customer_hears_the_account_number_to_pay_with(sms, billed):
    billed()
    thread = sms("+573001112233")
    thread.send_all("cuánto debo", "4050")
    thread.send("sí")
    assert "0000120451" in thread.send("dónde puedo pagar")


def test_roaming_question_is_answered_from_the_article(sms, session):
    reply = sms("+573009990000").send("¿funciona el celular en Europa?")
    assert "roaming" in reply and "no entendí" not in reply
    assert session.scalars(select(Escalation)).first() is None


def test_english_roaming_question_on_a_call(call):
    phone = call("+13055559999")
    phone.start()
    phone.press("2")
    spoken, _ = phone.say("does my phone work in europe?")
    assert "roaming" in spoken and "identify you" not in spoken


# --- connection -----------------------------------------------------------------------------------


def test_red_los_light_goes_to_the_fibre_step(sms, customer_factory, session):
    customer_factory()
    thread = sms("+573001112233")
    first = thread.send("no tengo internet")
    assert "Apaga tu módem" in first
    fibre = thread.send("la luz LOS está roja")
    assert "cable de fibra" in fibre and "LOS" in fibre and "Apaga tu módem" not in fibre
    assert "troubleshoot_3" in (state := session.scalars(select(Interaction)).one().state)["steps"]
    assert state["escalated"] is False
    # Still red after the fibre step: a technician, with the steps tried.
    thread.send("sigue roja la luz")
    session.expire_all()
    assert session.scalars(select(Escalation)).one().reason == "troubleshooting_failed"


def test_still_dropping_moves_on_instead_of_repeating_the_question(call, customer_factory):
    customer_factory(phone="+13055550123", language="en", currency="USD", name="Grace Miller")
    phone = call("+13055550123")
    phone.start()
    phone.say("my internet keeps disconnecting")
    spoken, _ = phone.say("still dropping")
    assert "Let's try something else" in spoken or "cable" in spoken
    assert spoken.strip() != "Is your service working now?"


def test_outage_end_is_said_in_local_time(sms, customer_factory, session):
    customer_factory()
    end = utcnow().replace(hour=0, minute=47, second=0, microsecond=0) + timedelta(days=1)
    session.add(
        ServiceOutage(
            city="Bogotá",
            description_es="corte de fibra en Chapinero.",
            description_en="a fiber cut.",
            starts_at=utcnow() - timedelta(hours=1),
            expected_end_at=end,
        )
    )
    session.commit()
    reply = sms("+573001112233").send("no tengo internet")
    # 00:47 UTC is 19:47 in Bogotá (UTC-5).
    assert "hacia las 19:47" in reply and "00:47" not in reply

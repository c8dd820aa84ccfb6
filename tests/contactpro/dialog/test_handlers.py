"""Conversation scripts per handler, in both languages, over SMS and voice, with the rows left."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from contactpro.dialog.sms import segments
from contactpro.models import (
    Account,
    CancellationRequest,
    CustomerScore,
    Escalation,
    Interaction,
    PaymentAgreement,
    ServiceOutage,
    utcnow,
)
from contactpro.providers.telephony import telephony_for


def sent_sms(app) -> list[dict[str, str]]:
    return telephony_for(app.extensions["contactpro"].settings).sent


def only_interaction(session) -> Interaction:
    session.expire_all()
    return session.scalars(select(Interaction)).one()


# --- billing -------------------------------------------------------------------------------------


def test_billing_sms_spanish_explains_the_bill(sms, billed, session):
    billed()
    thread = sms("+573001112233")
    assert "cuatro dígitos" in thread.send("por qué me llegó tan cara la factura")
    answer = thread.send("4050")
    assert "107.000 pesos" in answer
    # Too long for 3 UCS-2 segments, so the reply goes out in GSM-7 letters (no í, ú).
    assert "Tu ultimo pago fue de 89.900 pesos" in answer
    assert "17.100 pesos mas que la anterior" in answer and "Llamadas a larga distancia" in answer
    assert answer.endswith("¿Con esto resolvi tu consulta?")
    assert segments(answer) <= 3
    assert "Me alegra" in thread.send("sí")
    state = only_interaction(session).state
    assert state["resolved"] is True and state["confirmed"] is True
    assert "told_balance" in state["steps"]


def test_billing_voice_english_reads_the_account_digit_by_digit(call, billed, session):
    billed(phone="+13055550123", language="en")
    phone = call("+13055550123")
    greeting, _ = phone.start()
    assert greeting.startswith("Hi Grace")
    assert "last four digits" in phone.say("how much do I owe")[0]
    spoken, verb = phone.press("4050")
    assert "64 dollars" in spoken and "0 0, 0 0, 1 2, 0 4, 5 1" in spoken
    assert "9 dollars more than the previous one" in spoken and verb == "Gather"
    spoken, verb = phone.say("no")
    assert verb == "Enqueue"
    assert session.scalars(select(Escalation)).one().reason == "not_resolved"


# --- payment -------------------------------------------------------------------------------------


def test_how_to_pay_needs_no_identification(sms, session):
    assert "PSE" in sms("+573009990000").send("dónde puedo pagar la factura")


def test_payment_made_is_confirmed_from_payments(sms, billed):
    billed()
    thread = sms("+573001112233")
    thread.send("ya pagué la factura")
    assert "recibimos tu pago de 89.900 pesos" in thread.send("4050")


def test_payment_not_found_offers_review_by_an_agent(sms, customer_factory, session):
    customer_factory()
    thread = sms("+573001112233")
    thread.send("ya pagué ayer")
    assert "48 horas" in thread.send("4050")
    thread.send("sí")
    assert session.scalars(select(Escalation)).one().reason == "payment_not_found"


def test_payment_link_goes_out_by_sms(app, sms, customer_factory, session):
    customer_factory(phone="+573001112233", balance="125000")
    thread = sms("+573001112233")
    thread.send("mándame el link de pago")
    assert "Te envié por mensaje de texto" in thread.send("4050")
    [message] = sent_sms(app)
    assert message["to"] == "+573001112233"
    assert "https://pay.example.com/p/0000120451?t=" in message["body"]
    assert "125.000 pesos" in message["body"]


# --- debt ------------------------------------------------------------------------------------


def test_debt_offers_and_accepted_settlement(app, sms, debtor, session):
    thread = sms("+573001112233")
    thread.send("no puedo pagar todo, necesito un acuerdo de pago")
    offers = thread.send("4050")
    assert "450.000 pesos con 75 dias de mora" in offers  # long: GSM-7 letters
    # 75 days past due: up to 15 % off now, 7.5 % within 30 days, or 3 instalments.
    assert "382.500 pesos" in offers and "416.250 pesos" in offers and "3 cuotas" in offers
    restated = thread.send("la opción 2")
    assert "416.250 pesos antes del" in restated and "registré" not in restated
    assert session.scalars(select(PaymentAgreement)).first() is None
    done = thread.send("sí")
    assert "registré tu acuerdo" in done
    agreement = session.scalars(select(PaymentAgreement)).one()
    assert (agreement.kind, agreement.total, agreement.instalments) == (
        "settlement",
        Decimal("416250"),
        1,
    )
    assert "acuerdo de pago registrado" in sent_sms(app)[-1]["body"]
    assert only_interaction(session).state["offer_accepted"] is True


def test_debt_refusal_gets_one_counter_offer_then_a_person(sms, debtor, session):
    thread = sms("+573001112233")
    thread.send("quiero negociar mi deuda")
    thread.send("4050")
    counter = thread.send("no puedo con ninguna")
    assert "12 cuotas de 37.500 pesos" in counter
    thread.send("no")
    assert session.scalars(select(Escalation)).one().reason == "offer_refused"
    assert session.scalars(select(PaymentAgreement)).first() is None


def test_debt_voice_english_accepts_the_counter_offer(call, session, customer_factory):
    customer = customer_factory(
        phone="+13055550123", language="en", currency="USD", balance="300", name="Grace Miller"
    )
    account = customer.accounts[0]
    account.debt_amount, account.days_past_due = Decimal("240.00"), 200
    session.commit()
    phone = call("+13055550123")
    phone.start()
    phone.say("can I set up a payment plan")
    offers, _ = phone.press("4050")
    assert "240 dollars" in offers and "35 percent off" in offers
    counter, _ = phone.say("none of those work for me")
    assert "12 instalments of 20 dollars" in counter
    restated, _ = phone.say("the twelve month one")
    assert "12 instalments of 20 dollars" in restated and "Shall I record it" in restated
    done, verb = phone.say("yes")
    assert "recorded your agreement" in done and verb == "Gather"
    agreement = session.scalars(select(PaymentAgreement)).one()
    assert agreement.instalments == 12 and agreement.total == Decimal("240.00")


# --- connection ----------------------------------------------------------------------------------


def test_known_outage_is_told_first(sms, customer_factory, session):
    customer_factory()
    session.add(
        ServiceOutage(
            city="Bogotá",
            description_es="corte de fibra en Chapinero.",
            description_en="fiber cut.",
            starts_at=utcnow() - timedelta(hours=1),
            expected_end_at=utcnow() + timedelta(hours=3),
        )
    )
    session.commit()
    reply = sms("+573001112233").send("no tengo internet desde ayer")
    assert "Hay una falla en el servicio en Bogotá: corte de fibra en Chapinero." in reply


def test_troubleshooting_guide_remembers_the_step_and_fixes(sms, customer_factory, session):
    customer_factory()
    thread = sms("+573001112233")
    assert "Apaga tu módem" in thread.send("no me funciona el internet")
    assert "cable de fibra" in thread.send("no")
    assert only_interaction(session).state["slots"]["step"] == 1
    assert "quedó funcionando" in thread.send("sí, ya funciona")
    assert only_interaction(session).state["outcome_detail"] == "fixed"


def test_troubleshooting_exhausted_escalates_with_steps(call, customer_factory, session):
    customer_factory(phone="+13055550123", language="en", currency="USD", name="Grace Miller")
    phone = call("+13055550123")
    phone.start()
    assert "Turn your modem" in phone.say("my internet is down")[0]
    for _ in range(3):
        phone.say("no")
    spoken, verb = phone.say("no, still not working")
    assert verb == "Enqueue" and "tried 4 steps" in spoken
    escalation = session.scalars(select(Escalation)).one()
    assert escalation.reason == "troubleshooting_failed"
    assert [s for s in escalation.context["steps_tried"] if s.startswith("troubleshoot_")] == [
        "troubleshoot_1",
        "troubleshoot_2",
        "troubleshoot_3",
        "troubleshoot_4",
    ]


# --- cancellation --------------------------------------------------------------------------------


def _score(session, customer_id: int, quadrant: str) -> None:
    session.add(
        CustomerScore(
            customer_id=customer_id,
            conformity=30.0,
            billing=Decimal("200"),
            interactions=3,
            quadrant=quadrant,
            computed_at=utcnow(),
        )
    )
    session.commit()


def test_cancellation_retain_quadrant_offer_accepted(sms, customer_factory, session):
    customer = customer_factory()
    _score(session, customer.id, "retain")
    thread = sms("+573001112233")
    thread.send("quiero cancelar el servicio")
    # The managers' maximum discount defaults to the top debt tier, 35 %.
    assert "35 % de descuento" in thread.send("4050")
    assert "Gracias por quedarte" in thread.send("sí")
    request = session.scalars(select(CancellationRequest)).one()
    assert (request.quadrant, request.outcome, request.offer) == (
        "retain",
        "retained",
        "discount_35_3m",
    )


def test_cancellation_retain_refused_goes_to_a_person(sms, customer_factory, session):
    customer = customer_factory()
    _score(session, customer.id, "retain")
    thread = sms("+573001112233")
    thread.send("quiero cancelar")
    thread.send("4050")
    thread.send("no gracias")
    assert session.scalars(select(Escalation)).one().reason == "retention_refused"
    assert session.scalars(select(CancellationRequest)).one().outcome == "escalated"


def test_cancellation_let_go_is_processed_politely(call, customer_factory, session):
    customer = customer_factory(
        phone="+13055550123", language="en", currency="USD", name="Grace Miller"
    )
    _score(session, customer.id, "let_go")
    phone = call("+13055550123")
    phone.start()
    phone.say("I want to cancel my service")
    assert "Do you confirm" in phone.press("4050")[0]
    assert "recorded your cancellation request" in phone.say("yes")[0]
    assert session.scalars(select(CancellationRequest)).one().outcome == "cancelled"


def test_cancellation_care_quadrant_offers_loyalty_then_cancels(sms, customer_factory, session):
    customer = customer_factory()
    _score(session, customer.id, "care")
    thread = sms("+573001112233")
    thread.send("quiero dar de baja el servicio")
    assert "programa de fidelidad" in thread.send("4050")
    assert "Confirmas" in thread.send("no")
    assert "solicitud de cancelación" in thread.send("sí")
    account = session.scalars(select(Account)).one()
    assert session.scalars(select(CancellationRequest)).one().account_id == account.id


# --- product information and hand-offs -------------------------------------------------------


def test_product_info_cites_the_article(sms, session):
    reply = sms("+573009990000").send("qué planes de internet tienen")
    assert "300 Mb por 119.900 pesos" in reply
    assert "(Fuente: Planes de internet para el hogar)" in reply


def test_product_info_english(call, customer_factory):
    customer_factory(phone="+13055550123", language="en", currency="USD", name="Grace Miller")
    phone = call("+13055550123")
    phone.start()
    spoken, _ = phone.say("how much does international roaming cost")
    assert "7 day roaming pass costs 15 dollars" in spoken  # "7-day" is said as a word
    # A call answers without the written citation: "(Source: ...)" reads badly aloud.
    assert "Source" not in spoken and "(" not in spoken


def test_complaint_escalates_with_priority(sms, customer_factory, session):
    customer_factory(segment="vip")
    sms("+573001112233").send("quiero poner una queja por el mal servicio")
    escalation = session.scalars(select(Escalation)).one()
    assert escalation.reason == "complaint" and escalation.priority >= 90

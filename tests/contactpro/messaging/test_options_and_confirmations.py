"""WhatsApp options named by their words, and confirmations sent on WhatsApp, not by SMS."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.dialog.options import named_option
from contactpro.models import Interaction, OutboundMessage, PaymentAgreement
from tests.conftest import TwilioClient
from tests.contactpro.messaging.conftest import BUSINESS, replies, whatsapp_params

CUSTOMER = "+573019990608"
EN_CUSTOMER = "+13055550123"


def post(twilio: TwilioClient, number: str, text: str) -> str:
    return "\n".join(replies(twilio.post("/twilio/sms", whatsapp_params(number, text))))


def messages(twilio_api) -> list[dict[str, str]]:
    api, _ = twilio_api
    return [r["form"] for r in api.requests if str(r["path"]).endswith("/Messages.json")]


def debtor(customer_factory, session: Session, number: str, **values: str) -> None:
    customer = customer_factory(phone=number, balance="540000", **values)
    account = customer.accounts[0]
    account.debt_amount, account.days_past_due, account.status = Decimal("450000"), 75, "delinquent"
    session.commit()


def offers_es(twilio, session, customer_factory) -> str:
    debtor(customer_factory, session, CUSTOMER)
    post(twilio, CUSTOMER, "no puedo pagar todo, necesito un acuerdo de pago")
    return post(twilio, CUSTOMER, "4050")


@pytest.mark.parametrize(
    ("answer", "amount"),
    [
        ("la del 7,5 % de descuento", "416.250 pesos"),
        ("prefiero la de 416.250", "416.250 pesos"),
        ("la de 382 mil quinientos", "382.500 pesos"),  # the single payment's amount in words
        ("la de 250 mil", None),  # not an amount any option shows: asked again
        ("la de 3 cuotas", "3 cuotas"),
        ("la tercera", "3 cuotas"),
    ],
)
def test_an_option_is_picked_by_its_words_on_whatsapp(
    twilio, session: Session, customer_factory, answer: str, amount: str | None
):
    offers = offers_es(twilio, session, customer_factory)
    assert "416.250 pesos" in offers and "3 cuotas" in offers
    restated = post(twilio, CUSTOMER, answer)
    assert "registré" not in restated  # picked options are restated, never booked at once
    if amount is None:
        assert "Te confirmo el acuerdo" not in restated
        return
    assert "Te confirmo el acuerdo" in restated and amount in restated
    assert session.scalars(select(PaymentAgreement)).first() is None


def test_english_option_named_by_its_discount_then_booked_with_a_whatsapp_confirmation(
    twilio, session: Session, customer_factory, twilio_api
):
    debtor(customer_factory, session, EN_CUSTOMER, language="en")
    post(twilio, EN_CUSTOMER, "I can't pay it all, I need a payment plan")
    offers = post(twilio, EN_CUSTOMER, "4050")
    assert "7.5 % off" in offers
    restated = post(twilio, EN_CUSTOMER, "the one with 7.5 percent off")
    assert "Let me confirm" in restated and "416,250" in restated
    done = post(twilio, EN_CUSTOMER, "yes")
    assert "sent you the confirmation on WhatsApp" in done and "texted" not in done
    agreement = session.scalars(select(PaymentAgreement)).one()
    assert agreement.total == Decimal("416250")


@pytest.mark.messaging_config(twilio_api=True)
def test_agreement_confirmation_goes_on_whatsapp_not_sms(
    twilio, session: Session, customer_factory, twilio_api
):
    offers_es(twilio, session, customer_factory)
    post(twilio, CUSTOMER, "la opción 2")
    done = post(twilio, CUSTOMER, "sí")
    assert "Te envié la confirmación por WhatsApp" in done and "mensaje de texto" not in done
    [message] = messages(twilio_api)
    assert (message["To"], message["From"]) == (f"whatsapp:{CUSTOMER}", f"whatsapp:{BUSINESS}")
    assert "acuerdo de pago registrado" in message["Body"] and "416.250" in message["Body"]
    row = session.scalars(select(OutboundMessage)).one()
    assert (row.channel, row.purpose, row.status) == ("whatsapp", "agreement_confirmation", "sent")
    interaction = session.scalars(select(Interaction)).one()
    assert "confirmation_whatsapp_sent" in interaction.state["steps"]


@pytest.mark.messaging_config(twilio_api=True)
def test_sms_customers_still_get_the_confirmation_by_sms(
    twilio, session: Session, customer_factory, twilio_api
):
    debtor(customer_factory, session, CUSTOMER)
    sms = {"channel": "sms"}
    replies(twilio.post("/twilio/sms", whatsapp_params(CUSTOMER, "necesito un acuerdo", **sms)))
    replies(twilio.post("/twilio/sms", whatsapp_params(CUSTOMER, "4050", **sms)))
    replies(twilio.post("/twilio/sms", whatsapp_params(CUSTOMER, "la opción 2", **sms)))
    [done] = replies(twilio.post("/twilio/sms", whatsapp_params(CUSTOMER, "sí", **sms)))
    assert "WhatsApp" not in done
    [message] = messages(twilio_api)
    assert message["To"] == CUSTOMER and not message["From"].startswith("whatsapp:")
    assert session.scalars(select(OutboundMessage)).first() is None


OPTIONS_ES = [
    "un pago único de 382.500 pesos antes del 15 de diciembre (descuento del 15 %)",
    "un pago único de 416.250 pesos antes del 15 de diciembre (descuento del 7,5 %)",
    "3 cuotas de 150.000 pesos, la primera el 15 de diciembre",
]


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("la del 15 % de descuento", 0),
        ("la del quince por ciento", 0),
        ("la de 150 mil", 2),
        ("la de cuotas", 2),
        ("la de diciembre", None),  # every option says December: no pick
        ("sí", None),
        ("", None),
    ],
)
def test_named_option_needs_words_only_one_option_has(text: str, index: int | None) -> None:
    assert named_option(text, OPTIONS_ES) == index


@pytest.mark.messaging_config(twilio_api=True)
@pytest.mark.parametrize(
    ("number", "language", "ask", "said"),
    [
        (CUSTOMER, "es", "mándame el link de pago", "Te envié por WhatsApp el enlace"),
        (EN_CUSTOMER, "en", "send me the payment link", "I've sent you on WhatsApp the link"),
    ],
)
def test_payment_link_goes_on_whatsapp(
    twilio, session, customer_factory, twilio_api, number, language, ask, said
):
    customer_factory(phone=number, balance="125000", language=language)
    post(twilio, number, ask)
    answer = post(twilio, number, "4050")
    assert said in answer and "texted" not in answer and "mensaje de texto" not in answer
    [message] = messages(twilio_api)
    assert message["To"] == f"whatsapp:{number}" and "https://pay.example.com/p/" in message["Body"]
    row = session.scalars(select(OutboundMessage)).one()
    assert (row.purpose, row.status) == ("payment_link", "sent")

"""WhatsApp text and files: signed webhooks as Twilio sends them, the rows kept, the words read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.models import Escalation, Interaction, MessageMedia, Turn
from tests.conftest import TwilioClient
from tests.contactpro.messaging.conftest import BUSINESS, replies, whatsapp_params

CUSTOMER = "+573019990608"


def post(twilio: TwilioClient, params: dict[str, str]) -> list[str]:
    return replies(twilio.post("/twilio/sms", params))


def test_known_customer_is_recognised_over_whatsapp(twilio, session: Session, customer_factory):
    customer_factory(phone=CUSTOMER, balance="125000")
    [ask] = post(twilio, whatsapp_params(CUSTOMER, "Hola, cuánto debo?"))
    # Recognised by the number behind whatsapp:, so asked to verify, never to identify.
    assert "últimos cuatro dígitos" in ask and "cédula" not in ask
    [balance] = post(twilio, whatsapp_params(CUSTOMER, "4050"))
    assert "125.000 pesos" in balance and "0000120451" in balance
    interaction = session.scalars(select(Interaction)).one()
    assert (interaction.channel, interaction.from_number, interaction.to_number) == (
        "whatsapp",
        CUSTOMER,
        BUSINESS,
    )
    assert interaction.customer is not None and interaction.customer.phone == CUSTOMER
    first, second = session.scalars(select(Turn).order_by(Turn.sequence)).all()
    assert (first.source, first.intent) == ("sms", "billing_inquiry")
    assert second.reply == balance


def test_english_customer_over_whatsapp_gets_english(twilio, session, customer_factory):
    customer_factory(phone="+13055550123", language="en", balance="42.50", currency="USD")
    [ask] = post(twilio, whatsapp_params("+13055550123", "what is my balance"))
    assert ask.startswith("For your security")
    [text] = post(twilio, whatsapp_params("+13055550123", "4050"))
    assert "42.50 dollars" in text
    assert session.scalars(select(Interaction.channel)).one() == "whatsapp"


def test_one_timeline_across_sms_and_whatsapp(twilio, session: Session, customer_factory):
    customer = customer_factory(phone=CUSTOMER, balance="125000")
    [ask] = post(twilio, whatsapp_params(CUSTOMER, "saldo", channel="sms"))
    assert "últimos cuatro dígitos" in ask
    # The customer answers on WhatsApp: the flow the SMS left waiting continues there.
    [balance] = post(twilio, whatsapp_params(CUSTOMER, "4050"))
    assert "125.000 pesos" in balance
    sms, whatsapp = session.scalars(select(Interaction).order_by(Interaction.id)).all()
    assert (sms.channel, whatsapp.channel) == ("sms", "whatsapp")
    assert sms.customer_id == whatsapp.customer_id == customer.id
    assert whatsapp.state["continued_from"] == sms.id


@pytest.mark.parametrize(
    ("language", "phone", "ack", "handoff"),
    [
        ("es", CUSTOMER, "Recibimos tu archivo", "Un asesor lo revisará"),
        ("en", "+13055550123", "We got your file", "An agent will review it"),
    ],
)
def test_photo_of_a_bill_is_kept_and_goes_to_an_agent(
    twilio, session: Session, customer_factory, language, phone, ack, handoff
):
    customer_factory(phone=phone, language=language)
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    caption = "mi factura" if language == "es" else "my bill"  # the caption's language rules
    [text] = post(twilio, whatsapp_params(phone, caption, media=[(url, "image/jpeg")]))
    assert ack in text and handoff in text
    media = session.scalars(select(MessageMedia)).one()
    assert (media.kind, media.status, media.url, media.content_type) == (
        "image",
        "received",
        url,
        "image/jpeg",
    )
    turn = session.get(Turn, media.turn_id)
    assert turn is not None and turn.text == caption and turn.action == "escalate"
    assert turn.entities["media"][0]["url"] == url
    escalation = session.scalars(select(Escalation)).one()
    assert escalation.reason == "customer_media"
    assert escalation.context["channel"] == "whatsapp"
    assert [m["url"] for m in escalation.context["media"]] == [url]


def test_a_pdf_after_the_handoff_is_acknowledged_without_a_second_escalation(
    twilio, session: Session, customer_factory
):
    customer_factory(phone=CUSTOMER)
    pdf = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM2/Media/ME2"
    post(twilio, whatsapp_params(CUSTOMER, "", media=[(pdf, "image/png")]))
    [text] = post(twilio, whatsapp_params(CUSTOMER, "", media=[(pdf, "application/pdf")]))
    assert text == "Recibimos tu archivo. Lo guardamos en tu caso."
    assert len(session.scalars(select(Escalation)).all()) == 1
    kinds = session.scalars(select(MessageMedia.kind).order_by(MessageMedia.id)).all()
    assert kinds == ["image", "document"]


def test_retried_message_with_a_photo_is_stored_once(twilio, session: Session, customer_factory):
    customer_factory(phone=CUSTOMER)
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM3/Media/ME3"
    params = whatsapp_params(CUSTOMER, "", media=[(url, "image/jpeg")])
    first = post(twilio, params)
    assert post(twilio, params) == first
    assert len(session.scalars(select(MessageMedia)).all()) == 1


def test_debt_offers_on_whatsapp_keep_accents_and_list_the_options(
    twilio, session: Session, customer_factory
):
    customer = customer_factory(phone=CUSTOMER, balance="540000")
    account = customer.accounts[0]
    account.debt_amount, account.days_past_due, account.status = Decimal("450000"), 75, "delinquent"
    session.commit()
    post(twilio, whatsapp_params(CUSTOMER, "no puedo pagar todo, necesito un acuerdo de pago"))
    [offers] = post(twilio, whatsapp_params(CUSTOMER, "4050"))
    # SMS shortens this one to GSM-7 letters ("dias"); WhatsApp keeps it whole, one option a line.
    assert "450.000 pesos con 75 días de mora" in offers
    lines = offers.split("\n")
    assert [line[:3] for line in lines[1:]] == ["1) ", "2) ", "3) "]
    assert "382.500 pesos" in lines[1] and "416.250 pesos" in lines[2] and "3 cuotas" in lines[3]
    [restated] = post(twilio, whatsapp_params(CUSTOMER, "la opción 2"))
    assert "416.250 pesos" in restated and "registré" not in restated  # restated, not booked
    [done] = post(twilio, whatsapp_params(CUSTOMER, "sí"))
    assert "registré tu acuerdo" in done

"""A card's expiry said in words is redacted at the door; a sentence about a password after
"contraseña:" / "my password:" is no password and is kept as written (a real one is not).

Each conversation goes over the signed SMS and WhatsApp webhooks, in Spanish and English, and
the caller turns stored are checked, with what the customer receives.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from contactpro.models import Turn
from devtools.conversations import SmsThread

SPANISH, ENGLISH = "+573001112233", "+13055550123"
CARD = "4111 1111 1111 1111"


def _caller_turns(session) -> list[Turn]:
    session.expire_all()
    return list(session.scalars(select(Turn).where(Turn.speaker == "caller").order_by(Turn.id)))


@pytest.mark.parametrize(
    ("phone", "language", "body", "stored", "said"),
    [
        (
            SPANISH,
            "es",
            f"quiero pagar con {CARD} vence doce veintisiete",
            "quiero pagar con [tarjeta ****1111] vence [vencimiento]",
            ("doce", "veintisiete"),
        ),
        (
            f"whatsapp:{SPANISH}",
            "es",
            f"mi tarjeta {CARD} vence el doce del dos mil veintisiete, uno dos tres",
            "mi tarjeta [tarjeta ****1111] vence el [vencimiento], [código]",
            ("doce", "veintisiete", "uno dos tres"),
        ),
        (
            SPANISH,
            "es",
            f"tarjeta {CARD} vence 12 27",
            "tarjeta [tarjeta ****1111] vence [vencimiento]",
            ("12 27",),
        ),
        (
            ENGLISH,
            "en",
            f"I want to pay with {CARD} expires twelve twenty-seven",
            "I want to pay with [card ****1111] expires [expiry]",
            ("twelve", "twenty-seven"),
        ),
        (
            f"whatsapp:{ENGLISH}",
            "en",
            f"card {CARD} expiring december twenty twenty seven, cvv 123",
            "card [card ****1111] expiring [expiry], cvv [code]",
            ("december", "twenty", "123"),
        ),
    ],
)
def test_an_expiry_said_in_words_next_to_a_card_is_redacted(
    twilio, session, customer_factory, phone, language, body, stored, said
):
    customer_factory(phone=phone.removeprefix("whatsapp:"), language=language)
    answer = SmsThread(twilio, phone).send(body)
    assert answer and all(word not in answer.lower() for word in said)
    [turn] = _caller_turns(session)
    assert turn.text == stored
    assert "date" not in turn.entities
    kept = json.dumps(turn.entities, ensure_ascii=False).lower()
    assert all(word not in kept for word in said) and "2027" not in kept


def test_a_payment_date_next_to_a_card_is_no_expiry(twilio, session, customer_factory):
    customer_factory(phone=SPANISH)
    SmsThread(twilio, SPANISH).send(
        f"pagué con la tarjeta {CARD} y mi factura vence el 15 de enero"
    )
    [turn] = _caller_turns(session)
    assert turn.text == "pagué con la tarjeta [tarjeta ****1111] y mi factura vence el 15 de enero"


@pytest.mark.parametrize(
    ("phone", "language", "body"),
    [
        (SPANISH, "es", "contraseña: olvidé mi clave"),
        (SPANISH, "es", "mi contraseña: no la recuerdo"),
        (f"whatsapp:{SPANISH}", "es", "clave: la olvidé"),
        (ENGLISH, "en", "my password: I forgot it"),
        (f"whatsapp:{ENGLISH}", "en", "password: I don't know it"),
    ],
)
def test_a_sentence_about_the_password_is_kept_as_written(
    twilio, session, customer_factory, phone, language, body
):
    customer_factory(phone=phone.removeprefix("whatsapp:"), language=language)
    SmsThread(twilio, phone).send(body)
    [turn] = _caller_turns(session)
    assert turn.text == body
    assert "[clave]" not in turn.text and "[password]" not in turn.text


@pytest.mark.parametrize(
    ("phone", "language", "body", "stored", "secret"),
    [
        (SPANISH, "es", "contraseña: perro gato", "contraseña: [clave]", "perro"),
        (SPANISH, "es", "clave: Olvido2024", "clave: [clave]", "olvido2024"),
        (ENGLISH, "en", "my password: hunter", "my password: [password]", "hunter"),
        (ENGLISH, "en", "password: forgot2024!", "password: [password]", "forgot2024"),
    ],
)
def test_a_real_password_after_the_label_is_still_redacted(
    twilio, session, customer_factory, phone, language, body, stored, secret
):
    customer_factory(phone=phone, language=language)
    answer = SmsThread(twilio, phone).send(body)
    [turn] = _caller_turns(session)
    assert turn.text == stored and secret not in answer.lower()

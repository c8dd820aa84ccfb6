"""Redaction: cards dictated in four-digit groups, passwords of two words, a code
after "cvv?", and a card's expiry are redacted at the door; amounts, dates, accounts and ids stay.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.models import Turn
from contactpro.nlu.numbers import read_chunks
from contactpro.nlu.rules import apply_rules
from contactpro.privacy.redaction import localise, redact
from tests.conftest import TwilioClient
from tests.webhooks.test_sms import replies, sms_params


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "cuatro mil ciento once, mil ciento once, mil ciento once, mil ciento once",
            "[tarjeta ****1111]",
        ),
        (
            "mi tarjeta es cuatro mil ciento once mil ciento once mil ciento once mil ciento once",
            "mi tarjeta es [tarjeta ****1111]",
        ),
        ("forty-one eleven, eleven eleven, eleven eleven, eleven eleven", "[card ****1111]"),
        (
            "my card is four thousand one hundred eleven, one thousand one hundred eleven, one "
            "thousand one hundred eleven, one thousand one hundred eleven",
            "my card is [card ****1111]",
        ),
        (
            "cuatro uno uno uno uno uno uno uno uno uno uno uno uno uno uno uno",
            "[tarjeta ****1111]",
        ),
    ],
)
def test_a_card_dictated_in_groups_of_four_is_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_spanish_thousands_start_a_new_number_after_a_thousand() -> None:
    """A second "mil" cannot extend "cuatro mil ciento once": it starts the next group."""
    words = "cuatro mil ciento once mil ciento once".split()
    assert read_chunks(words) == [4111, 1111]
    assert read_chunks("dos millones trescientos mil".split()) == [2_300_000]
    assert read_chunks("ciento veinte mil".split()) == [120_000]


@pytest.mark.parametrize(
    "text",
    [
        "cuatro mil ciento once, mil ciento once, mil ciento once, mil ciento doce",  # no Luhn
        "pagué dos mil, mil quinientos y tres mil pesos",
        "debo cuatro mil ciento once pesos",
        "I paid four thousand one hundred eleven dollars",
    ],
)
def test_amounts_in_words_and_numbers_that_fail_luhn_stay(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('my password is "correct horse"', "my password is [password]"),
        ("mi contraseña es «perro gato» gracias", "mi contraseña es [clave] gracias"),
        ("contraseña: perro gato", "contraseña: [clave]"),
        ("contraseña: perro gato, y quiero pagar", "contraseña: [clave], y quiero pagar"),
        ("pass: perrito y quiero pagar mi factura", "pass: [clave] y quiero pagar mi factura"),
        ("my password is CorrectHorse2024xyz", "my password is [password]"),
        ("el cvv? 123", "el cvv? [código]"),
        ("¿el cvv? 123", "¿el cvv? [código]"),
        ("cvv: 123", "cvv: [código]"),
        ("código de seguridad 123", "código de seguridad [código]"),
        ("what's the cvv? 321", "what's the cvv? [code]"),
    ],
)
def test_passwords_and_codes_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "my password is wrong",
        "my password's wrong, isn't it",
        "mi contraseña no funciona",
        "el cvv? no lo tengo",
    ],
)
def test_words_about_passwords_stay(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "mi tarjeta 4111 1111 1111 1111 vence 12/27",
            "mi tarjeta [tarjeta ****1111] vence [vencimiento]",
        ),
        ("card 4111111111111111 exp 12/27", "card [card ****1111] exp [expiry]"),
        (
            "mi tarjeta es 4111111111111111 y vence el 12/27",
            "mi tarjeta es [tarjeta ****1111] y vence el [vencimiento]",
        ),
        ("4111111111111111/12/2027/123", "[tarjeta ****1111]/[vencimiento]/[código]"),
        (
            "tarjeta 4111 1111 1111 1111 vence 12/27 y pagué 150 el 10/12",
            "tarjeta [tarjeta ****1111] vence [vencimiento] y pagué 150 el 10/12",
        ),
    ],
)
def test_a_cards_expiry_is_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "mi factura vence 12/27",
        "pagué 150.000 el 12/11",
        "cuenta 0000120451 vence 12/27 123",
        "cédula 1.020.345.678, cuenta:0000010171",
    ],
)
def test_dates_accounts_and_ids_without_a_card_stay(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ya pagué con la tarjeta 4111 1111 1111 1111 vence 12/27", "es"),
        ("I paid with card 4111 1111 1111 1111 exp 12/27", "en"),
    ],
)
def test_a_redacted_expiry_is_no_date_entity(text: str, language: str) -> None:
    redacted = localise(redact(text), language)
    entities = apply_rules(redacted, source="sms", language=language, today=date(2026, 12, 6))
    assert "date" not in entities.entities


CONVERSATIONS = {
    "es": [
        (
            "ya pagué con la tarjeta cuatro mil ciento once, mil ciento once, mil ciento once, "
            "mil ciento once, vence 12/27, el cvv? 123"
        ),
        "y la contraseña: perro gato",
    ],
    "en": [
        (
            "I paid with my card forty-one eleven, eleven eleven, eleven eleven, eleven eleven "
            "exp 12/27, cvv: 123"
        ),
        'my password is "correct horse"',
    ],
}
SECRETS = {
    "es": ("cuatro mil", "ciento once", "4111", "12/27", "123", "perro", "gato", "2027-12-27"),
    "en": ("forty", "eleven", "4111", "12/27", "123", "correct", "horse", "2027-12-27"),
}
PLACEHOLDERS = {
    "es": ("[tarjeta ****1111]", "[vencimiento]", "[código]", "[clave]"),
    "en": ("[card ****1111]", "[expiry]", "[code]", "[password]"),
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_secrets_in_an_sms_conversation_are_kept_nowhere(
    twilio: TwilioClient, session: Session, customer_factory: Any, language: str
) -> None:
    """A customer texts a card dictated in groups, its expiry, code and password: the turns and
    their entities hold placeholders only, no date is read from the expiry, and no reply echoes
    a secret."""
    customer = customer_factory(language=language)
    answers = []
    for body in CONVERSATIONS[language]:
        answers += replies(twilio.post("/twilio/sms", sms_params(customer.phone, body)))
    assert answers
    session.expire_all()
    turns = list(session.scalars(select(Turn).order_by(Turn.id)))
    callers = [t for t in turns if t.speaker == "caller"]
    assert len(callers) == 2
    assert all("date" not in t.entities for t in callers)
    stored = json.dumps([[t.text, t.entities] for t in turns], ensure_ascii=False).lower()
    said = " ".join(answers).lower()
    for secret in SECRETS[language]:
        assert secret not in stored, secret
        assert secret not in said, secret
    caller_text = " ".join(t.text for t in callers)
    for placeholder in PLACEHOLDERS[language]:
        assert placeholder in caller_text

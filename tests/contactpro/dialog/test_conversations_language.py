"""The bot answers in the language the customer writes or speaks in.

A clear message switches the conversation (and the owner's stored preference); a short or
ambiguous one ("ok", "si", digits) keeps the conversation's language.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contactpro.models import Customer, Interaction, Turn
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    escalations,
    latest_interaction,
)

STRANGER = "+13055559999"
MIAMI = "+13055550177"


def turn_languages(session, interaction: Interaction) -> list[tuple[str, str]]:
    """Return (what the customer wrote, the language it was answered in) for each turn."""
    session.expire_all()
    turns = session.scalars(
        select(Turn).where(Turn.interaction_id == interaction.id).order_by(Turn.sequence)
    )
    return [(t.text, t.entities.get("language")) for t in turns if t.speaker == "caller"]


def preference(session, customer: Customer) -> str:
    """Return the customer's stored preferred language as the database holds it now."""
    session.expire_all()
    return session.get(Customer, customer.id).preferred_language


def test_spanish_customer_writing_english_is_answered_in_english(sms, customer_factory, session):
    customer = customer_factory(phone=SPANISH, language="es")
    thread = sms(SPANISH)
    asked = thread.send("hi, how much do I owe?")
    assert "last four digits" in asked and "seguridad" not in asked
    balance = thread.send("4050")
    assert "The balance on account" in balance and "Did that answer your question?" in balance
    assert "saldo" not in balance and "consulta" not in balance
    interaction = latest_interaction(session)
    assert interaction.language == "en"
    assert turn_languages(session, interaction) == [
        ("hi, how much do I owe?", "en"),
        ("4050", "en"),
    ]
    assert preference(session, customer) == "en"  # written from their own number


def test_english_customer_writing_spanish_is_answered_in_spanish(sms, customer_factory, session):
    customer = customer_factory(phone=ENGLISH, language="en", currency="USD", balance="64.00")
    thread = sms(ENGLISH)
    asked = thread.send("hola buenas, cuanto debo?")
    assert "Por tu seguridad" in asked and "security" not in asked
    balance = thread.send("4050")
    assert "Tu saldo en la cuenta" in balance and "consulta?" in balance
    assert "balance" not in balance and "dollars" not in balance
    interaction = latest_interaction(session)
    assert interaction.language == "es"
    assert turn_languages(session, interaction) == [
        ("hola buenas, cuanto debo?", "es"),
        ("4050", "es"),
    ]
    assert preference(session, customer) == "es"


@pytest.mark.parametrize(
    ("phone", "stored", "opening", "short", "answer", "other"),
    [
        (SPANISH, "es", "hi, how much do I owe?", "si", "Glad to hear it!", "Me alegra"),
        (ENGLISH, "en", "hola, cuánto debo?", "yes", "¡Me alegra!", "Glad"),
        (SPANISH, "es", "hi, how much do I owe?", "ok", "Glad to hear it!", "Me alegra"),
    ],
)
def test_short_replies_mid_conversation_keep_its_language(
    sms, customer_factory, session, phone, stored, opening, short, answer, other
):
    customer_factory(phone=phone, language=stored)
    thread = sms(phone)
    thread.send(opening)
    thread.send("4050")
    reply = thread.send(short)
    assert answer in reply and other not in reply
    interaction = latest_interaction(session)
    switched = "en" if stored == "es" else "es"
    assert interaction.language == switched
    assert [language for _, language in turn_languages(session, interaction)] == [switched] * 3


def test_switching_languages_mid_conversation_switches_replies(sms, customer_factory, session):
    customer = customer_factory(phone=SPANISH, language="es")
    thread = sms(SPANISH)
    assert "last four digits" in thread.send("hi, how much do I owe?")
    thread.send("4050")
    spanish = thread.send("no, también quiero saber dónde puedo pagar")
    assert "pagar" in spanish.lower() and "pay" not in spanish.lower()
    interaction = latest_interaction(session)
    assert interaction.language == "es"
    assert [language for _, language in turn_languages(session, interaction)] == [
        "en",
        "en",
        "es",
    ]
    assert preference(session, customer) == "es"


def test_english_product_question_is_answered_from_the_english_articles(
    sms, customer_factory, session
):
    # A customer in the United States who chose Spanish, as QA's Carlos.
    customer_factory(phone=MIAMI, language="es", currency="USD", balance="35.00")
    reply = sms(MIAMI).send("how much is unlimited mobile?")
    assert "unlimited mobile plan costs 40 dollars" in reply
    assert "asesor" not in reply and "pesos" not in reply
    interaction = latest_interaction(session)
    assert interaction.language == "en"
    assert interaction.state["outcome_detail"] == "article:unlimited-mobile"
    assert escalations(session) == []


def test_short_english_with_abbreviations_is_answered_in_english(sms, session):
    reply = sms(STRANGER).send("u charged me twice")
    assert "identify you" in reply and "identificarte" not in reply and "cédula" not in reply
    interaction = latest_interaction(session)
    assert interaction.language == "en"
    assert turn_languages(session, interaction) == [("u charged me twice", "en")]


def test_a_stranger_writing_for_a_customer_does_not_change_their_preference(
    sms, customer_factory, session
):
    customer = customer_factory(phone=SPANISH, language="es")
    asked = sms(STRANGER).send("my ID number is 1020304050")
    assert "last four digits" in asked or "year were you born" in asked
    assert latest_interaction(session).language == "en"
    assert preference(session, customer) == "es"  # not their number, not verified


def test_spanish_caller_speaking_english_is_answered_in_english(call, customer_factory, session):
    customer_factory(phone=SPANISH, language="es")
    phone = call(SPANISH)
    greeting, _ = phone.start()
    assert "En qué te puedo ayudar" in greeting
    asked, _ = phone.say("how much do I owe")
    assert "tell me the last four digits" in asked and "dime" not in asked
    balance, _ = phone.say("four zero five zero")
    assert "The balance on account" in balance
    confirmed, _ = phone.say("sí")
    assert "Glad to hear it" in confirmed and "alegra" not in confirmed
    interaction = latest_interaction(session)
    assert interaction.language == "en"
    assert [language for _, language in turn_languages(session, interaction)] == ["en"] * 3


def test_caller_who_chose_english_at_the_menu_keeps_it_on_short_answers(call, session):
    phone = call(STRANGER)
    phone.start()
    greeting, _ = phone.press("2")
    assert "How can I help" in greeting
    reply, _ = phone.say("si")
    assert "alegra" not in reply and "ayudar" not in reply
    interaction = latest_interaction(session)
    assert interaction.language == "en"
    assert turn_languages(session, interaction)[-1] == ("si", "en")

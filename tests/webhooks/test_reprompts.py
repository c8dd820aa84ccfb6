"""Silence after a reply that began with an apology or a failure asks the question alone.

A caller who said something unclear hears "No te entendí bien. ¿Cancelo el servicio...?"; if
they then say nothing, the reprompt is "No te escuché. ¿Cancelo el servicio...?", never the
apology (or "Ese dato no coincide") a second time for words they did not say.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from contactpro.models import Account, Customer, Escalation, Turn
from tests.conftest import TwilioClient
from tests.webhooks.test_voice import Call, spoken

PHONE = "+573001112233"
WORDS = {
    "es": {
        "cancel": "quiero cancelar el servicio",
        "none": "ninguna de esas",
        "second": "la dos",
        "unsure": "mmm tal vez",
        "no": "no",
        "yes": "sí",
        "heard": "No te escuché.",
        "sorry": ("No te entendí", "Perdona", "no te escuché bien"),
        "mismatch": "Ese dato no coincide",
    },
    "en": {
        "cancel": "I want to cancel my service",
        "none": "none of those",
        "second": "the second one",
        "unsure": "hmm maybe",
        "no": "no",
        "yes": "yes",
        "heard": "I didn't hear you.",
        "sorry": ("Sorry", "didn't quite get", "didn't hear that clearly"),
        "mismatch": "That doesn't match",
    },
}
# What the caller says before the question, the apology it begins with, how the question begins.
PATHS = {
    "which_account_again": (
        ("cancel", "4050", "none"),
        {"es": "No te entendí bien.", "en": "Sorry, I didn't quite get that."},
        {"es": "¿Cuál cuenta quieres cancelar?", "en": "Which account would you like to cancel?"},
    ),
    "retention_again": (
        ("cancel", "4050", "second", "unsure"),
        {"es": "No te entendí bien.", "en": "Sorry, I didn't quite get that."},
        {"es": "¿Aceptas la oferta", "en": "Will you take the offer"},
    ),
    "cancel_confirm_again": (
        ("cancel", "4050", "second", "no", "unsure"),
        {"es": "No te entendí bien.", "en": "Sorry, I didn't quite get that."},
        {"es": "¿Cancelo el servicio de la cuenta", "en": "Shall I cancel the service on account"},
    ),
    "confirm_unclear": (
        ("cancel", "4050", "second", "yes"),  # the "sí" is barely heard (confidence 0.3)
        {"es": "Perdona, no te escuché bien.", "en": "Sorry, I didn't hear that clearly."},
        {"es": "¿Me confirmas con un sí o un no?", "en": "Can you confirm with a yes or a no?"},
    ),
}


def _customer_with_two_accounts(customer_factory, session, language: str) -> Customer:
    customer = customer_factory(language=language)
    session.add(
        Account(
            customer=customer,
            number="0000555777",
            plan="Hogar TV",
            monthly_charge=Decimal("50000"),
            currency="COP",
            balance=Decimal("0"),
            status="active",
        )
    )
    session.commit()
    return customer


def _last_turn_is_a_reprompt(session) -> None:
    last = session.scalars(select(Turn).order_by(Turn.sequence.desc())).first()
    assert last is not None and last.entities["reprompt"] is True


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("template", sorted(PATHS))
def test_silence_after_an_apologetic_question_asks_it_again_without_the_apology(
    twilio: TwilioClient, session, customer_factory, language: str, template: str
):
    _customer_with_two_accounts(customer_factory, session, language)
    words = WORDS[language]
    said, apology, begins = PATHS[template]
    call = Call(twilio, PHONE)
    call.start()
    for step in said[:-1]:
        call.say(words.get(step, step))
    confidence = "0.3" if template == "confirm_unclear" else "0.91"
    question = spoken(call.say(words[said[-1]], confidence=confidence))
    assert question.startswith(f"{apology[language]} {begins[language]}"), question
    asked = question.removeprefix(apology[language]).strip()
    reprompt = spoken(call.silence())
    assert reprompt == f"{words['heard']} {asked}", reprompt
    for sorry in words["sorry"]:
        assert sorry not in reprompt
    _last_turn_is_a_reprompt(session)


@pytest.mark.parametrize("language", ["es", "en"])
def test_silence_after_a_wrong_id_asks_for_it_again_without_saying_it_did_not_match(
    twilio: TwilioClient, session, customer_factory, language: str
):
    customer_factory(language=language)
    words = WORDS[language]
    call = Call(twilio, PHONE)
    call.start()
    call.say(words["cancel"])
    retry = spoken(call.say("9999"))
    assert retry.startswith(words["mismatch"]), retry
    reprompt = spoken(call.silence())
    assert reprompt.startswith(words["heard"]), reprompt
    assert words["mismatch"] not in reprompt
    assert ("cuatro dígitos" if language == "es" else "four digits") in reprompt
    _last_turn_is_a_reprompt(session)


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_caller_who_answers_between_silences_is_not_handed_over_for_silence(
    twilio: TwilioClient, session, customer_factory, language: str
):
    _customer_with_two_accounts(customer_factory, session, language)
    words = WORDS[language]
    call = Call(twilio, PHONE)
    call.start()
    call.say(words["cancel"])
    for answer in ("4050", words["second"], words["no"]):
        # One pause at each question, then the answer: every reprompt starts afresh.
        assert spoken(call.silence()).startswith(f"{words['heard']} "), answer
        call.say(answer)
    confirm = "¿Confirmas que quieres cancelar" if language == "es" else "Do you confirm"
    assert confirm in spoken(call.silence())
    assert not session.scalars(select(Escalation)).all()
    _last_turn_is_a_reprompt(session)

"""The language menu asked again says why (silence or an answer it did not get) in the bot's
own "tú", and a yes-or-no question listens for yes and no, not for the main menu's words."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contactpro.models import Turn
from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, make_overdue
from tests.contactpro.voice.conftest import VoiceCall
from tests.webhooks.test_voice import spoken
from tests.webhooks.test_voice_fixes import gather_of

STRANGER = "+573009998877"


def test_silence_at_the_language_menu_is_not_heard_rather_than_not_understood(twilio, session):
    call = VoiceCall(twilio, STRANGER)
    first = spoken(call.start())
    assert "oprime 1 o di español" in first and "oprime 0" in first
    assert "oprima" not in first and "diga" not in first
    again = spoken(call.silence())
    assert "No te escuché" in again and "I didn't hear you" in again
    assert "No te entendí" not in again and "didn't get that" not in again
    assert "oprime 1" in again and "oprima" not in again
    asked_again = session.scalars(select(Turn).where(Turn.twilio_key.like("%:again:1"))).one()
    assert "No te escuché" in asked_again.reply and asked_again.entities["menu_attempt"] == 1


def test_a_wrong_key_at_the_language_menu_is_not_understood(twilio, session):
    call = VoiceCall(twilio, STRANGER)
    call.start()
    again = spoken(call.press("7"))
    assert "No te entendí" in again and "didn't get that" in again
    assert "No te escuché" not in again and "didn't hear" not in again


@pytest.mark.parametrize(
    ("language", "phone", "ask", "pick", "question", "yes", "menu_word"),
    [
        ("es", SPANISH, "quiero negociar mi deuda", "la segunda", "¿Lo acepto", "sí", "saldo"),
        ("en", ENGLISH, "I want to negotiate my debt", "the second one", "Shall I", "yes", "bill"),
    ],
)
def test_a_yes_or_no_question_listens_for_yes_and_no(
    twilio, session, customer_factory, language, phone, ask, pick, question, yes, menu_word
):
    customer = customer_factory(
        phone=phone, language=language, currency="COP" if language == "es" else "USD"
    )
    make_overdue(session, customer, "450000" if language == "es" else "240.00", 75)
    call = VoiceCall(twilio, phone)
    greeting = call.start()
    assert menu_word in gather_of(greeting).get("hints")  # an open question keeps the menu words
    call.wait_out_hold(call.say(ask))
    call.wait_out_hold(call.press("4050"))
    restated = call.wait_out_hold(call.say(pick))
    assert question in spoken(restated)
    hints = gather_of(restated).get("hints")
    assert yes in hints.split(", ") and "no" in hints.split(", ")
    assert menu_word not in hints

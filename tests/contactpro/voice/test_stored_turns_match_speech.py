"""The turns stored for a call are what the caller heard: the language menu rather than a
greeting never played, and outside business hours the voicemail prompt rather than "connecting
you with an agent"; the conversation page, the escalation packet and exports read these rows."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from contactpro.models import Escalation, Turn
from contactpro.voice import prompts
from tests.contactpro.voice.conftest import VoiceCall, closed_now
from tests.contactpro.voice.test_calls import widen_deadlines
from tests.webhooks.test_voice import spoken

AFTER_HOURS = closed_now()
STRANGER = "+573001110005"
PHONES = {"es": "+573001112233", "en": "+13055550123"}
ASK_FOR_PERSON = {"es": "quiero hablar con un asesor", "en": "I want to talk to an agent"}
GREETING = {"es": "gracias por comunicarte", "en": "thanks for contacting"}
CONNECTING = {"es": "Te comunico con un asesor", "en": "connecting you with an agent"}
CLOSED = {"es": "no están disponibles", "en": "not available right now"}
MENU = {"es": "Para español, oprime 1", "en": "For English, press 2"}


def _replies(session) -> list[str]:
    session.expire_all()
    return [turn.reply or "" for turn in session.scalars(select(Turn).order_by(Turn.sequence))]


def _packet_replies(session) -> list[str]:
    escalation = session.scalars(select(Escalation)).one()
    return [said["reply"] or "" for said in escalation.context["transcript"]]


def _known_call(twilio, customer_factory, language: str) -> tuple[VoiceCall, ET.Element]:
    customer_factory(phone=PHONES[language], language=language)
    call = VoiceCall(twilio, PHONES[language])
    return call, call.start()


@pytest.mark.parametrize("language", ["es", "en"])
def test_open_hours_store_the_greeting_and_the_hand_over_as_said(
    twilio, session, customer_factory, language
):
    call, greeting = _known_call(twilio, customer_factory, language)
    assert GREETING[language] in spoken(greeting)
    handed = call.wait_out_hold(call.say(ASK_FOR_PERSON[language]))
    assert handed.find("Enqueue") is not None
    assert CONNECTING[language] in spoken(handed) and CLOSED[language] not in spoken(handed)
    assert _replies(session) == [spoken(greeting), spoken(handed)]
    assert _packet_replies(session) == [spoken(greeting), spoken(handed)]


@pytest.mark.voice_config(voice_business_hours=AFTER_HOURS)
@pytest.mark.parametrize("language", ["es", "en"])
def test_closed_hours_store_the_voicemail_prompt_not_a_hand_over(
    twilio, session, customer_factory, language
):
    call, greeting = _known_call(twilio, customer_factory, language)
    voicemail = call.wait_out_hold(call.say(ASK_FOR_PERSON[language]))
    assert voicemail.find("Enqueue") is None and voicemail.find("Record") is not None
    assert CLOSED[language] in spoken(voicemail)
    replies = _replies(session)
    assert replies == [spoken(greeting), spoken(voicemail)]
    assert CLOSED[language] in replies[1] and CONNECTING[language] not in replies[1]
    assert _packet_replies(session) == replies
    # A retried request is answered with the same words and stores nothing new.
    call.next_path = "/twilio/voice/gather?step=1&lang=" + language
    again = call.wait_out_hold(call.say(ASK_FOR_PERSON[language]))
    assert spoken(again) == spoken(voicemail) and _replies(session) == replies


@pytest.mark.voice_config(voice_business_hours=AFTER_HOURS)
def test_unknown_caller_asking_for_a_person_at_the_menu_stores_the_menu_and_voicemail(
    twilio, session
):
    call = VoiceCall(twilio, STRANGER)
    menu = call.start()
    assert MENU["es"] in spoken(menu) and MENU["en"] in spoken(menu)
    voicemail = call.say(ASK_FOR_PERSON["es"])
    assert voicemail.find("Record") is not None and CLOSED["es"] in spoken(voicemail)
    replies = _replies(session)
    assert replies == [spoken(menu), spoken(voicemail)]
    assert not any(GREETING["es"] in reply or CONNECTING["es"] in reply for reply in replies)
    assert _packet_replies(session) == replies


@pytest.mark.voice_config(voice_business_hours=AFTER_HOURS)
def test_unknown_caller_choosing_english_then_asking_for_a_person_stores_what_was_said(
    twilio, session
):
    call = VoiceCall(twilio, STRANGER)
    menu = call.start()
    chosen = call.press("2")
    voicemail = call.wait_out_hold(call.say(ASK_FOR_PERSON["en"]))
    assert voicemail.find("Record") is not None and CLOSED["en"] in spoken(voicemail)
    replies = _replies(session)
    assert replies == [spoken(menu), spoken(chosen), spoken(voicemail)]
    assert not any(GREETING["en"] in reply or CONNECTING["en"] in reply for reply in replies)


@pytest.mark.voice_config(voice_business_hours=AFTER_HOURS, voice_hold="always")
def test_a_held_turn_handed_to_voicemail_stores_the_prompt_once(call, customer_factory, session):
    customer_factory()
    greeting = call.start()
    root = call.say(ASK_FOR_PERSON["es"])
    widen_deadlines(session)
    voicemail = call.wait_out_hold(root, timeout=60)
    assert voicemail.find("Record") is not None and CLOSED["es"] in spoken(voicemail)
    assert ET.tostring(call.follow(root)) == ET.tostring(voicemail)  # a retried poll
    replies = _replies(session)
    # The filler said while the turn was held is stored too, before its answer ("still
    # checking" added once when the caller heard it: a worker slow on a loaded machine).
    filler = spoken(root)
    still = f"{filler} {prompts.say('still_working', 'es')}"
    assert replies[0] == spoken(greeting) and replies[1] in (filler, still)
    assert replies[2:] == [spoken(voicemail)]
    assert CONNECTING["es"] not in replies[2]

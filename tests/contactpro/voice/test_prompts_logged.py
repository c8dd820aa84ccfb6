"""What a caller hears beyond the dialog's replies is stored, once, in order and in their
language: the recording notice and the queue announcements as the bot's own turns, a keypad hint
at the end of the question it follows. The TwiML they hear is what it was; the conversation page
and ``contactpro conversations export`` show these words, and nothing counts them as the
caller's turns or answers."""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import select

from contactpro.conversations import interactions
from contactpro.improve import metrics
from contactpro.improve.dataset import read_jsonl
from contactpro.models import Interaction, Turn
from tests.cli.test_entry_point import run
from tests.conftest import wait_for
from tests.contactpro.voice.conftest import VoiceCall
from tests.webhooks.console.conftest import add_users, cheap_password_hashing, login  # noqa: F401
from tests.webhooks.test_voice import spoken

PHONES = {"es": "+573001112233", "en": "+13055550123"}
STRANGERS = {"es": "+573009998877", "en": "+13055550199"}
MENU_KEY = {"es": "1", "en": "2"}
BALANCE = {"es": "cuál es mi saldo", "en": "what is my balance"}
NOTICE = {
    "es": "Esta llamada será grabada para mejorar nuestro servicio.",
    "en": "This call will be recorded to improve our service.",
}
KEYPAD = {
    "es": "Si usas el teclado, termina con numeral.",
    "en": "On the keypad, enter the numbers followed by the pound key.",
}
THIRD = {
    "es": "Eres el número 3 en la fila. Un asesor te atenderá pronto.",
    "en": "You are number 3 in line. An agent will be with you shortly.",
}
NEXT_LONG_WAIT = {
    "es": "Eres el siguiente en la fila. La espera es más larga de lo normal. Para dejar un "
    "mensaje y que te llamemos, oprime 1. O sigue en línea.",
    "en": "You are next in line. The wait is longer than usual. To leave a message and get a "
    "call back, press 1. Or stay on the line.",
}
STAY = {"es": "Muy bien, sigue en línea.", "en": "All right, please stay on the line."}
QUEUE_SID = "QU" + "1" * 32


def _rows(session) -> list[tuple[str, str, str]]:
    """Every turn of the call as (speaker, caller's words, bot's words), in order."""
    session.expire_all()
    turns = session.scalars(select(Turn).order_by(Turn.sequence))
    return [(t.speaker, t.text, t.reply or "") for t in turns]


def _prompts(session) -> list[Turn]:
    session.expire_all()
    turns = session.scalars(select(Turn).order_by(Turn.sequence))
    return [t for t in turns if (t.entities or {}).get(interactions.PROMPT)]


def _says(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter("Say")]


def _known_call(twilio, customer_factory, language: str) -> VoiceCall:
    customer_factory(phone=PHONES[language], language=language)
    return VoiceCall(twilio, PHONES[language])


def _wait(call: VoiceCall, language: str, position: str, waited: str) -> ET.Element:
    return call.post(
        f"/twilio/voice/queue-wait?lang={language}",
        QueuePosition=position,
        QueueTime=waited,
        AvgQueueTime="40",
        CurrentQueueSize="4",
        QueueSid=QUEUE_SID,
    )


# --- The recording notice ---------------------------------------------------------------------


@pytest.mark.voice_config(voice_record_calls=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_recording_notice_is_stored_before_the_greeting_once(
    twilio, session, customer_factory, language
):
    call = _known_call(twilio, customer_factory, language)
    root = call.start()
    assert [child.tag for child in root] == ["Start", "Say", "Gather"]
    notice, greeting = _says(root)
    assert notice == NOTICE[language] and root.find("Gather/Say").text == greeting
    rows = _rows(session)
    assert rows == [("bot", "", NOTICE[language]), ("bot", "", greeting)]
    assert ET.tostring(call.start()) == ET.tostring(root)  # Twilio retried the webhook
    assert _rows(session) == rows


@pytest.mark.voice_config(voice_record_calls=True)
def test_recorded_stranger_hears_and_stores_the_notice_then_the_menu(twilio, session):
    root = VoiceCall(twilio, STRANGERS["es"]).start()
    says = _says(root)
    assert says[0] == NOTICE["es"] and "For English, press 2" in " ".join(says[1:])
    rows = _rows(session)
    assert [reply for _, _, reply in rows] == [NOTICE["es"], " ".join(says[1:])]


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_call_not_recorded_stores_no_notice(twilio, session, customer_factory, language):
    call = _known_call(twilio, customer_factory, language)
    root = call.start()
    assert root.find("Start") is None and NOTICE[language] not in spoken(root)
    assert [reply for _, _, reply in _rows(session)] == [spoken(root)]


# --- Keypad hints -----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["es", "en"])
def test_keypad_hint_is_stored_after_the_question_and_its_reprompt_once(twilio, session, language):
    call = VoiceCall(twilio, STRANGERS[language])
    call.start()
    call.press(MENU_KEY[language])
    asked = call.say(BALANCE[language])
    words = spoken(asked)
    assert words.endswith(" " + KEYPAD[language]) and words.count(KEYPAD[language]) == 1
    assert asked.find("Gather").get("finishOnKey") == "#"
    question = words.removesuffix(" " + KEYPAD[language])
    assert _rows(session)[-1] == ("caller", BALANCE[language], words)
    path = call.next_path
    silent = call.silence()
    reprompt = spoken(silent)
    # The reprompt asks the question again and then the hint, never the hint twice.
    assert reprompt.endswith(" " + KEYPAD[language]) and reprompt.count(KEYPAD[language]) == 1
    assert question.split(". ")[-1] in reprompt
    call.next_path = path
    assert ET.tostring(call.silence()) == ET.tostring(silent)  # Twilio retried the webhook
    rows = _rows(session)
    assert rows[-2:] == [("caller", BALANCE[language], words), ("bot", "", reprompt)]
    assert len(rows) == 4  # the menu and the language chosen before them
    session.expire_all()
    last = session.scalars(select(Turn).order_by(Turn.sequence.desc())).first()
    assert last.entities["reprompt"] is True
    assert last.entities[interactions.KEYPAD_HINT] == KEYPAD[language]
    interaction = session.scalars(select(Interaction)).one()
    assert interactions.last_question(session, interaction) == question


# --- Waiting for an agent -----------------------------------------------------------------------


def _queue(call: VoiceCall, language: str) -> list[str]:
    """Hand over, wait in the queue (the hold music loops), stay once, then leave for voicemail;
    return what each answer said, in order."""
    said = []
    handed = call.press("0")
    assert handed.find("Enqueue") is not None
    said.append(spoken(handed))
    third = _wait(call, language, "3", "20")
    assert [child.tag for child in third] == ["Say", "Play"] and _says(third) == [THIRD[language]]
    assert ET.tostring(_wait(call, language, "3", "45")) == ET.tostring(third)  # the next loop
    assert ET.tostring(_wait(call, language, "3", "45")) == ET.tostring(third)  # a retry
    said.append(spoken(third))
    offer = _wait(call, language, "1", "320")
    gather = offer.find("Gather")
    assert [child.tag for child in offer] == ["Gather", "Play"]
    assert (gather.get("input"), gather.get("numDigits"), gather.get("action")) == (
        "dtmf",
        "1",
        f"/twilio/voice/queue-wait/leave?lang={language}",
    )
    assert _says(offer) == [NEXT_LONG_WAIT[language]]
    said.append(spoken(offer))
    stay = call.post(f"/twilio/voice/queue-wait/leave?lang={language}", Digits="2")
    assert [child.tag for child in stay] == ["Say", "Play"] and _says(stay) == [STAY[language]]
    said.append(spoken(stay))
    assert ET.tostring(_wait(call, language, "1", "340")) == ET.tostring(offer)
    left = call.post(f"/twilio/voice/queue-wait/leave?lang={language}", Digits="1")
    assert [child.tag for child in left] == ["Leave"]
    return said


@pytest.mark.voice_config(voice_max_queue_wait_seconds=300)
@pytest.mark.parametrize("language", ["es", "en"])
def test_queue_announcements_are_stored_once_each_in_order(
    twilio, session, customer_factory, language
):
    call = _known_call(twilio, customer_factory, language)
    greeting = spoken(call.start())
    said = _queue(call, language)
    assert _rows(session) == [
        ("bot", "", greeting),
        ("caller", "0", said[0]),
        ("bot", "", THIRD[language]),
        ("bot", "", NEXT_LONG_WAIT[language]),
        ("bot", "", STAY[language]),
    ]
    prompts = _prompts(session)
    assert [t.entities[interactions.PROMPT] for t in prompts] == [
        "queue_announcement",
        "queue_announcement",
        "stay_on_line",
    ]
    assert [(t.intent, t.tier, t.action, t.source) for t in prompts] == [
        (None, None, None, "system")
    ] * 3
    assert {t.entities["language"] for t in prompts} == {language}
    interaction = session.scalars(select(Interaction)).one()
    # What the caller was last asked is never a queue announcement.
    assert interactions.last_question(session, interaction) not in [t.reply for t in prompts]


def _closed(session) -> Interaction | None:
    session.expire_all()
    return session.scalars(select(Interaction).where(Interaction.status == "closed")).first()


@pytest.mark.voice_config(voice_max_queue_wait_seconds=300, voice_record_calls=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_manager_and_export_see_every_prompt_and_no_extra_caller_turns(
    backend, app_config, twilio, client, session, customer_factory, language, tmp_path: Path
):
    if backend is not None:
        pytest.skip("the export command reads the SQLite file")
    call = _known_call(twilio, customer_factory, language)
    greeting = _says(call.start())[1]
    said = _queue(call, language)
    assert call.end(400) == 204
    interaction = wait_for(lambda: _closed(session))
    heard = [NOTICE[language], greeting, said[0], THIRD[language], NEXT_LONG_WAIT[language]]
    heard.append(STAY[language])

    add_users(session)
    login(client, "max@example.com")
    page = html.unescape(client.get(f"/console/manager/conversations/{interaction.id}").text)
    at = [page.find(words) for words in heard]
    assert -1 not in at and at == sorted(at), list(zip(heard, at, strict=True))

    out = tmp_path / "live.jsonl"
    exported = run(
        ["conversations", "export", "--out", str(out), "--channel", "voice"],
        tmp_path,
        CONTACTPRO_DATABASE_URL=app_config["database_url"],
    )
    assert exported.returncode == 0, exported.stderr
    line = json.loads(out.read_text(encoding="utf-8"))
    assert [m["content"] for m in line["transcript"] if m["role"] == "assistant"] == heard
    assert [m["content"] for m in line["transcript"] if m["role"] == "user"] == ["0"]
    assert line["outcomes"]["intent_detected"] == ["agent_request"]
    conversations, problems = read_jsonl(out)
    assert not problems and metrics.measure(conversations[0]).caller_turns == 1

"""What a caller hears after the hand-off is stored too, once, in order and in their language:
the invitation to leave a voicemail (they left the queue for it, the queue failed them, the
agent's line did not answer) and the goodbyes (after their message, after an empty one, after
the agent hung up). Each is the bot's own turn, never an answer or a topic; Twilio's retries
add nothing; the TwiML is what it was; and a callback journaled while the database was down
stores the same turns once replayed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from contactpro.conversations import interactions
from contactpro.models import Interaction, Turn
from contactpro.resilience import journal
from tests.conftest import make_customer, wait_for
from tests.contactpro.resilience.test_journal_callbacks import (  # noqa: F401
    Outage,
    _replay_only_when_asked,
    outage,
)
from tests.contactpro.voice.conftest import VoiceCall, closed_now
from tests.contactpro.voice.test_prompts_logged import (
    PHONES,
    QUEUE_SID,
    _known_call,
    _prompts,
    _rows,
    _says,
)
from tests.contactpro.voice.test_voicemail_and_recordings import closed_call
from tests.webhooks.test_voice import spoken

CHOSEN = {
    "es": "Deja tu mensaje después del tono y te responderemos pronto. Al terminar, oprime "
    "numeral.",
    "en": "Leave your message after the tone and we'll get back to you soon. Press pound when "
    "you're done.",
}
BUSY = {
    "es": "Lo siento, en este momento ningún asesor puede atenderte. Deja tu mensaje después "
    "del tono y te llamaremos pronto. Al terminar, oprime numeral.",
    "en": "Sorry, no agent is available to take your call right now. Leave your message after "
    "the tone and we'll call you back soon. Press pound when you're done.",
}
THANKS = {
    "es": "Recibimos tu mensaje. Te responderemos pronto. ¡Hasta luego!",
    "en": "We got your message. We'll get back to you soon. Goodbye!",
}
EMPTY = {
    "es": "No recibimos ningún mensaje. Un asesor te devolverá la llamada. ¡Hasta luego!",
    "en": "We didn't get a message. An agent will call you back. Goodbye!",
}
FINISHED = {
    "es": "Gracias por comunicarte con nosotros. ¡Hasta luego!",
    "en": "Thanks for calling. Goodbye!",
}
AGENT = {"es": "quiero hablar con un asesor", "en": "I want to talk to an agent"}
RECORDING_URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/"
AFTER_HOURS = closed_now()


def _handed_over(call: VoiceCall) -> list[tuple[str, str, str]]:
    """Greet the caller and hand them over with 0; return the two turns stored so far."""
    greeting = spoken(call.start())
    handed = call.press("0")
    assert handed.find("Enqueue") is not None or handed.find("Dial") is not None
    return [("bot", "", greeting), ("caller", "0", spoken(handed))]


def _queue_result(call: VoiceCall, language: str, result: str) -> ET.Element:
    return call.post(
        f"/twilio/voice/queue-result?lang={language}",
        QueueResult=result,
        QueueTime="330",
        QueueSid=QUEUE_SID,
    )


def _message(call: VoiceCall, sid: str) -> ET.Element:
    """Leave a six-second message: the voicemail ``<Record>`` action (``#`` ends it)."""
    return call.record(RECORDING_URL + sid, sid, duration=6, Digits="#")


def _twice(post, *args) -> ET.Element:
    """Post, then post the same again (Twilio's retry): the same answer both times."""
    first = post(*args)
    assert ET.tostring(post(*args)) == ET.tostring(first)
    return first


def _assert_prompts(session, language: str, names: list[str]) -> None:
    """The stored prompts are ``names``, in order, in ``language``, and never an answer."""
    prompts = _prompts(session)
    assert [t.entities[interactions.PROMPT] for t in prompts] == names
    assert {t.entities["language"] for t in prompts} == {language}
    assert [(t.speaker, t.text, t.intent, t.tier, t.action, t.source) for t in prompts] == [
        ("bot", "", None, None, None, "system")
    ] * len(names)
    interaction = session.scalars(select(Interaction)).one()
    assert interactions.last_question(session, interaction) not in [t.reply for t in prompts]


# --- After the queue --------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["es", "en"])
def test_voicemail_chosen_in_the_queue_and_the_thanks_are_stored_once(
    twilio, session, customer_factory, language
):
    call = _known_call(twilio, customer_factory, language)
    before = _handed_over(call)
    invitation = _twice(_queue_result, call, language, "leave")
    assert [child.tag for child in invitation] == ["Say", "Record", "Redirect"]
    assert _says(invitation) == [CHOSEN[language]]
    assert invitation.find("Record").get("action") == f"/twilio/voice/voicemail?lang={language}"
    thanks = _twice(_message, call, "RE" + "a" * 32)
    assert [child.tag for child in thanks] == ["Say", "Hangup"]
    assert _says(thanks) == [THANKS[language]]
    assert _rows(session) == [*before, ("bot", "", CHOSEN[language]), ("bot", "", THANKS[language])]
    _assert_prompts(session, language, ["voicemail_chosen", "voicemail_thanks"])


@pytest.mark.parametrize("language", ["es", "en"])
def test_failed_queue_invites_to_voicemail_and_an_empty_one_says_goodbye_once(
    twilio, session, customer_factory, language
):
    call = _known_call(twilio, customer_factory, language)
    before = _handed_over(call)
    invitation = _twice(_queue_result, call, language, "queue-full")
    assert _says(invitation) == [BUSY[language]]
    empty = invitation.find("Redirect").text
    assert empty == f"/twilio/voice/voicemail?empty=1&lang={language}"
    goodbye = _twice(call.post, empty)
    assert [child.tag for child in goodbye] == ["Say", "Hangup"]
    assert _says(goodbye) == [EMPTY[language]]
    assert EMPTY[language] not in spoken(invitation) and THANKS[language] not in spoken(goodbye)
    assert _rows(session) == [*before, ("bot", "", BUSY[language]), ("bot", "", EMPTY[language])]
    _assert_prompts(session, language, ["voicemail_busy", "voicemail_empty"])


@pytest.mark.parametrize("result", ["bridged", "hangup"])
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_queue_left_for_an_agent_or_hung_up_stores_nothing(
    twilio, session, customer_factory, language, result
):
    call = _known_call(twilio, customer_factory, language)
    before = _handed_over(call)
    assert list(_twice(_queue_result, call, language, result)) == []
    assert _rows(session) == before


# --- After a dialled agent ----------------------------------------------------------------------


def _dial_result(call: VoiceCall, language: str, status: str, seconds: str) -> ET.Element:
    return call.post(
        f"/twilio/voice/dial-result?lang={language}",
        DialCallStatus=status,
        DialCallDuration=seconds,
        DialCallSid="CA" + "e" * 32,
    )


@pytest.mark.voice_config(voice_handoff="dial", voice_dial_target="+15550002000")
@pytest.mark.parametrize("language", ["es", "en"])
def test_goodbye_after_the_agent_hung_up_is_stored_once(
    twilio, session, customer_factory, language
):
    call = _known_call(twilio, customer_factory, language)
    before = _handed_over(call)
    goodbye = _twice(_dial_result, call, language, "completed", "95")
    assert [child.tag for child in goodbye] == ["Say", "Hangup"]
    assert _says(goodbye) == [FINISHED[language]]
    assert _rows(session) == [*before, ("bot", "", FINISHED[language])]
    _assert_prompts(session, language, ["agent_finished"])
    call.end(140)
    # The bot's goodbye after the agent is no bot hang-up: a person took the call.
    assert wait_for(lambda: closed_call(session)).close_reason == "escalated_answered"


@pytest.mark.voice_config(voice_handoff="dial", voice_dial_target="+15550002000")
@pytest.mark.parametrize("language", ["es", "en"])
def test_unanswered_agent_line_invites_to_voicemail_then_thanks_once(
    twilio, session, customer_factory, language
):
    call = _known_call(twilio, customer_factory, language)
    before = _handed_over(call)
    invitation = _twice(_dial_result, call, language, "no-answer", "0")
    assert _says(invitation) == [BUSY[language]] and invitation.find("Record") is not None
    thanks = _twice(_message, call, "RE" + "b" * 32)
    assert _says(thanks) == [THANKS[language]]
    assert _rows(session) == [*before, ("bot", "", BUSY[language]), ("bot", "", THANKS[language])]
    _assert_prompts(session, language, ["voicemail_busy", "voicemail_thanks"])
    call.end(60)
    assert wait_for(lambda: closed_call(session)).close_reason == "voicemail"


# --- Out of hours -------------------------------------------------------------------------------


@pytest.mark.voice_config(voice_business_hours=AFTER_HOURS)
@pytest.mark.parametrize("language", ["es", "en"])
def test_after_hours_invitation_stays_in_the_reply_and_the_goodbye_follows_once(
    twilio, session, customer_factory, language
):
    call = _known_call(twilio, customer_factory, language)
    greeting = spoken(call.start())
    invited = call.say(AGENT[language])
    assert invited.find("Record") is not None and invited.find("Enqueue") is None
    goodbye = _twice(call.post, invited.find("Redirect").text)
    assert _says(goodbye) == [EMPTY[language]]
    rows = _rows(session)
    # The invitation is stored once, at the end of the reply that said it.
    assert rows == [
        ("bot", "", greeting),
        ("caller", AGENT[language], spoken(invited)),
        ("bot", "", EMPTY[language]),
    ]
    _assert_prompts(session, language, ["voicemail_empty"])


# --- Replayed from the journal -------------------------------------------------------------------


def _call_rows(box: Outage, call_sid: str) -> list[tuple[str, str, str, str | None]]:
    """One call's turns as (speaker, caller's words, bot's words, prompt), in order."""
    box.session.expire_all()
    turns = box.session.scalars(
        select(Turn)
        .join(Interaction)
        .where(Interaction.twilio_sid == call_sid)
        .order_by(Turn.sequence)
    )
    return [
        (t.speaker, t.text, t.reply or "", (t.entities or {}).get(interactions.PROMPT))
        for t in turns
    ]


@pytest.mark.parametrize("language", ["es", "en"])
def test_voicemail_callbacks_replayed_from_the_journal_store_the_turns_as_live(
    outage: Outage,  # noqa: F811
    language,
):
    make_customer(outage.session, phone=PHONES[language], language=language)
    live, journaled = VoiceCall(outage.up, PHONES[language]), VoiceCall(outage.up, PHONES[language])
    _handed_over(live)
    _handed_over(journaled)
    heard = [_queue_result(live, language, "leave"), _message(live, "RE" + "c" * 32)]
    # The database goes away: the same callbacks of the other call are answered and journaled.
    down = VoiceCall(outage.down, PHONES[language])
    down.sid = journaled.sid
    answered = [_queue_result(down, language, "leave"), _message(down, "RE" + "d" * 32)]
    assert [ET.tostring(root) for root in answered] == [ET.tostring(root) for root in heard]
    assert _says(answered[0]) == [CHOSEN[language]] and _says(answered[1]) == [THANKS[language]]
    entries = outage.pending()
    assert [e.kind for e in entries] == [journal.QUEUE_RESULT, journal.VOICEMAIL]
    assert [e.params["lang"] for e in entries] == [language, language]
    assert len(_call_rows(outage, journaled.sid)) == 2  # greeting and the hand-off only

    result = outage.replay()
    assert (result.replayed, result.remaining, result.rejected) == (2, 0, 0)
    rows = _call_rows(outage, journaled.sid)
    assert rows[2:] == _call_rows(outage, live.sid)[2:]  # as the live call stored them
    assert rows[2:] == [
        ("bot", "", CHOSEN[language], "voicemail_chosen"),
        ("bot", "", THANKS[language], "voicemail_thanks"),
    ]
    snapshot = outage.snapshot()
    assert outage.replay().replayed == 0
    # Twilio retries both callbacks once the database is back: nothing more is stored.
    assert ET.tostring(_queue_result(journaled, language, "leave")) == ET.tostring(answered[0])
    assert ET.tostring(_message(journaled, "RE" + "d" * 32)) == ET.tostring(answered[1])
    assert outage.snapshot() == snapshot

"""What a call does next, decided for each voice webhook: listen, hold, hand off or hang up.

Each function takes a request Twilio sent (parsed by :mod:`contactpro.providers.twilio_forms`),
stores what it means and returns the call's next :data:`Step`; the webhook commits and renders
the step as TwiML. A caller's turn is keys, speech or silence; keys and speech may be held
(answered with a filler while a worker understands them), a recorded answer always is, and a
``0`` that ends a recording asks for a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.conversations import interactions, turn_service
from contactpro.conversations.turn_service import BotReply, Inbound
from contactpro.dialog import after_hours
from contactpro.dialog.accounts import AWAITING as AWAITING_ACCOUNT
from contactpro.dialog.engine import CONFIRMATIONS, ESCALATE, HANGUP, YES_NO_KEYS, listening_for
from contactpro.models import Interaction, Turn, VoiceJob, utcnow
from contactpro.providers.twilio_forms import (
    CallerTurn,
    HoldPoll,
    IncomingCall,
    RecordingReport,
)
from contactpro.voice import handoff, hold, language, prompts, recordings
from contactpro.voice.locale import call_locale
from contactpro.voice.turns import record_mode

# A held caller hears "still working on it" every this many polls, silence in between.
STILL_WORKING_EVERY = 4
# Questions the dialog waits on whose answer is a number of several digits (an id or account
# number, the last four digits of an id, a birth year, the last digits of an account): the
# caller may type it, ending with #.
NUMBER_QUESTIONS = frozenset({"identify", "verify", "debt_account", AWAITING_ACCOUNT})
# Questions asked after telling the caller to do something that takes a while (restart the
# modem and wait two minutes): the call waits longer before taking silence as no answer.
TASK_QUESTIONS = frozenset({"step_result"})
# The entity of a turn handed to voicemail holding the prompt its stored reply ends with.
VOICEMAIL_PROMPT = "voicemail_prompt"
# The keypad hints said after a question (``voice_keypad_*``), stored at the end of its turn.
KEYPAD_NUMBER, KEYPAD_YES_NO = "keypad_number", "keypad_yes_no"


@dataclass(frozen=True)
class Listen:
    """Say ``text`` and wait for the caller's answer to the prompt of turn ``sequence``: Twilio's
    recogniser listens in ``locale`` for speech or keys, or (``record``) the answer is recorded
    to transcribe. ``number``: the answer is a number the caller may type, ending with #.
    ``task``: the caller was asked to do something first, and may be silent for a while.
    ``yes_no``: the prompt asks a yes-or-no question, so the recogniser expects yes and no."""

    text: str
    language: str
    sequence: int
    record: bool
    locale: str
    number: bool
    task: bool = False
    yes_no: bool = False


@dataclass(frozen=True)
class HandOff:
    """Say ``text`` and reach a person by ``mode`` (queue, dialled agent or voicemail);
    ``opens``: when people answer again, on the caller's clock, for a voicemail left while
    nobody does."""

    text: str
    language: str
    mode: str
    opens: str = ""


@dataclass(frozen=True)
class HangUp:
    """Say ``text`` and end the call."""

    text: str
    language: str


@dataclass(frozen=True)
class LanguageMenu:
    """Ask a caller the bot does not know to choose their language, listening in ``locale``;
    ``attempt`` counts the askings (the second one starts "I didn't get that", or after
    silence, ``unheard``, "I didn't hear you")."""

    language: str
    locale: str
    attempt: int = 1
    unheard: bool = False


@dataclass(frozen=True)
class Held:
    """A turn handed to a worker: say ``text`` (a filler, or nothing) and poll job ``job_id``.

    ``new`` when this request created the job, which then still has to be sent to a worker.
    """

    job_id: int
    new: bool
    language: str
    text: str


Step = Listen | HandOff | HangUp | LanguageMenu | Held


def after_reply(
    session: Session, settings: Settings, reply: BotReply, to_number: str
) -> Listen | HandOff | HangUp:
    """Return the step that speaks the bot's reply: hand off, hang up, or listen again."""
    if reply.action == ESCALATE:
        now = utcnow()
        mode = handoff.choose_handoff(session, settings, now)
        text, opens = reply.text, ""
        if mode == handoff.VOICEMAIL:
            caller = session.get(Interaction, reply.interaction_id)
            if caller is not None:
                opens = after_hours.opens_at(session, settings, caller, now) or ""
            text = _before_voicemail(session, reply, opens)
        return HandOff(text, reply.language, mode, opens)
    if reply.action == HANGUP:
        return HangUp(reply.text, reply.language)
    recorded = record_mode(settings, reply.language, to_number)
    interaction = session.get(Interaction, reply.interaction_id)
    assert interaction is not None
    state = interaction.state or {}
    awaiting = state.get("awaiting")
    _, menu = listening_for(awaiting, state.get("slots"))
    number = awaiting in NUMBER_QUESTIONS and not recorded
    hint = ""
    if number:
        hint = KEYPAD_NUMBER
    elif awaiting in CONFIRMATIONS and not recorded:
        # A yes books something: say which keys answer it (1 yes, 2 no), never the main menu.
        hint = KEYPAD_YES_NO
    return Listen(
        _with_keypad_hint(session, reply, hint),
        reply.language,
        reply.sequence,
        record=recorded,
        locale=call_locale(session, settings, interaction, reply.language),
        number=number,
        task=awaiting in TASK_QUESTIONS,
        yes_no=menu == YES_NO_KEYS,  # a yes-or-no question: 1 is yes, 2 is no
    )


def _with_keypad_hint(session: Session, reply: BotReply, hint: str) -> str:
    """Return the reply followed by keypad hint ``hint`` (the reply alone without one), storing
    the turn as said: its reply then the hint (kept on the turn as ``KEYPAD_HINT``, so a
    repeated request says the same words and writes nothing twice)."""
    if not hint:
        return reply.text
    turn = session.get(Turn, reply.turn_id)
    if turn is not None and (turn.entities or {}).get(interactions.KEYPAD_HINT):
        return turn.reply or ""  # already stored as said
    words = prompts.say(hint, reply.language)
    said = f"{reply.text} {words}".strip()
    turn_service.said_on_call(session, reply.turn_id, said, **{interactions.KEYPAD_HINT: words})
    return said


def _before_voicemail(session: Session, reply: BotReply, opens: str) -> str:
    """Return what a call handed to voicemail says before the voicemail prompt (the reply
    without its promise to connect: nobody is there), storing the turn as said, that text and
    then the prompt; a retried request gets the same words."""
    turn = session.get(Turn, reply.turn_id)
    stored = (turn.entities or {}).get(VOICEMAIL_PROMPT) if turn is not None else None
    if turn is not None and stored is not None:  # already stored as said
        return (turn.reply or "").removesuffix(stored).strip()
    text = reply.text.removesuffix(prompts.say("connecting", reply.language)).strip()
    prompt = prompts.say("voicemail_closed", reply.language, opens=opens)
    said = f"{text} {prompt}".strip()
    turn_service.said_on_call(session, reply.turn_id, said, **{VOICEMAIL_PROMPT: prompt})
    return text


def call_interaction(session: Session, settings: Settings, call: IncomingCall) -> Interaction:
    """Return the call's interaction, opening it if the call started before we knew it."""
    interaction = interactions.find_by_sid(session, "voice", call.call_sid)
    if interaction is None:
        turn_service.greet_call(
            session,
            settings,
            call_sid=call.call_sid,
            from_number=call.from_number,
            to_number=call.to_number,
        )
        interaction = interactions.find_by_sid(session, "voice", call.call_sid)
        assert interaction is not None
    return interaction


def answer_call(session: Session, settings: Settings, call: IncomingCall) -> Step:
    """Greet a new call: a known caller by name, an unknown one with the language menu."""
    reply = turn_service.greet_call(
        session,
        settings,
        call_sid=call.call_sid,
        from_number=call.from_number,
        to_number=call.to_number,
        recorded=settings.voice_record_calls,  # the webhook announces the recording first
    )
    interaction = session.get(Interaction, reply.interaction_id)
    assert interaction is not None
    if language.needs_choice(session, settings, interaction):
        # The caller hears the language menu, not the greeting: store what they heard.
        menu = " ".join(text for _, text in language.menu_texts(settings, again=False))
        turn_service.said_on_call(session, reply.turn_id, menu)
        return _menu(session, settings, interaction, 1)
    return after_reply(session, settings, reply, call.to_number)


def _menu(
    session: Session,
    settings: Settings,
    interaction: Interaction,
    attempt: int,
    unheard: bool = False,
) -> Step:
    """Return the language menu, heard in the Spanish of the caller's market."""
    locale = call_locale(session, settings, interaction, "es")
    language_code = interaction.language or settings.default_language
    return LanguageMenu(language_code, locale, attempt, unheard)


def choose_language(
    session: Session, settings: Settings, call: IncomingCall, attempt: int = 1
) -> Step:
    """Store the unknown caller's language (key, word or the language of their request) and
    greet them in it, answer the request they said instead, or (silence, a wrong key) ask the
    menu once more; ``attempt`` is the asking of the menu this answers."""
    interaction = call_interaction(session, settings, call)
    reply = language.choose(
        session,
        settings,
        interaction,
        twilio_key=language.choice_key(interaction),
        digits=call.digits,
        speech=call.speech_result,
        attempt=attempt,
    )
    if reply is None:
        unheard = not call.digits and not call.speech_result
        return _menu(session, settings, interaction, attempt + 1, unheard)
    if reply.action == ESCALATE or not language.carries_request(call.digits, call.speech_result):
        return after_reply(session, settings, reply, call.to_number)
    # The caller said their request instead of a language: it is their first turn.
    turn = CallerTurn(call=call, key=language.request_key(interaction))
    result = _spoken(session, settings, interaction, turn)
    if isinstance(result, Held):
        return result
    return after_reply(session, settings, result, call.to_number)


def heard(call: IncomingCall, key: str) -> Inbound | None:
    """Return what the caller pressed (keys win) or said in request ``key``; None for silence."""
    if call.digits:
        return Inbound(call.digits, "dtmf", key)
    if call.speech_result:
        return Inbound(call.speech_result, "speech", key, call.confidence)
    return None


def caller_turn(session: Session, settings: Settings, turn: CallerTurn) -> Step:
    """Answer the caller's turn: what they said or pressed, their recording, or their silence."""
    interaction = call_interaction(session, settings, turn.call)
    if turn.recording is not None:
        result = _recorded(session, settings, interaction, turn.key, turn.recording)
    else:
        result = _spoken(session, settings, interaction, turn)
    if isinstance(result, Held):
        return result
    return after_reply(session, settings, result, turn.call.to_number)


def _held(
    session: Session, settings: Settings, interaction: Interaction, job: VoiceJob, new: bool
) -> Held:
    """Hold the caller with a filler, stored as the bot's turn before the held turn's answer."""
    language_code = interaction.language or settings.default_language
    text = prompts.filler(language_code, job.id)
    hold.store_filler(session, interaction, job, text, language_code)
    return Held(job.id, new, language_code, text)


def _spoken(
    session: Session, settings: Settings, interaction: Interaction, turn: CallerTurn
) -> BotReply | Held:
    """Understand keys or speech now, or hold them for a worker; reprompt silence."""
    inbound = heard(turn.call, turn.key)
    if inbound is None:
        return turn_service.no_input(session, settings, interaction, turn.key)
    job = hold.find_job(session, turn.key)
    if job is not None:  # a retry of a held turn: back to the same poll
        return _held(session, settings, interaction, job, False)
    if hold.should_hold(
        settings, source=inbound.source, llm_available=hold.llm_configured(settings)
    ):
        payload = {"text": inbound.text, "source": inbound.source, "asr": turn.call.confidence}
        job, new = hold.start_job(
            session, settings, interaction, twilio_key=turn.key, kind="turn", payload=payload
        )
        return _held(session, settings, interaction, job, new)
    return turn_service.take_turn(session, settings, interaction, inbound)


def _recorded(
    session: Session,
    settings: Settings,
    interaction: Interaction,
    key: str,
    report: RecordingReport,
) -> BotReply | Held:
    """Record mode: ``0`` asks for a person, an empty recording is silence, and anything else
    is transcribed in a held job."""
    if report.digits == "0":
        return turn_service.take_turn(session, settings, interaction, Inbound("0", "dtmf", key))
    if not (report.recording_sid and report.url) or not report.duration_seconds:
        return turn_service.no_input(session, settings, interaction, key)
    recording = recordings.record(
        session,
        RecordingReport(
            call_sid=report.call_sid,
            recording_sid=report.recording_sid,
            url=report.url,
            status="completed",
            duration_seconds=report.duration_seconds,
            source="RecordVerb",
        ),
        kind="turn",
    )
    assert recording is not None
    job, new = hold.start_job(
        session,
        settings,
        interaction,
        twilio_key=key,
        kind="transcribe",
        payload={"recording_id": recording.id},
    )
    return _held(session, settings, interaction, job, new)


def poll_hold(session: Session, settings: Settings, poll: HoldPoll) -> Step:
    """The hold loop: the held turn's answer when ready, else a pause and another poll."""
    answer = hold.poll(session, settings, poll.job_id, call_sid=poll.call.call_sid)
    if answer.reply is not None:
        return after_reply(session, settings, answer.reply, poll.call.to_number)
    # Every few seconds of silence, tell the caller we are still on it.
    still = answer.polls % STILL_WORKING_EVERY == 0
    text = prompts.say("still_working", answer.language) if still else ""
    if still:
        hold.store_still_working(session, poll.job_id, text, answer.polls // STILL_WORKING_EVERY)
    return Held(poll.job_id, False, answer.language, text)

"""Voice webhooks: the call from greeting to hand-off, the hold loop, recordings and voicemail.

Each route parses Twilio's request (:mod:`contactpro.providers.twilio_forms`), lets the domain
decide what the call does next (:mod:`contactpro.voice.decide`), commits, and renders the answer
as TwiML (:mod:`webhooks.twiml`) within a few database round trips; slow work (an LLM turn, a
transcription) is a held job polled through ``/hold``. Any failure becomes an apology and the
agent queue (``webhooks._safe_answer``), never Twilio's application error.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError
from twilio.twiml.voice_response import VoiceResponse

from contactpro.config import Settings
from contactpro.conversations import interactions
from contactpro.models import Interaction, Recording
from contactpro.providers.twilio_forms import (
    CallerTurn,
    CallStatus,
    DialResult,
    HoldPoll,
    IncomingCall,
    QueueResult,
    QueueWait,
    RecordingCallback,
    VoicemailLeft,
    url_language,
)
from contactpro.voice import decide, handoff, outcomes, prompts, recordings, waiting
from contactpro.voice.language import menu_attempt
from tasks import send
from tasks.voice import close_call, run_voice_job, transcribe_recording
from webhooks import twiml
from webhooks.db import committed, db_session
from webhooks.journal import journal_fallback
from webhooks.security import twilio_signed

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__, url_prefix="/twilio/voice")


def _settings() -> Settings:
    return current_app.extensions["contactpro"].settings


def _answer(step: decide.Step, response: VoiceResponse | None = None) -> Response:
    """Answer with the call's next step, first sending a newly held turn to a worker."""
    if isinstance(step, decide.Held) and step.new:
        send(run_voice_job, step.job_id)
    return twiml.render(step, _settings(), response=response)


def _id_of(row: Interaction | Recording | None) -> int | None:
    """The id of a row a route sends a task for, read before the commit expires it."""
    return row.id if row is not None else None


def _language_of(call_sid: str) -> str:
    """Return the call's language; the default when the call or the database is unavailable."""
    settings = _settings()
    if (language := url_language(request.args)) is not None:
        return language
    try:
        interaction = interactions.find_by_sid(db_session(), "voice", call_sid)
    except SQLAlchemyError:
        log.warning("language lookup failed", extra={"call_sid": call_sid})
        return settings.default_language
    return (interaction.language if interaction else None) or settings.default_language


def _heard(call_sid: str, prompt: str, text: str, language: str) -> None:
    """Store words the caller hears while waiting for an agent as the bot's turn of their call;
    the caller hears them the same when the database cannot store them."""
    try:
        committed(
            lambda session: waiting.store(session, call_sid, prompt, text, language), retry=True
        )
    except SQLAlchemyError:
        log.warning("prompt not stored", extra={"call_sid": call_sid, "prompt": prompt})


@bp.post("")
@twilio_signed
def incoming() -> Response:
    """Greet a new call: a known caller by name, an unknown one with the language menu."""
    call = IncomingCall.parse(request.form)
    settings = _settings()
    step = committed(lambda session: decide.answer_call(session, settings, call), retry=True)
    response = VoiceResponse()
    twiml.start_call(response, step.language, settings)
    return _answer(step, response)


@bp.post("/language")
@twilio_signed
def language_choice() -> Response:
    """Store the unknown caller's language (key or word) and greet them in it, or ask again."""
    call = IncomingCall.parse(request.form)
    attempt = menu_attempt(request.args)
    settings = _settings()
    step = committed(
        lambda session: decide.choose_language(session, settings, call, attempt), retry=True
    )
    return _answer(step)


@bp.post("/gather")
@twilio_signed
def gather() -> Response:
    """Handle what the caller said or pressed after a prompt (or their silence)."""
    turn = CallerTurn.parse(request.form, request.args)
    settings = _settings()
    step = committed(lambda session: decide.caller_turn(session, settings, turn), retry=True)
    return _answer(step)


@bp.post("/record")
@twilio_signed
def record() -> Response:
    """Record mode: transcribe the caller's recorded answer in a held job."""
    turn = CallerTurn.parse(request.form, request.args, recorded=True)
    settings = _settings()
    step = committed(lambda session: decide.caller_turn(session, settings, turn), retry=True)
    return _answer(step)


@bp.post("/hold")
@twilio_signed
def hold_poll() -> Response:
    """The hold loop: the held turn's answer when ready, else a pause and another poll."""
    poll = HoldPoll.parse(request.form, request.args)
    settings = _settings()
    return _answer(committed(lambda session: decide.poll_hold(session, settings, poll)))


@bp.post("/status")
@twilio_signed
def status() -> Response:
    """Record the call's status; when it has ended, close the interaction in a task."""
    update = CallStatus.parse(request.form)
    ended_id = committed(
        lambda session: _id_of(
            interactions.record_call_status(
                session, update.call_sid, update.call_status, update.duration_seconds
            )
        )
    )
    if ended_id is not None:
        send(close_call, ended_id, update.call_status)
    return Response(status=204)


@bp.post("/queue-result")
@twilio_signed
def queue_result() -> Response:
    """Record how the caller left the agent queue; offer voicemail if they chose it or the queue
    failed them, storing the invitation as the bot's turn."""
    result = QueueResult.parse(request.form)
    settings = _settings()
    committed(
        lambda session: outcomes.queue_left(
            session,
            settings,
            result.call_sid,
            result.queue_result,
            result.queue_time,
            url_language(request.args),
        ),
        retry=True,
    )
    language = _language_of(result.call_sid)
    return twiml.after_queue(result.queue_result, language, settings)


@bp.post("/queue-wait")
@twilio_signed
def queue_wait() -> Response:
    """The queue's wait URL: the caller's place in line, hold music, maybe a voicemail offer."""
    wait = QueueWait.parse(request.form)
    settings = _settings()
    language = _language_of(wait.call_sid)
    offer = handoff.offer_voicemail(settings, wait.queue_time, wait.avg_queue_time)
    text = waiting.queue_announcement(language, wait.position, offer)
    _heard(wait.call_sid, waiting.QUEUE, text, language)
    return twiml.queue_wait(text, language, settings, offer_voicemail=offer)


@bp.post("/queue-wait/leave")
@twilio_signed
def queue_leave() -> Response:
    """A queued caller answered the voicemail offer: 1 leaves the queue for voicemail."""
    call = IncomingCall.parse(request.form)
    if call.digits == "1":
        return twiml.leave_queue()
    language_code = _language_of(call.call_sid)
    text = prompts.say("stay_on_line", language_code)
    _heard(call.call_sid, waiting.STAY_ON_LINE, text, language_code)
    return twiml.say_then(text, language_code, _settings(), play_music=True)


@bp.post("/dial-result")
@twilio_signed
def dial_result() -> Response:
    """Record how the dialled agent leg ended; goodbye, or voicemail when nobody answered (the
    words stored as the bot's turn)."""
    result = DialResult.parse(request.form)
    settings = _settings()
    committed(
        lambda session: outcomes.dial_ended(
            session,
            settings,
            result.call_sid,
            result.dial_status,
            result.dial_seconds,
            url_language(request.args),
        ),
        retry=True,
    )
    language = _language_of(result.call_sid)
    return twiml.after_dial(result.dial_status, language, settings)


@bp.post("/voicemail")
@twilio_signed
def voicemail_left() -> Response:
    """The voicemail's ``<Record>`` action (or the redirect after an empty one): say goodbye,
    storing it as the bot's turn."""
    left = VoicemailLeft.parse(request.form, request.args)
    settings = _settings()
    hint = url_language(request.args)
    queue_id = committed(
        lambda session: _id_of(recordings.voicemail_left(session, settings, left, hint)),
        retry=True,
    )
    if queue_id is not None:
        send(transcribe_recording, queue_id)
    return twiml.after_voicemail(left.empty, _language_of(left.report.call_sid), settings)


@bp.post("/recording")
@twilio_signed
def recording() -> Response:
    """Recording status callback: keep the recording; transcribe it once it is completed."""
    callback = RecordingCallback.parse(request.form, request.args)
    settings = _settings()
    queue_id = committed(
        lambda session: _id_of(
            recordings.receive(session, settings, callback.report, callback.kind)
        )
    )
    if queue_id is not None:
        send(transcribe_recording, queue_id)
    return Response(status=204)


@bp.post("/fallback")
@twilio_signed
def fallback() -> Response:
    """Twilio's fallback URL: apologise and reach a person, touching no database or broker.

    The call or what the caller said is journaled and stored once the journal is replayed.
    """
    return journal_fallback("voice")

"""Voice webhooks: the call from greeting to hand-off, the hold loop, recordings and voicemail.

Every route answers TwiML within a few database round trips; slow work (an LLM turn, a
transcription) is a held job polled through ``/hold``. Any failure becomes an apology and the
agent queue (``webhooks._safe_answer``), never Twilio's application error.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from contactpro.config import LANGUAGES, Settings
from contactpro.conversations import interactions, turn_service
from contactpro.conversations.turn_service import BotReply, Inbound
from contactpro.dialog.engine import ESCALATE, HANGUP
from contactpro.errors import BadRequestError
from contactpro.models import Interaction, utcnow
from contactpro.voice import handoff, hold, language, prompts, recordings, voicemail
from contactpro.voice.turns import record_mode
from tasks import send
from tasks.voice import close_call, run_voice_job, transcribe_recording
from webhooks import twiml
from webhooks.db import db_session, retry_on_conflict
from webhooks.forms import (
    CallStatus,
    DialResult,
    IncomingCall,
    QueueResult,
    QueueWait,
    RecordingReport,
)
from webhooks.security import twilio_signed

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__, url_prefix="/twilio/voice")

RECORDING_KINDS = ("call", "voicemail")


def _settings() -> Settings:
    return current_app.extensions["contactpro"].settings


@dataclass(frozen=True)
class Held:
    """A turn handed to a worker: answer with a filler and poll job ``job_id``."""

    job_id: int
    new: bool
    language: str


def _speak(reply: BotReply, to_number: str, response: VoiceResponse | None = None) -> Response:
    """Turn the bot's reply into the next TwiML step of the call."""
    settings = _settings()
    if reply.action == ESCALATE:
        mode = handoff.choose_handoff(settings, utcnow())
        text = reply.text
        if mode == handoff.VOICEMAIL:
            # Nobody is there to connect to: drop the promise, keep what came before it.
            text = text.removesuffix(prompts.say("connecting", reply.language)).strip()
        return twiml.handoff(text, reply.language, settings, mode)
    if reply.action == HANGUP:
        return twiml.hangup(reply.text, reply.language, settings)
    if record_mode(settings, reply.language, to_number):
        return twiml.record_turn(
            reply.text, reply.language, settings, step=reply.sequence, response=response
        )
    return twiml.gather(
        reply.text, reply.language, settings, step=reply.sequence, response=response
    )


def _held(held: Held) -> Response:
    """Answer a held turn: a filler now, the result from the poll endpoint."""
    if held.new:
        send(run_voice_job, held.job_id)
    text = prompts.filler(held.language, held.job_id)
    return twiml.hold(text, held.language, _settings(), job_id=held.job_id)


def _interaction(session: Session, call: IncomingCall) -> Interaction:
    """Return the call's interaction, opening it if the call started before we knew it."""
    interaction = interactions.find_by_sid(session, "voice", call.call_sid)
    if interaction is None:
        turn_service.greet_call(
            session,
            _settings(),
            call_sid=call.call_sid,
            from_number=call.from_number,
            to_number=call.to_number,
        )
        interaction = interactions.find_by_sid(session, "voice", call.call_sid)
        assert interaction is not None
    return interaction


def url_language(args: Mapping[str, str] | None = None) -> str | None:
    """Return the call's language carried in a callback URL (``?lang=``), if it is one we speak.

    Every URL the TwiML of a call hands Twilio (turns, hold loop, queue, agent, voicemail)
    carries the language it was spoken in, so those requests need no lookup for it and still
    speak the caller's language while the database is down. ``args`` defaults to this request's.
    """
    language = (request.args if args is None else args).get("lang")
    return language if language in LANGUAGES else None


def turn_key(call_sid: str, args: Mapping[str, str] | None = None) -> str:
    """The idempotency key of the caller's answer to the prompt at ``?step=`` (0 if unreadable)."""
    try:
        step = int((request.args if args is None else args).get("step", 0))
    except ValueError:
        step = 0
    return f"{call_sid}:gather:{step}"


def _language_of(call_sid: str) -> str:
    """Return the call's language; the default when the call or the database is unavailable."""
    settings = _settings()
    if (language := url_language()) is not None:
        return language
    try:
        interaction = interactions.find_by_sid(db_session(), "voice", call_sid)
    except SQLAlchemyError:
        log.warning("language lookup failed", extra={"call_sid": call_sid})
        return settings.default_language
    return (interaction.language if interaction else None) or settings.default_language


@bp.post("")
@twilio_signed
def incoming() -> Response:
    """Greet a new call: a known caller by name, an unknown one with the language menu."""
    call = IncomingCall.parse(request.form)
    settings = _settings()

    def answer() -> tuple[BotReply, bool]:
        session = db_session()
        reply = turn_service.greet_call(
            session,
            settings,
            call_sid=call.call_sid,
            from_number=call.from_number,
            to_number=call.to_number,
        )
        interaction = session.get(Interaction, reply.interaction_id)
        assert interaction is not None
        menu = language.needs_choice(session, settings, interaction)
        session.commit()
        return reply, menu

    reply, menu = retry_on_conflict(answer)
    response = VoiceResponse()
    twiml.start_call(response, reply.language, settings)
    if menu:
        return twiml.language_menu(settings, response=response)
    return _speak(reply, call.to_number, response)


@bp.post("/language")
@twilio_signed
def language_choice() -> Response:
    """Store the unknown caller's language (key or word) and greet them in it."""
    call = IncomingCall.parse(request.form)
    settings = _settings()

    def answer() -> BotReply:
        session = db_session()
        interaction = _interaction(session, call)
        reply = language.choose(
            session,
            settings,
            interaction,
            twilio_key=language.choice_key(interaction),
            digits=call.digits,
            speech=call.speech_result,
        )
        session.commit()
        return reply

    return _speak(retry_on_conflict(answer), call.to_number)


def _respond(result: BotReply | Held, to_number: str) -> Response:
    """Answer a turn: the hold loop for held work, else the bot's reply."""
    return _held(result) if isinstance(result, Held) else _speak(result, to_number)


@bp.post("/gather")
@twilio_signed
def gather() -> Response:
    """Handle what the caller said or pressed after a prompt (or their silence)."""
    call = IncomingCall.parse(request.form)
    key = turn_key(call.call_sid)
    settings = _settings()

    def answer() -> BotReply | Held:
        session = db_session()
        interaction = _interaction(session, call)
        if call.digits:
            inbound = Inbound(call.digits, "dtmf", key)
        elif call.speech_result:
            inbound = Inbound(call.speech_result, "speech", key, call.confidence)
        else:
            reply = turn_service.no_input(session, settings, interaction, key)
            session.commit()
            return reply
        job = hold.find_job(session, key)
        if job is None and hold.should_hold(
            settings, source=inbound.source, llm_available=hold.llm_configured(settings)
        ):
            payload = {"text": inbound.text, "source": inbound.source, "asr": call.confidence}
            job, new = hold.start_job(
                session, settings, interaction, twilio_key=key, kind="turn", payload=payload
            )
            held = Held(job.id, new, interaction.language or settings.default_language)
            session.commit()
            return held
        if job is not None:  # a retry of a held turn: back to the same poll
            return Held(job.id, False, interaction.language or settings.default_language)
        reply = turn_service.take_turn(session, settings, interaction, inbound)
        session.commit()
        return reply

    return _respond(retry_on_conflict(answer), call.to_number)


@bp.post("/record")
@twilio_signed
def record() -> Response:
    """Record mode: transcribe the caller's recorded answer in a held job."""
    call = IncomingCall.parse(request.form)
    report = RecordingReport.parse(request.form)
    key = turn_key(call.call_sid)
    settings = _settings()

    def answer() -> BotReply | Held:
        session = db_session()
        interaction = _interaction(session, call)
        if report.digits == "0":
            reply = turn_service.take_turn(
                session, settings, interaction, Inbound("0", "dtmf", key)
            )
        elif not (report.recording_sid and report.recording_url) or not report.duration_seconds:
            reply = turn_service.no_input(session, settings, interaction, key)
        else:
            recording = recordings.record(
                session,
                recordings.RecordingReport(
                    call_sid=call.call_sid,
                    recording_sid=report.recording_sid,
                    url=report.recording_url,
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
            held = Held(job.id, new, interaction.language or settings.default_language)
            session.commit()
            return held
        session.commit()
        return reply

    return _respond(retry_on_conflict(answer), call.to_number)


@bp.post("/hold")
@twilio_signed
def hold_poll() -> Response:
    """The hold loop: the held turn's answer when ready, else a pause and another poll."""
    call = IncomingCall.parse(request.form)
    job_id = request.args.get("job", type=int)
    if job_id is None:
        raise BadRequestError("missing job", reason="missing_job")
    settings = _settings()
    session = db_session()
    answer = hold.poll(session, settings, job_id, call_sid=call.call_sid)
    session.commit()
    if answer.reply is None:
        # Every few seconds of silence, tell the caller we are still on it.
        text = prompts.say("still_working", answer.language) if answer.polls % 4 == 0 else ""
        return twiml.hold(text, answer.language, settings, job_id=job_id)
    return _speak(answer.reply, call.to_number)


@bp.post("/status")
@twilio_signed
def status() -> Response:
    """Record the call's status; when it has ended, close the interaction in a task."""
    update = CallStatus.parse(request.form)
    session = db_session()
    ended = interactions.record_call_status(
        session, update.call_sid, update.call_status, update.duration_seconds
    )
    ended_id = ended.id if ended is not None else None
    session.commit()
    if ended_id is not None:
        send(close_call, ended_id, update.call_status)
    return Response(status=204)


@bp.post("/queue-result")
@twilio_signed
def queue_result() -> Response:
    """Record how the caller left the agent queue; offer voicemail if the queue failed them."""
    result = QueueResult.parse(request.form)
    session = db_session()
    handoff.record_queue_result(session, result.call_sid, result.queue_result, result.queue_time)
    session.commit()
    return queue_result_answer(result.queue_result, _language_of(result.call_sid))


def queue_result_answer(queue_result: str, language_code: str) -> Response:
    """Answer a caller out of the queue: voicemail if they chose it or it failed them."""
    if queue_result in handoff.VOICEMAIL_QUEUE_RESULTS:
        return twiml.voicemail(language_code, _settings(), closed=False)
    return twiml.empty_voice()


@bp.post("/queue-wait")
@twilio_signed
def queue_wait() -> Response:
    """The queue's wait URL: the caller's place in line, hold music, maybe a voicemail offer."""
    wait = QueueWait.parse(request.form)
    settings = _settings()
    return twiml.queue_wait(
        _language_of(wait.call_sid),
        settings,
        position=wait.position,
        offer_voicemail=handoff.offer_voicemail(settings, wait.queue_time, wait.avg_queue_time),
    )


@bp.post("/queue-wait/leave")
@twilio_signed
def queue_leave() -> Response:
    """A queued caller answered the voicemail offer: 1 leaves the queue for voicemail."""
    call = IncomingCall.parse(request.form)
    if call.digits == "1":
        return twiml.leave_queue()
    language_code = _language_of(call.call_sid)
    text = prompts.say("stay_on_line", language_code)
    return twiml.say_then(text, language_code, _settings(), play_music=True)


@bp.post("/dial-result")
@twilio_signed
def dial_result() -> Response:
    """Record how the dialled agent leg ended; voicemail when nobody answered."""
    result = DialResult.parse(request.form)
    session = db_session()
    handoff.record_dial_result(session, result.call_sid, result.dial_status, result.dial_seconds)
    session.commit()
    return dial_result_answer(result.dial_status, _language_of(result.call_sid))


def dial_result_answer(dial_status: str, language_code: str) -> Response:
    """Answer after the agent leg: goodbye once a person talked to them, else voicemail."""
    settings = _settings()
    if dial_status in handoff.ANSWERED_DIAL_STATUSES:
        return twiml.hangup(prompts.say("agent_finished", language_code), language_code, settings)
    return twiml.voicemail(language_code, settings, closed=False)


@bp.post("/voicemail")
@twilio_signed
def voicemail_left() -> Response:
    """The voicemail's ``<Record>`` action (or the redirect after an empty one): say goodbye."""
    report, empty = voicemail_request()
    session = db_session()
    queued = voicemail.leave(session, _settings(), report, empty=empty)
    queue_id = queued.id if queued is not None else None
    session.commit()
    if queue_id is not None:
        send(transcribe_recording, queue_id)
    return voicemail_answer(empty, _language_of(report.call_sid))


def voicemail_request() -> tuple[recordings.RecordingReport, bool]:
    """Parse the voicemail action: what Twilio recorded, and whether the caller left nothing."""
    RecordingReport.parse(request.form)
    report = recordings.RecordingReport.from_params(request.form)
    return report, voicemail.is_empty(report, redirected=request.args.get("empty") is not None)


def voicemail_answer(empty: bool, language_code: str) -> Response:
    """Say goodbye after voicemail: thanks for the message, or that none was heard."""
    key = "voicemail_empty" if empty else "voicemail_thanks"
    return twiml.hangup(prompts.say(key, language_code), language_code, _settings())


@bp.post("/recording")
@twilio_signed
def recording() -> Response:
    """Recording status callback: keep the recording; transcribe it once it is completed."""
    kind, report = recording_request()
    session = db_session()
    queued = recordings.receive(session, _settings(), report, kind)
    queue_id = queued.id if queued is not None else None
    session.commit()
    if queue_id is not None:
        send(transcribe_recording, queue_id)
    return Response(status=204)


def recording_request() -> tuple[str, recordings.RecordingReport]:
    """Parse a recording status callback: the recording's kind (``?kind``) and the report."""
    kind = request.args.get("kind", "call")
    if kind not in RECORDING_KINDS:
        raise BadRequestError(f"unknown recording kind {kind!r}", reason="bad_recording_kind")
    if RecordingReport.parse(request.form).recording_sid is None:
        raise BadRequestError("missing parameter RecordingSid", reason="missing_recordingsid")
    return kind, recordings.RecordingReport.from_params(request.form)


@bp.post("/fallback")
@twilio_signed
def fallback() -> Response:
    """Twilio's fallback URL: apologise and reach a person, touching no database or broker.

    The call or what the caller said is journaled and stored once the journal is replayed.
    """
    from webhooks.journal import journal_fallback

    return journal_fallback("voice")

"""Voice webhooks: call start, ``<Gather>`` turns, status, queue result and the fallback URL."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request
from sqlalchemy import select

from contactpro import conversation, interactions
from contactpro.config import Settings
from contactpro.conversation import BotReply
from contactpro.dialog.engine import ESCALATE, HANGUP
from contactpro.models import Escalation
from tasks import send
from tasks.interactions import close_interaction
from webhooks import twiml
from webhooks.db import db_session, retry_on_conflict
from webhooks.forms import CallStatus, IncomingCall, QueueResult
from webhooks.security import twilio_signed

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__, url_prefix="/twilio/voice")


def _settings() -> Settings:
    return current_app.extensions["contactpro"].settings


def _speak(reply: BotReply) -> Response:
    """Turn the bot's reply into the next TwiML step of the call."""
    settings = _settings()
    if reply.action == ESCALATE:
        return twiml.enqueue(reply.text, reply.language, settings)
    if reply.action == HANGUP:
        return twiml.hangup(reply.text, reply.language, settings)
    return twiml.gather(reply.text, reply.language, settings, step=reply.sequence)


@bp.post("")
@twilio_signed
def incoming() -> Response:
    """Greet a new call and start listening."""
    call = IncomingCall.parse(request.form)

    def answer() -> BotReply:
        session = db_session()
        reply = conversation.greet_call(
            session,
            _settings(),
            call_sid=call.call_sid,
            from_number=call.from_number,
            to_number=call.to_number,
        )
        session.commit()
        return reply

    return _speak(retry_on_conflict(answer))


@bp.post("/gather")
@twilio_signed
def gather() -> Response:
    """Handle what the caller said or pressed after a prompt (or their silence)."""
    call = IncomingCall.parse(request.form)
    step = request.args.get("step", default=0, type=int)
    key = f"{call.call_sid}:gather:{step}"
    settings = _settings()

    def answer() -> BotReply:
        session = db_session()
        interaction = interactions.find_by_sid(session, "voice", call.call_sid)
        if interaction is None:
            # The call started before this server knew it (e.g. a restore); open it now.
            conversation.greet_call(
                session,
                settings,
                call_sid=call.call_sid,
                from_number=call.from_number,
                to_number=call.to_number,
            )
            interaction = interactions.find_by_sid(session, "voice", call.call_sid)
            assert interaction is not None
        if call.digits:
            inbound = conversation.Inbound(call.digits, "dtmf", key)
        elif call.speech_result:
            inbound = conversation.Inbound(call.speech_result, "speech", key, call.confidence)
        else:
            reply = conversation.no_input(session, settings, interaction, key)
            session.commit()
            return reply
        reply = conversation.take_turn(session, settings, interaction, inbound)
        session.commit()
        return reply

    return _speak(retry_on_conflict(answer))


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
        send(close_interaction, ended_id, f"call_{update.call_status}")
    return Response(status=204)


@bp.post("/queue-result")
@twilio_signed
def queue_result() -> Response:
    """Record how the caller left the agent queue."""
    result = QueueResult.parse(request.form)
    session = db_session()
    interaction = interactions.find_by_sid(session, "voice", result.call_sid)
    escalation = (
        session.scalars(
            select(Escalation).where(Escalation.interaction_id == interaction.id)
        ).first()
        if interaction
        else None
    )
    if escalation is not None:
        escalation.queue_result = result.queue_result
        escalation.queue_seconds = result.queue_time
        if result.queue_result == "hangup" and escalation.status == "open":
            escalation.status = "abandoned"
    session.commit()
    if result.queue_result in ("queue-full", "system-error", "error"):
        language = (interaction.language if interaction else None) or _settings().default_language
        text = conversation.technical_fallback(language)
        return twiml.hangup(text, language, _settings())
    return twiml.empty_voice()


@bp.post("/fallback")
@twilio_signed
def fallback() -> Response:
    """Twilio's fallback URL: apologise and queue the caller, touching no database."""
    settings = _settings()
    language = settings.default_language
    return twiml.enqueue(conversation.technical_fallback(language), language, settings)

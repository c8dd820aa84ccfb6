"""Messaging webhooks (SMS, MMS, WhatsApp): inbound messages and delivery status callbacks."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request, url_for

from contactpro.conversations import interactions, turn_service
from contactpro.providers.twilio_forms import IncomingSms, MessageStatus
from tasks import send
from tasks.messaging import answer_voice_note
from webhooks import twiml
from webhooks.db import committed
from webhooks.journal import journal_fallback
from webhooks.security import twilio_signed

log = logging.getLogger(__name__)
bp = Blueprint("sms", __name__, url_prefix="/twilio/sms")


@bp.post("")
@twilio_signed
def incoming() -> Response:
    """Answer an SMS or WhatsApp message; a worker answers a voice note by message later."""
    sms = IncomingSms.parse(request.form)
    settings = current_app.extensions["contactpro"].settings
    reply = committed(
        lambda session: turn_service.receive_message(session, settings, sms), retry=True
    )
    if reply.voice_note_id is not None:
        send(answer_voice_note, reply.voice_note_id)
    return twiml.message(reply.text, status_url=url_for("sms.status", turn=reply.turn_id))


@bp.post("/status")
@twilio_signed
def status() -> Response:
    """Record the delivery status of a reply we sent."""
    update = MessageStatus.parse(request.form, request.args)
    committed(
        lambda session: interactions.record_delivery_status(
            session, update.message_sid, update.status, update.error_code, turn_id=update.turn_id
        )
    )
    return Response(status=204)


@bp.post("/fallback")
@twilio_signed
def fallback() -> Response:
    """Twilio's fallback URL for messages: acknowledge and journal, touching no database."""
    return journal_fallback("sms")

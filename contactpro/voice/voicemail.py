"""Voicemail: a message left when no person could answer, answered by SMS or called back.

Once transcribed, a message the bot may handle continues as an SMS conversation: the dialog
answers it exactly as if the caller had texted it, the answer goes out by SMS, and the call's
escalation is resolved pointing at that conversation. A request for a person, a complaint,
something not understood, an empty message or a failed transcription stays an open escalation
marked as a call-back, with the message in its packet.

The recording is stored and transcribed by :mod:`contactpro.voice.recordings`, which hands the
message (or the news that there is none) to this module.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.conversations import turn_service
from contactpro.conversations.escalation import escalate
from contactpro.models import Escalation, Interaction, Recording, utcnow
from contactpro.nlu.cascade import get_cascade
from contactpro.providers.telephony import TelephonyError, telephony_for

log = logging.getLogger(__name__)

VOICEMAIL_REASON = "voicemail"
# What only a person can do: these messages are called back, never answered by text.
CALLBACK_INTENTS = frozenset({"agent_request", "complaint", "out_of_scope"})


def _escalation(session: Session, settings: Settings, interaction: Interaction) -> Escalation:
    existing = session.scalars(
        select(Escalation).where(Escalation.interaction_id == interaction.id)
    ).first()
    return existing or escalate(session, settings, interaction, VOICEMAIL_REASON)


def _note(escalation: Escalation, **voicemail: Any) -> None:
    context = dict(escalation.context or {})
    context["voicemail"] = {**(context.get("voicemail") or {}), **voicemail}
    escalation.context = context


def _callback(escalation: Escalation, **voicemail: Any) -> str:
    _note(escalation, **voicemail, outcome="callback", callback=True)
    if escalation.status == "abandoned":  # hung up in the queue, then left a message
        escalation.status = "open"
    return "callback"


def left_empty(session: Session, settings: Settings, interaction: Interaction) -> Escalation:
    """Record that the caller reached voicemail and left nothing: call them back."""
    escalation = _escalation(session, settings, interaction)
    _callback(escalation, empty=True)
    return escalation


def left_message(
    session: Session, settings: Settings, interaction: Interaction, recording: Recording
) -> Escalation:
    """Note a message the caller just left, so agents see the voicemail and its recording
    while it is transcribed (which :func:`process` then acts on)."""
    escalation = _escalation(session, settings, interaction)
    if not (escalation.context or {}).get("voicemail"):
        _note(escalation, recording_id=recording.id)
    if escalation.status == "abandoned":  # hung up in the queue, then left a message
        escalation.status = "open"
    return escalation


def process(session: Session, settings: Settings, recording: Recording) -> str:
    """Act on a transcribed (or failed) voicemail once; return ``sms`` or ``callback``."""
    interaction = recording.interaction
    escalation = _escalation(session, settings, interaction)
    done = (escalation.context or {}).get("voicemail") or {}
    if done.get("recording_id") == recording.id and done.get("outcome"):
        return str(done["outcome"])
    text = recording.transcript or ""
    seen: dict[str, Any] = {
        "recording_id": recording.id,
        "transcript": text,
        "transcription_status": recording.transcription_status,
        "failure_reason": recording.failure_reason,
        "empty": recording.transcription_status == "empty",
    }
    if recording.transcription_status != "done" or not text:
        return _callback(escalation, **seen)
    understood = get_cascade(settings).understand(
        text, channel="voice", source="recording", language_hint=interaction.language
    )
    seen.update(intent=understood.intent, confidence=round(understood.confidence, 4))
    if understood.intent in CALLBACK_INTENTS or interaction.customer is None:
        return _callback(escalation, **seen)
    reply = turn_service.receive_sms(
        session,
        settings,
        message_sid=recording.recording_sid,
        from_number=interaction.from_number,
        to_number=interaction.to_number,
        body=text,
    )
    try:
        sid = telephony_for(settings).send_sms(interaction.from_number, reply.text)
    except TelephonyError as exc:
        log.warning(
            "voicemail answer not sent",
            extra={"interaction_id": interaction.id, "reason": exc.reason},
        )
        return _callback(escalation, **seen, sms_failed=exc.reason)
    _note(
        escalation,
        **seen,
        outcome="sms",
        callback=False,
        sms_interaction_id=reply.interaction_id,
        sms_reply=reply.text,
        message_sid=sid,
    )
    escalation.status, escalation.resolution = "resolved", "solved"
    escalation.resolved_at = utcnow()
    escalation.notes = f"Voicemail answered by SMS (conversation {reply.interaction_id})."
    log.info(
        "voicemail answered by sms",
        extra={"interaction_id": interaction.id, "sms_interaction_id": reply.interaction_id},
    )
    return "sms"

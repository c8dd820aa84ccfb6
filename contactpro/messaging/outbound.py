"""Messages we send a customer outside a webhook's answer, and WhatsApp's 24-hour window.

WhatsApp lets a business write freely only within 24 hours of the customer's last message
(the customer-service window). Outside it, only a template the business had approved may be
sent: its Content SID is configured per purpose in ``CONTACTPRO_WHATSAPP_CONTENT_SIDS``
(``survey:HX...,inactivity_warning:HX...``). With none configured nothing is sent, and the
reason is recorded. Every decision is an :class:`~contactpro.models.OutboundMessage` row.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.models import Interaction, MessageMedia, OutboundMessage, Turn, utcnow
from contactpro.models.interactions import MESSAGING_CHANNELS
from contactpro.phone import channel_address, mask_phone, to_e164
from contactpro.providers.telephony import Telephony, TelephonyError

log = logging.getLogger(__name__)

WHATSAPP_WINDOW = timedelta(hours=24)
OUTSIDE_WINDOW = "outside_whatsapp_window"
# Where Twilio reports the delivery of a message (webhooks/sms.py ``status``), per turn.
MESSAGE_STATUS_PATH = "/twilio/sms/status"


def status_url(settings: Settings, turn_id: int) -> str:
    """Return the delivery-report URL of the message answering turn ``turn_id`` ("" without a
    public URL: Twilio then reports nothing)."""
    if not settings.public_url:
        return ""
    return f"{settings.public_url.rstrip('/')}{MESSAGE_STATUS_PATH}?turn={turn_id}"


def content_sid_for(settings: Settings, purpose: str) -> str:
    """Return the approved template configured for ``purpose``, or an empty string."""
    for entry in settings.whatsapp_content_sids:
        name, _, sid = entry.partition(":")
        if name == purpose:
            return sid
    return ""


def last_customer_message(session: Session, number: str) -> datetime | None:
    """Return when ``number`` last wrote to us on WhatsApp (a text, a voice note, a file)."""
    on_whatsapp = (Interaction.channel == "whatsapp", Interaction.from_number == number)
    texted = session.scalar(
        select(func.max(Turn.created_at))
        .join(Interaction, Interaction.id == Turn.interaction_id)
        .where(*on_whatsapp, Turn.speaker == "caller")
    )
    sent_file = session.scalar(
        select(func.max(MessageMedia.created_at))
        .join(Interaction, Interaction.id == MessageMedia.interaction_id)
        .where(*on_whatsapp)
    )
    moments = [m for m in (texted, sent_file) if m is not None]
    return max(moments) if moments else None


def in_window(session: Session, number: str, now: datetime | None = None) -> bool:
    """Return True while WhatsApp lets us write freely to ``number``."""
    last = last_customer_message(session, number)
    return last is not None and (now or utcnow()) - last < WHATSAPP_WINDOW


def send(
    session: Session,
    settings: Settings,
    telephony: Telephony,
    interaction: Interaction,
    text: str,
    *,
    purpose: str,
    variables: dict[str, str] | None = None,
    now: datetime | None = None,
    report_to: str = "",
) -> OutboundMessage:
    """Send ``text`` to the customer of ``interaction`` on its channel; record what happened.

    SMS (and calls, answered by SMS) always get the text. WhatsApp gets it within the 24-hour
    window; outside it, the approved template for ``purpose`` with ``variables``, or nothing
    (status ``skipped``, reason ``outside_whatsapp_window``). A refusal by Twilio is status
    ``failed`` with its reason; this never raises for it. ``report_to`` is the delivery-report
    URL (:func:`status_url`).
    """
    channel = interaction.channel if interaction.channel in MESSAGING_CHANNELS else "sms"
    number = to_e164(interaction.from_number) or interaction.from_number
    business = to_e164(interaction.to_number)
    # Answer from the number the customer wrote to; a call is answered from TWILIO_PHONE_NUMBER.
    written = interaction.channel in MESSAGING_CHANNELS and business is not None
    sender = channel_address(channel, business) if written and business else ""
    row = OutboundMessage(
        interaction_id=interaction.id,
        channel=channel,
        purpose=purpose[:30],
        to_number=number[:32],
        body=text,
        created_at=now or utcnow(),
    )
    content_sid = ""
    if channel == "whatsapp" and not in_window(session, number, now):
        content_sid = content_sid_for(settings, purpose)
        if not content_sid:
            row.status, row.reason = "skipped", OUTSIDE_WINDOW
            return _stored(session, row)
        row.content_sid, row.reason = content_sid, OUTSIDE_WINDOW
    try:
        row.message_sid = telephony.send_message(
            channel_address(channel, number),
            text,
            sender=sender,
            content_sid=content_sid,
            variables=json.dumps(variables or {}) if content_sid else "",
            status_url=report_to,
        )
        row.status = "sent"
    except TelephonyError as exc:
        row.status, row.reason = "failed", exc.reason
    return _stored(session, row)


def _stored(session: Session, row: OutboundMessage) -> OutboundMessage:
    session.add(row)
    session.flush()
    log.info(
        "outbound message",
        extra={
            "interaction_id": row.interaction_id,
            "channel": row.channel,
            "purpose": row.purpose,
            "status": row.status,
            "reason": row.reason,
            "to": mask_phone(row.to_number),
        },
    )
    return row

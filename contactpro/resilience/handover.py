"""A message we failed to answer: kept and handed to a person, so the apology tells the truth.

When handling an inbound message raises something unexpected (a bug, an error nobody caught),
its transaction is rolled back and nothing of the turn is stored. The app's error handler then
calls :func:`hand_over_message` in a transaction of its own: the customer's message is stored as
their turn (keyed by its ``MessageSid``, so Twilio's retry gets the same answer), the
conversation is escalated with reason ``technical_error`` (the agent sees the message in the
packet), and the reply is ``escalate_sms``, whose promise of an agent is then true (outside
business hours, ``escalate_sms_closed``: when a person answers).
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.conversations import interactions
from contactpro.conversations.escalation import escalate
from contactpro.dialog import after_hours
from contactpro.dialog.context import ESCALATE
from contactpro.dialog.templates import templates_for
from contactpro.models import utcnow
from contactpro.providers.twilio_forms import IncomingSms

log = logging.getLogger(__name__)

REASON = "technical_error"


def hand_over_message(session: Session, settings: Settings, message: IncomingSms) -> str:
    """Store ``message`` as the customer's turn, escalate its conversation; return the reply."""
    stored = interactions.find_turn(session, message.message_sid)
    if stored is not None:
        return stored.reply or ""
    interaction = interactions.current_conversation(
        session, message.channel, message.from_number, message.to_number
    ) or interactions.open_interaction(
        session,
        settings,
        channel=message.channel,
        sid=message.message_sid,
        from_number=message.from_number,
        to_number=message.to_number,
    )
    interaction.state = {**(interaction.state or {}), "escalated": True}
    language = interaction.language or settings.default_language
    # Outside business hours the reply says when a person answers, never "soon".
    key, closed = after_hours.hand_off_words(
        session, settings, interaction, "escalate_sms", utcnow()
    )
    text = templates_for(settings).render(key, language, channel=interaction.channel, **closed)
    interactions.add_turn(
        session,
        interaction,
        speaker="caller",
        text=message.body[: settings.max_body_chars * 4],
        source="sms",
        tier="none",
        reply=text,
        action=ESCALATE,
        entities={"problem": REASON},
        twilio_key=message.message_sid,
    )
    escalate(session, settings, interaction, REASON)
    log.warning("message handed over after an error", extra={"interaction_id": interaction.id})
    return text

"""The bot's answer to a message that was only acknowledged while the database was down.

The journal replay stores the message's turn; its answer then goes out like every other message
sent outside a webhook's answer (:func:`contactpro.messaging.outbound.send`): recorded as an
``outbound_messages`` row, with a delivery report per turn, and tried again by a task when
Twilio was unreachable or briefly unavailable. Sent once: the message SID is kept on the turn.
An answer that cannot be sent for good hands the conversation to a person.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.conversations.escalation import hand_over_undelivered
from contactpro.db import Database
from contactpro.messaging import outbound
from contactpro.models import Turn
from contactpro.providers.telephony import RETRYABLE_REASONS, Telephony, TelephonyError

log = logging.getLogger(__name__)

PURPOSE = "late_reply"
SENT_KEY = "late_reply_sid"  # in the turn's entities, once the answer went out


def deliver(session: Session, settings: Settings, telephony: Telephony, turn_id: int) -> str | None:
    """Send turn ``turn_id``'s answer once; return the reason it failed, or None (sent or owed
    nothing)."""
    turn = session.get(Turn, turn_id)
    if turn is None or not turn.reply or SENT_KEY in (turn.entities or {}):
        return None
    sent = outbound.send(
        session,
        settings,
        telephony,
        turn.interaction,
        turn.reply,
        purpose=PURPOSE,
        report_to=outbound.status_url(settings, turn.id),
    )
    if sent.status == "sent":
        turn.entities = {**(turn.entities or {}), SENT_KEY: sent.message_sid or ""}
        turn.delivery_status = "queued"
        return None
    turn.delivery_status = sent.status  # failed, or skipped outside WhatsApp's window
    return sent.reason or sent.status


def deliver_once(
    db: Database, settings: Settings, telephony: Telephony, turn_id: int, *, may_retry: bool
) -> str | None:
    """Send the answer in its own transaction; return why it failed, or None.

    A failure that may pass (Twilio unreachable, 5xx) is raised as a retryable TelephonyError
    when ``may_retry``, after the failed attempt is committed. Any other failure, or the last
    attempt's, hands the conversation to a person in the same transaction.
    """
    with db.session() as session:
        reason = deliver(session, settings, telephony, turn_id)
        turn = session.get(Turn, turn_id)
        final = not (may_retry and reason in RETRYABLE_REASONS)
        if reason is not None and final and turn is not None:
            hand_over_undelivered(session, settings, turn.interaction, turn.reply or "", reason)
    if reason is not None:
        log.warning("late answer not sent", extra={"turn_id": turn_id, "reason": reason})
        if may_retry and reason in RETRYABLE_REASONS:
            raise TelephonyError(
                "the late answer could not be sent yet", reason=reason, retryable=True
            )
    return reason

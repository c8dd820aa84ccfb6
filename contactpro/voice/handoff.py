"""Hand-offs on the phone: how to reach a person now (queue, dial or voicemail), and what the
results Twilio reports once a caller was handed over mean.

The results themselves are stored by :mod:`contactpro.voice.outcomes`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.config import Settings, company_timezone
from contactpro.console.settings import open_hours
from contactpro.models import Escalation, Interaction
from contactpro.voice.hours import is_open

ENQUEUE, DIAL, VOICEMAIL = "enqueue", "dial", "voicemail"
# QueueResult values that mean a person took the call.
ANSWERED_QUEUE_RESULTS = frozenset({"bridged", "redirected", "redirected-from-bridged"})
# QueueResult values that mean the queue itself failed the caller.
FAILED_QUEUE_RESULTS = frozenset({"queue-full", "system-error", "error"})
# QueueResult values after which the caller is offered voicemail: they chose it, or the queue
# failed them.
VOICEMAIL_QUEUE_RESULTS = FAILED_QUEUE_RESULTS | {"leave"}
ANSWERED_DIAL_STATUSES = frozenset({"completed", "answered"})


def choose_handoff(session: Session, settings: Settings, now: datetime) -> str:
    """Return how to reach a person now: voicemail outside the business hours and days set on
    the configuration page (in the company's time zone), else the configured mode."""
    if not is_open(open_hours(session, settings), company_timezone(settings), now):
        return VOICEMAIL
    return settings.voice_handoff


def offer_voicemail(settings: Settings, queue_time: int | None, avg_queue_time: int | None) -> bool:
    """Return True when a queued caller has waited, or will wait, longer than configured."""
    limit = settings.voice_max_queue_wait_seconds
    if limit <= 0:
        return False
    return (queue_time or 0) >= limit or (avg_queue_time or 0) >= limit


def escalation_of(session: Session, interaction: Interaction | None) -> Escalation | None:
    """Return the interaction's escalation, if any."""
    if interaction is None:
        return None
    return session.scalars(
        select(Escalation).where(Escalation.interaction_id == interaction.id)
    ).first()

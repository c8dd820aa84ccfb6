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
# What the call says after a hand-off result (``voice_*`` catalogue keys, also the ``prompt`` of
# the turns storing them): the voicemail invitations and the goodbyes.
VOICEMAIL_BUSY, VOICEMAIL_CHOSEN = "voicemail_busy", "voicemail_chosen"
VOICEMAIL_THANKS, VOICEMAIL_EMPTY = "voicemail_thanks", "voicemail_empty"
AGENT_FINISHED = "agent_finished"


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


def after_queue_prompt(queue_result: str) -> str | None:
    """Return what a caller out of the queue hears: the voicemail invitation when they chose
    it or the queue failed them (nobody is available), else nothing."""
    if queue_result not in VOICEMAIL_QUEUE_RESULTS:
        return None
    return VOICEMAIL_BUSY if queue_result in FAILED_QUEUE_RESULTS else VOICEMAIL_CHOSEN


def after_dial_prompt(dial_status: str) -> str:
    """Return what a caller hears after the agent leg: goodbye once a person talked to them,
    else the voicemail invitation saying that nobody is available."""
    return AGENT_FINISHED if dial_status in ANSWERED_DIAL_STATUSES else VOICEMAIL_BUSY


def after_voicemail_prompt(empty: bool) -> str:
    """Return the goodbye after voicemail: thanks for the message, or that none was heard."""
    return VOICEMAIL_EMPTY if empty else VOICEMAIL_THANKS


def escalation_of(session: Session, interaction: Interaction | None) -> Escalation | None:
    """Return the interaction's escalation, if any."""
    if interaction is None:
        return None
    return session.scalars(
        select(Escalation).where(Escalation.interaction_id == interaction.id)
    ).first()

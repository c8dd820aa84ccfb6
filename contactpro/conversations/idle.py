"""Quiet conversations: warn SMS customers before their conversation closes, and find the
conversations and calls to close for inactivity."""

from __future__ import annotations

from datetime import datetime

from contactpro.config import Settings
from contactpro.conversations import interactions
from contactpro.db import Database
from contactpro.dialog import timeline
from contactpro.providers.telephony import Telephony


def sweep(db: Database, settings: Settings, telephony: Telephony, now: datetime) -> list[int]:
    """Warn the SMS conversations about to close; return the ids of those to close now (SMS
    conversations past their limit, calls that ended or were never reported ended).

    Each warning is committed on its own, so a redelivered sweep sends one again at the most.
    """
    with db.session() as session:
        due = timeline.conversations_to_warn(session, settings, now)
    for interaction_id in due:
        with db.session() as session:
            timeline.warn_quiet_conversation(session, settings, telephony, interaction_id, now)
    with db.session() as session:
        ids = interactions.stale_calls(session, settings, now)
        ids += timeline.quiet_sms_conversations(session, settings, now)
    return ids

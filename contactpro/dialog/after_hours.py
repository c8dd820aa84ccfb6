"""Texts handed to a person outside business hours: when someone will answer.

Calls go to voicemail outside the hours managers set (:mod:`contactpro.voice.handoff`); a text
still goes to the queue, and its reply (and the replies while it waits there) tells when the
next opening is instead of "soon".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from contactpro.config import Settings, company_timezone
from contactpro.console.settings import open_hours
from contactpro.dialog.localtime import say_time, zone_of
from contactpro.models import Interaction
from contactpro.voice.hours import next_opening

# The replies of a text that promise a person soon, and their words outside business hours.
CLOSED_KEYS = {
    "escalate_sms": "escalate_sms_closed",
    "escalate_media": "escalate_media_closed",
    "escalated_noted": "escalated_noted_closed",
    "escalated_still": "escalated_still_closed",
}


def opens_at(
    session: Session, settings: Settings, interaction: Interaction, now: datetime
) -> str | None:
    """Return when people next answer, on the customer's clock and in their language
    (``08:00 del 7 de diciembre`` / ``08:00 on December 7``); None while they answer."""
    with session.no_autoflush:  # reading the hours writes nothing pending
        hours = open_hours(session, settings)
    opening = next_opening(hours, company_timezone(settings), now)
    if opening is None:
        return None
    language = interaction.language or settings.default_language
    zone = zone_of(settings, interaction.customer, interaction.from_number)
    return say_time(opening, zone, language, now)


def hand_off_words(
    session: Session, settings: Settings, interaction: Interaction, key: str, now: datetime
) -> tuple[str, dict[str, Any]]:
    """Return the template key and values that word the hand-off reply ``key``: itself while
    people answer (and on a call), its closed form with ``opens`` on a text outside the hours."""
    if key not in CLOSED_KEYS or interaction.channel == "voice":
        return key, {}
    opens = opens_at(session, settings, interaction, now)
    return (CLOSED_KEYS[key], {"opens": opens}) if opens else (key, {})

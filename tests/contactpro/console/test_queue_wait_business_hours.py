"""The queue wait counts business hours only: a text parked overnight is not late at opening."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from contactpro.console import agent_queue
from contactpro.console.settings import update_config
from contactpro.observability import alerts
from contactpro.voice.hours import open_seconds, parse_business_hours
from tests.contactpro.console.test_agent_queue import sms_escalation

BOGOTA = ZoneInfo("America/Bogota")
ASK = {"es": "quiero hablar con un asesor", "en": "I want to talk to an agent"}
PHONES = {"es": "+573001112233", "en": "+13055550123"}
# Written at 21:00 on a Monday evening, Bogotá time, after closing (08:00-18:00).
PARKED_AT = datetime(2026, 12, 7, 21, 0, tzinfo=BOGOTA)


def _parked(app, session, twilio, language: str):
    settings = app.extensions["contactpro"].settings
    update_config(
        session,
        settings,
        {"business_hours_start": "08:00", "business_hours_end": "18:00"},
        None,
    )
    session.commit()
    escalation = sms_escalation(
        twilio, session, PHONES[language], "Ana Parked", words=ASK[language]
    )
    escalation.created_at = PARKED_AT.astimezone(UTC)
    session.commit()
    return settings, escalation


def _reading(session, settings, now: datetime):
    return {r.key: r for r in alerts.readings(session, settings, now.astimezone(UTC))}[
        "queue_wait_seconds"
    ]


@pytest.mark.parametrize("language", ["es", "en"])
def test_overnight_and_at_opening_the_wait_counts_from_the_opening(app, session, twilio, language):
    settings, escalation = _parked(app, session, twilio, language)
    night = datetime(2026, 12, 8, 3, 0, tzinfo=BOGOTA)
    reading = _reading(session, settings, night)
    assert reading.value == 0 and not reading.firing
    (entry,) = agent_queue.queue_entries(session, settings, night.astimezone(UTC))
    assert entry.waiting_seconds == 0 and entry.sla == "ok"

    opening = datetime(2026, 12, 8, 8, 3, tzinfo=BOGOTA)
    reading = _reading(session, settings, opening)
    assert reading.value == 180 and not reading.firing
    (entry,) = agent_queue.queue_entries(session, settings, opening.astimezone(UTC))
    assert entry.waiting_seconds == 180 and entry.wait == (3, "min")

    # Past the threshold in business time, the alert fires as before.
    later = datetime(2026, 12, 8, 8, 30, tzinfo=BOGOTA)
    assert _reading(session, settings, later).firing
    packet = agent_queue.packet(session, settings, escalation.id)
    assert packet["escalation"].id == escalation.id


def test_open_seconds_counts_only_the_hours_across_days_and_days_off():
    rules = parse_business_hours("mon-fri 08:00-18:00")
    friday_evening = datetime(2026, 12, 11, 17, 0, tzinfo=BOGOTA)
    monday_morning = datetime(2026, 12, 14, 9, 0, tzinfo=BOGOTA)
    assert open_seconds(rules, "America/Bogota", friday_evening, monday_morning) == 2 * 3600
    assert open_seconds((), "America/Bogota", friday_evening, monday_morning) == 64 * 3600
    assert open_seconds(rules, "America/Bogota", monday_morning, friday_evening) == 0

"""A caller sent to voicemail outside business hours hears when people answer again, on the
clock of where their number says they live (no time zone on file), in their language."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from contactpro.console.settings import update_config
from contactpro.dialog.replies import format_date
from contactpro.voice.hours import DAYS
from tests.contactpro.voice.conftest import VoiceCall
from tests.webhooks.test_voice import spoken

COMPANY = ZoneInfo("America/Bogota")


def _opening_tomorrow(zone: str) -> datetime:
    """Tomorrow 08:00 on the company's clock, read on ``zone``'s."""
    tomorrow = datetime.now(COMPANY).date() + timedelta(days=1)
    opening = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 8, tzinfo=COMPANY)
    return opening.astimezone(ZoneInfo(zone))


@pytest.mark.parametrize(
    ("phone", "language", "zone", "ask", "words", "vague"),
    [
        (
            "+5213390836544",
            "es",
            "America/Mexico_City",
            "quiero hablar con un asesor",
            "te responderemos a partir de las {clock} del {day}",
            "pronto",
        ),
        (
            "+12134982674",
            "en",
            "America/Los_Angeles",
            "I want to talk to an agent",
            "we'll get back to you from {clock} on {day}",
            "soon",
        ),
    ],
)
def test_voicemail_after_hours_tells_the_opening_on_the_callers_clock(
    app, session, twilio, customer_factory, phone, language, zone, ask, words, vague
):
    today = DAYS[datetime.now(COMPANY).weekday()]
    update_config(
        session,
        app.extensions["contactpro"].settings,
        {
            "business_days": ",".join(d for d in DAYS if d != today),
            "business_hours_start": "08:00",
            "business_hours_end": "18:00",
        },
        None,
    )
    session.commit()
    customer = customer_factory(
        phone=phone, language=language, currency="MXN" if language == "es" else "USD"
    )
    assert customer.timezone is None
    call = VoiceCall(twilio, phone)
    call.start()
    root = call.say(ask)
    assert root.find("Record") is not None and root.find("Enqueue") is None
    opening = _opening_tomorrow(zone)
    said = spoken(root)
    clock = f"{opening:%H:%M}" if language == "es" else f"{opening:%-I:%M %p}"  # 8:00 AM
    expected = words.format(clock=clock, day=format_date(opening.date(), language))
    assert expected in said, said
    assert vague not in said

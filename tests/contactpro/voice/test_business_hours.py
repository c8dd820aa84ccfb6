"""Business hours and days come from the configuration page: the voice hand-off obeys each one."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from contactpro.console.settings import current_config, open_hours, update_config
from contactpro.models import ConfigEntry
from contactpro.voice.hours import DAYS
from tests.contactpro.voice.conftest import VoiceCall
from tests.webhooks.test_voice import spoken

ASK_FOR_PERSON = {"es": "quiero hablar con un asesor", "en": "I want to talk to an agent"}
CLOSED = {"es": "no están disponibles", "en": "not available right now"}
PHONES = {"es": "+573001112233", "en": "+13055550123"}


def _now_in_bogota() -> datetime:
    return datetime.now(ZoneInfo("America/Bogota"))


def _configure(app, session, **values: str) -> None:
    update_config(session, app.extensions["contactpro"].settings, values, None)
    session.commit()


def _hand_off(call_factory, customer_factory, language: str):
    customer_factory(phone=PHONES[language], language=language)
    call = call_factory(PHONES[language])
    call.start()
    return call.say(ASK_FOR_PERSON[language])


@pytest.fixture
def voice_call(twilio):
    return lambda phone: VoiceCall(twilio, phone)


@pytest.mark.parametrize("language", ["es", "en"])
def test_default_hours_are_always_open_and_say_so_on_the_page(
    app, session, voice_call, customer_factory, language
):
    config = current_config(session, app.extensions["contactpro"].settings)
    assert (config["business_hours_start"], config["business_hours_end"]) == ("00:00", "24:00")
    assert config["business_days"] == ",".join(DAYS)
    root = _hand_off(voice_call, customer_factory, language)
    assert root.find("Enqueue") is not None and CLOSED[language] not in spoken(root)


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_day_off_on_the_page_sends_callers_to_voicemail(
    app, session, voice_call, customer_factory, language
):
    today = DAYS[_now_in_bogota().weekday()]
    _configure(app, session, business_days=",".join(d for d in DAYS if d != today))
    root = _hand_off(voice_call, customer_factory, language)
    assert root.find("Enqueue") is None and root.find("Record") is not None
    assert CLOSED[language] in spoken(root)


@pytest.mark.parametrize("language", ["es", "en"])
def test_opening_hours_on_the_page_send_callers_to_voicemail_outside_them(
    app, session, voice_call, customer_factory, language
):
    # A window that excludes the present moment in Bogotá.
    start, end = ("12:00", "24:00") if _now_in_bogota().hour < 12 else ("00:00", "11:59")
    _configure(app, session, business_hours_start=start, business_hours_end=end)
    root = _hand_off(voice_call, customer_factory, language)
    assert root.find("Enqueue") is None and CLOSED[language] in spoken(root)


@pytest.mark.parametrize("language", ["es", "en"])
def test_closing_time_on_the_page_moves_with_the_manager(
    app, session, voice_call, customer_factory, language
):
    hour = _now_in_bogota().hour
    if hour in (0, 23):
        pytest.skip("no earlier or later closing time on the same day")
    _configure(app, session, business_hours_start="00:00", business_hours_end=f"{hour:02d}:00")
    closed = _hand_off(voice_call, customer_factory, language)
    assert closed.find("Enqueue") is None and CLOSED[language] in spoken(closed)
    _configure(app, session, business_hours_end=f"{hour + 1:02d}:00")
    call = voice_call(PHONES[language])
    call.start()
    opened = call.say(ASK_FOR_PERSON[language])
    assert opened.find("Enqueue") is not None and CLOSED[language] not in spoken(opened)


@pytest.mark.voice_config(voice_business_hours="mon-fri 08:00-18:00")
def test_the_environment_sets_the_hours_until_a_manager_edits_them(app, session):
    settings = app.extensions["contactpro"].settings
    config = current_config(session, settings)
    assert (config["business_hours_start"], config["business_hours_end"]) == ("08:00", "18:00")
    assert config["business_days"] == "mon,tue,wed,thu,fri"
    assert {day for rule in open_hours(session, settings) for day in rule.days} == set(range(5))
    _configure(app, session, business_days="sat,sun")
    assert {day for rule in open_hours(session, settings) for day in rule.days} == {5, 6}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("conformity_threshold", 140.0),
        ("notify_priority", 500),
        ("offer_max_discount_percent", 250),
        ("offer_min_tenure_months", -3),
    ],
)
def test_a_stored_value_that_is_no_longer_valid_reads_as_the_default(app, session, key, value):
    settings = app.extensions["contactpro"].settings
    default = current_config(session, settings)[key]
    session.add(ConfigEntry(key=key, value=value))  # a row written before the checks existed
    session.commit()
    assert session.scalars(select(ConfigEntry).where(ConfigEntry.key == key)).one()
    assert current_config(session, settings)[key] == default

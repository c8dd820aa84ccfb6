"""The voice decisions on their own: when to hold, business hours, language words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contactpro.config import load_settings
from contactpro.errors import ConfigError
from contactpro.voice.handoff import choose_handoff, offer_voicemail
from contactpro.voice.hold import should_hold
from contactpro.voice.hours import is_open, parse_business_hours
from contactpro.voice.language import parse_choice
from contactpro.voice.turns import record_mode


def settings(**values: object):
    base = {"env": "test", "validate_twilio_signature": False}
    return load_settings({**base, **values}, environ={}, dotenv_path=None)


@pytest.mark.parametrize(
    ("mode", "source", "llm", "expected"),
    [
        ("auto", "recording", False, True),
        ("never", "recording", False, True),
        ("auto", "speech", True, True),
        ("auto", "speech", False, False),
        ("auto", "dtmf", True, False),
        ("always", "dtmf", False, True),
        ("never", "speech", True, False),
    ],
)
def test_when_a_turn_is_held(mode, source, llm, expected):
    assert should_hold(settings(voice_hold=mode), source=source, llm_available=llm) is expected


def test_business_hours_in_the_configured_time_zone():
    spec = parse_business_hours("mon-fri 08:00-18:00; sat 09:00-13:00")
    # Monday 2026-11-23 12:30 UTC is 07:30 in Bogotá: not open yet; 13:30 UTC is 08:30.
    assert not is_open(spec, "America/Bogota", datetime(2026, 11, 23, 12, 30, tzinfo=UTC))
    assert is_open(spec, "America/Bogota", datetime(2026, 11, 23, 13, 30, tzinfo=UTC))
    assert is_open(spec, "America/Bogota", datetime(2026, 11, 28, 15, 0, tzinfo=UTC))  # Sat 10:00
    assert not is_open(spec, "America/Bogota", datetime(2026, 11, 29, 15, 0, tzinfo=UTC))  # Sun
    assert is_open((), "America/Bogota", datetime(2026, 11, 29, 15, 0, tzinfo=UTC))
    assert parse_business_hours("fri-mon 10:00-24:00")[0].days == frozenset({4, 5, 6, 0})


@pytest.mark.parametrize(
    "spec",
    [
        "mon-fri",
        "mon-fri 18:00-08:00",
        "funday 08:00-10:00",
        "mon-fri 08:00-18:00; sat 09:00-13:00",
    ],
)
def test_bad_business_hours_stop_the_server(spec):
    with pytest.raises(ConfigError, match="CONTACTPRO_VOICE_BUSINESS_HOURS"):
        settings(voice_business_hours=spec)


def test_voice_settings_are_checked():
    with pytest.raises(ConfigError, match="CONTACTPRO_VOICE_DIAL_TARGET"):
        settings(voice_handoff="dial", voice_dial_target="agent")
    with pytest.raises(ConfigError, match="CONTACTPRO_VOICE_HOLD_SECONDS"):
        settings(voice_hold_seconds=14)
    with pytest.raises(ConfigError, match="CONTACTPRO_VOICE_TIMEZONE"):
        settings(voice_timezone="Mars/Olympus")


def test_hand_off_mode_and_voicemail_offer(session):
    monday_noon = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    assert choose_handoff(session, settings(), monday_noon) == "enqueue"
    dial = settings(
        voice_handoff="dial",
        voice_dial_target="+573001234567",
        voice_business_hours="sat 09:00-13:00",
    )
    assert choose_handoff(session, dial, monday_noon) == "voicemail"
    assert not offer_voicemail(settings(), 999, 999)
    limited = settings(voice_max_queue_wait_seconds=120)
    assert offer_voicemail(limited, 130, None) and offer_voicemail(limited, 5, 200)
    assert not offer_voicemail(limited, 5, 60)


@pytest.mark.parametrize(
    ("digits", "speech", "expected"),
    [
        ("1", None, "es"),
        ("2", None, "en"),
        ("0", None, "agent"),
        ("7", None, None),
        (None, "English please", "en"),
        (None, "en Español", "es"),
        (None, "un asesor", "agent"),
        (None, "hmm", None),
        (None, None, None),
    ],
)
def test_language_choice_words(digits, speech, expected):
    assert parse_choice(digits, speech) == expected


def test_record_mode_per_language_or_number():
    assert record_mode(settings(voice_record_languages="en"), "en", "+15550001000")
    assert not record_mode(settings(voice_record_languages="en"), "es", "+15550001000")
    numbers = settings(voice_record_numbers="+1 555 000 1000")
    assert record_mode(numbers, "es", "+15550001000")
    assert not record_mode(numbers, "es", "+15550009999")

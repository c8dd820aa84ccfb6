"""Out-of-range numbers in any webhook's query or form answer 400 (or the caller's safe answer),
never 500: a property over every Twilio route, every numeric field and absurd values."""

from __future__ import annotations

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TwilioClient
from tests.webhooks.test_voice import Call

# Every number Twilio sends or our callback URLs carry.
QUERY_NUMBERS = ("turn", "job", "step", "empty")
FORM_NUMBERS = (
    "RecordingDuration",
    "RecordingChannels",
    "CallDuration",
    "QueueTime",
    "QueuePosition",
    "AvgQueueTime",
    "CurrentQueueSize",
    "DialCallDuration",
    "NumMedia",
    "Confidence",
    "NumSegments",
)
ABSURD = st.one_of(
    st.sampled_from(["2147483648", "9223372036854775808", "1" + "0" * 23, "-" + "9" * 30]),
    st.sampled_from(["1e400", "-1e400", "nan", "inf", "0x10", "", " ", "1_000", "٣"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


def twilio_routes(app: Flask) -> list[str]:
    """Every POST route Twilio calls."""
    rules = [r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/twilio/")]
    return sorted(rule for rule in rules if "<" not in rule)


def test_the_sweep_covers_every_twilio_route(app: Flask) -> None:
    routes = twilio_routes(app)
    assert "/twilio/sms/status" in routes and "/twilio/voice/recording" in routes
    assert len(routes) >= 12, routes


@pytest.mark.parametrize("where", ["query", "form"])
def test_absurd_numbers_never_answer_500(app: Flask, twilio: TwilioClient, where: str) -> None:
    routes = twilio_routes(app)
    call = Call(twilio, "+573001112233")
    base = call.params(
        MessageSid="SM" + "c" * 32,
        MessageStatus="delivered",
        RecordingSid="RE" + "c" * 32,
        RecordingUrl="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
        RecordingStatus="completed",
        QueueResult="hangup",
        DialCallStatus="completed",
        Body="hola",
        ErrorCode="11200",
    )

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        route=st.sampled_from(routes),
        name=st.sampled_from(QUERY_NUMBERS if where == "query" else FORM_NUMBERS),
        value=ABSURD,
    )
    def probe(route: str, name: str, value: str) -> None:
        if where == "query":
            response = twilio.post(f"{route}?{name}={value}&lang=es", base)
        else:
            response = twilio.post(route, {**base, name: value})
        assert response.status_code < 500, (route, name, value, response.status_code)
        if response.status_code == 400:
            assert b"out of range" in response.data or b"missing" in response.data

    probe()


def test_a_status_callback_for_turn_ten_to_the_23_answers_400(twilio: TwilioClient) -> None:
    params = {
        "MessageSid": "SM" + "d" * 32,
        "MessageStatus": "delivered",
        "AccountSid": "AC" + "1" * 32,
    }
    response = twilio.post("/twilio/sms/status?turn=" + "1" + "0" * 23, params)
    assert response.status_code == 400 and b"turn is out of range" in response.data
    assert twilio.post("/twilio/sms/status?turn=12", params).status_code == 204

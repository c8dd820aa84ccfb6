"""The Twilio telephony provider against a local server speaking Twilio's REST API."""

from __future__ import annotations

import pytest

from contactpro.config import load_settings
from contactpro.providers.telephony import (
    FakeTelephony,
    TelephonyError,
    TwilioTelephony,
    telephony_for,
)
from tests.conftest import TWILIO_ACCOUNT_SID

TOKEN = "secret-token"
SID = TWILIO_ACCOUNT_SID


def test_sms_is_posted_form_encoded_with_basic_auth(twilio_api):
    api, url = twilio_api
    telephony = TwilioTelephony(SID, TOKEN, "+15550001000", url)
    assert telephony.send_sms("+573001112233", "Hola ñandú") == "SM" + "1" * 32
    [sent] = api.requests
    assert sent["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert sent["form"] == {"To": "+573001112233", "From": "+15550001000", "Body": "Hola ñandú"}
    assert sent["auth"] == (SID, TOKEN)


def test_bridge_redirects_the_queued_call_to_dial_the_agent(twilio_api):
    api, url = twilio_api
    telephony = TwilioTelephony(SID, TOKEN, "+15550001000", url)
    call_sid = "CA" + "c" * 32
    assert telephony.bridge_queued_call(call_sid, "+573109998877") == call_sid
    [sent] = api.requests
    assert sent["path"] == f"/2010-04-01/Accounts/{SID}/Calls/{call_sid}.json"
    assert "<Dial>+573109998877</Dial>" in sent["form"]["Twiml"]


def test_twilio_refusal_becomes_a_telephony_error(twilio_api):
    _, url = twilio_api
    telephony = TwilioTelephony(SID, TOKEN, "+15550001000", url)
    with pytest.raises(TelephonyError, match="not valid"):
        telephony.send_sms("+15005550001", "x")
    with pytest.raises(TelephonyError) as caught:
        TwilioTelephony(SID, TOKEN, "", url).send_sms("+573001112233", "x")
    assert caught.value.reason == "no_sender"


def test_settings_choose_the_implementation():
    base = {"TWILIO_AUTH_TOKEN": TOKEN}
    fake = telephony_for(load_settings(environ=base, dotenv_path=None))
    assert isinstance(fake, FakeTelephony)
    real = telephony_for(
        load_settings(
            environ={**base, "TWILIO_ACCOUNT_SID": SID, "CONTACTPRO_TWILIO_API_URL": "http://x:1"},
            dotenv_path=None,
        )
    )
    assert isinstance(real, TwilioTelephony) and real.client.api.base_url == "http://x:1"
    forced = telephony_for(
        load_settings(
            environ={**base, "TWILIO_ACCOUNT_SID": SID, "CONTACTPRO_TELEPHONY": "fake"},
            dotenv_path=None,
        )
    )
    assert isinstance(forced, FakeTelephony)

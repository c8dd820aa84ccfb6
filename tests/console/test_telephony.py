"""The Twilio telephony provider against a local server speaking Twilio's REST API."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from contactpro.config import load_settings
from contactpro.providers.telephony import (
    FakeTelephony,
    TelephonyError,
    TwilioTelephony,
    telephony_for,
)

SID = "AC" + "b" * 32
TOKEN = "secret-token"


class FakeTwilioApi:
    """Answers ``/2010-04-01/Accounts/{sid}/Messages.json`` and ``Calls/{sid}.json`` like Twilio."""

    def __init__(self) -> None:
        self.requests: list[dict[str, object]] = []

    def __call__(self, environ, start_response):  # noqa: ANN001 - WSGI
        request = Request(environ)
        form = {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}
        user, _, password = base64.b64decode(
            request.headers["Authorization"].split()[1]).decode().partition(":")
        self.requests.append({"path": request.path, "form": form, "auth": (user, password)})
        prefix = f"/2010-04-01/Accounts/{SID}/"
        if request.path == prefix + "Messages.json" and form.get("To") != "+15005550001":
            body, status = {"sid": "SM" + "1" * 32, "status": "queued", "to": form["To"]}, 201
        elif request.path.startswith(prefix + "Calls/CA") and request.path.endswith(".json"):
            call_sid = request.path.rsplit("/", 1)[1].removesuffix(".json")
            body, status = {"sid": call_sid, "status": "in-progress"}, 200
        else:
            body = {"code": 21211, "message": "The 'To' number is not valid.", "status": 400}
            status = 400
        return Response(json.dumps(body), status=status, mimetype="application/json")(
            environ, start_response)


@pytest.fixture
def twilio_api() -> Iterator[tuple[FakeTwilioApi, str]]:
    api = FakeTwilioApi()
    server = make_server("127.0.0.1", 0, api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield api, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


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
    real = telephony_for(load_settings(environ={**base, "TWILIO_ACCOUNT_SID": SID,
                                                "CONTACTPRO_TWILIO_API_URL": "http://x:1"},
                                       dotenv_path=None))
    assert isinstance(real, TwilioTelephony) and real.client.api.base_url == "http://x:1"
    forced = telephony_for(load_settings(
        environ={**base, "TWILIO_ACCOUNT_SID": SID, "CONTACTPRO_TELEPHONY": "fake"},
        dotenv_path=None))
    assert isinstance(forced, FakeTelephony)

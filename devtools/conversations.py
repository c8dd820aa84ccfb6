"""Conversations over the signed webhooks, as Twilio delivers them: an SMS thread and a call.

The conversation tests and ``benchmarks/containment.py`` both talk to the app through these, so
a script reads the same in either place.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from devtools.simulator import new_sid

BUSINESS = "+15550001000"
ACCOUNT_SID = "AC" + "1" * 32


class SignedClient:
    """Post webhook requests signed exactly as Twilio signs them for ``public_url``."""

    def __init__(self, client: FlaskClient, token: str, public_url: str) -> None:
        self.client, self.public_url = client, public_url
        self.validator = RequestValidator(token)

    def signature(self, path: str, params: dict[str, str]) -> str:
        """Return Twilio's ``X-Twilio-Signature`` for a POST of ``params`` to ``path``."""
        return self.validator.compute_signature(self.public_url + path, params)

    def post(
        self,
        path: str,
        params: dict[str, str],
        *,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> TestResponse:
        """POST ``params`` to ``path``; an empty ``signature`` sends none at all."""
        sig = self.signature(path, params) if signature is None else signature
        all_headers = {"X-Twilio-Signature": sig, **(headers or {})}
        if not sig:
            all_headers.pop("X-Twilio-Signature")
        return self.client.post(
            path, data=params, headers=all_headers, base_url="http://127.0.0.1:8000"
        )


class SmsThread:
    """Text the bot from one number; ``send`` returns the reply."""

    def __init__(self, twilio: SignedClient, phone: str) -> None:
        self.twilio, self.phone = twilio, phone

    def send(self, body: str) -> str:
        """Text ``body``; return the reply's text."""
        params = {
            "MessageSid": new_sid("SM"),
            "AccountSid": ACCOUNT_SID,
            "From": self.phone,
            "To": BUSINESS,
            "Body": body,
            "NumMedia": "0",
            "ApiVersion": "2010-04-01",
        }
        response = self.twilio.post("/twilio/sms", params)
        assert response.status_code == 200, response.data
        return " ".join(el.text or "" for el in ET.fromstring(response.data).iter("Message"))

    def send_all(self, *bodies: str) -> str:
        """Text each of ``bodies`` in turn; return the last reply."""
        reply = ""
        for body in bodies:
            reply = self.send(body)
        return reply


class PhoneCall:
    """Call the bot from one number; ``say``/``press`` return (spoken text, final verb).

    Every answer is followed as Twilio would: to the ``<Gather>`` action next, and through the
    hold loop's ``<Redirect>`` until the bot speaks.
    """

    def __init__(self, twilio: SignedClient, phone: str) -> None:
        self.twilio, self.phone, self.sid = twilio, phone, new_sid("CA")
        self.path = "/twilio/voice"

    def _params(self, **extra: str) -> dict[str, str]:
        return {
            "CallSid": self.sid,
            "AccountSid": ACCOUNT_SID,
            "From": self.phone,
            "To": BUSINESS,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            **extra,
        }

    def _post(self, **extra: str) -> tuple[str, str]:
        response = self.twilio.post(self.path, self._params(**extra))
        assert response.status_code == 200, response.data
        root = ET.fromstring(response.data)
        said = [el.text or "" for el in root.iter("Say")]
        while (redirect := root.find("Redirect")) is not None and root.find("Gather") is None:
            if "/twilio/voice/hold" not in (redirect.text or ""):
                break
            target = urlsplit(redirect.text or "")
            response = self.twilio.post(f"{target.path}?{target.query}", self._params())
            root = ET.fromstring(response.data)
            said += [el.text or "" for el in root.iter("Say")]
        gather = root.find("Gather")
        if gather is not None:
            self.path = gather.get("action") or self.path
        verbs = [child.tag for child in root]
        return " ".join(said), verbs[-1] if verbs else ""

    def start(self) -> tuple[str, str]:
        """Ring: the greeting (or the language menu) and the final verb."""
        return self._post(CallStatus="ringing")

    def say(self, speech: str) -> tuple[str, str]:
        """Say ``speech`` (an empty string is silence)."""
        return self._post(SpeechResult=speech, Confidence="0.9") if speech else self._post()

    def press(self, digits: str) -> tuple[str, str]:
        """Key in ``digits``."""
        return self._post(Digits=digits)

    def hang_up(self, duration: int = 60) -> None:
        """Hang up: Twilio's status callback with the call's duration."""
        self.path = "/twilio/voice/status"
        params = self._params(CallStatus="completed", CallDuration=str(duration))
        for key in ("Direction", "ApiVersion"):
            params.pop(key)
        assert self.twilio.post("/twilio/voice/status", params).status_code == 204

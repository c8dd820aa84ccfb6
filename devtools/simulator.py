"""Talk to a running ContactPro server as Twilio would: signed requests, parsed TwiML.

This is the tool an operator uses to try the bot without a phone (``contactpro simulate``),
and what ``demo.py`` drives conversations with.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from twilio.request_validator import RequestValidator

ACCOUNT_SID_FOR_SIMULATION = "AC" + "0" * 32


def new_sid(prefix: str) -> str:
    """Return a fresh Twilio-style SID (two letters and 32 hex digits)."""
    return prefix + uuid.uuid4().hex


@dataclass(frozen=True)
class TwimlStep:
    """What one TwiML document tells Twilio to do, reduced to what a person would notice."""

    status: int
    spoken: list[str]
    messages: list[str]
    verb: str
    next_url: str | None
    attributes: dict[str, str] = field(default_factory=dict)
    xml: str = ""

    @property
    def text(self) -> str:
        """Return everything said or sent, as one string."""
        return " ".join(self.spoken + self.messages)


def parse_twiml(xml: str, status: int, base_url: str) -> TwimlStep:
    """Parse a TwiML answer: what is said, and which verb ends the document."""
    if status >= 400 or not xml.strip().startswith("<?xml"):
        return TwimlStep(status, [], [], "error", None, {}, xml)
    root = ET.fromstring(xml)
    spoken = [el.text or "" for el in root.iter("Say")]
    messages = [el.text or "" for el in root.iter("Message")]
    verb, next_url, attributes = "end", None, {}
    for child in root:
        if child.tag in ("Gather", "Enqueue", "Hangup", "Redirect", "Dial", "Record"):
            verb, attributes = child.tag.lower(), dict(child.attrib)
            target = child.get("action") or (child.text if child.tag == "Redirect" else None)
            next_url = urljoin(base_url, target) if target else None
    if messages:
        verb = "message"
    return TwimlStep(status, spoken, messages, verb, next_url, attributes, xml)


class TwilioSimulator:
    """Post signed, Twilio-shaped webhook requests to a ContactPro server.

    ``base_url`` is where the server listens; ``public_url`` is the URL Twilio would use (the
    one the server is configured with), which is what gets signed.
    """

    def __init__(
        self,
        base_url: str,
        auth_token: str,
        *,
        public_url: str | None = None,
        account_sid: str = ACCOUNT_SID_FOR_SIMULATION,
        timeout: float = 15.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.public_url = (public_url or base_url).rstrip("/")
        self.validator = RequestValidator(auth_token)
        self.account_sid = account_sid
        self.timeout = timeout
        self.http = requests.Session()

    def post(self, path_or_url: str, params: dict[str, str]) -> TwimlStep:
        """Sign ``params`` for the public URL and post them to the server."""
        parts = urlsplit(path_or_url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        signature = self.validator.compute_signature(self.public_url + path, params)
        response = self.http.post(
            self.base_url + path,
            data=params,
            headers={"X-Twilio-Signature": signature},
            timeout=self.timeout,
        )
        return parse_twiml(response.text, response.status_code, self.public_url + path)

    def sms(self, from_number: str, to_number: str, body: str) -> TwimlStep:
        """Send one inbound SMS; the step's ``messages`` are the replies."""
        return self.post(
            "/twilio/sms",
            {
                "MessageSid": new_sid("SM"),
                "SmsSid": "",
                "AccountSid": self.account_sid,
                "From": from_number,
                "To": to_number,
                "Body": body,
                "NumMedia": "0",
                "NumSegments": "1",
                "ApiVersion": "2010-04-01",
            },
        )

    def start_call(self, from_number: str, to_number: str) -> tuple[str, TwimlStep]:
        """Ring the server: returns the new CallSid and the greeting step."""
        call_sid = new_sid("CA")
        step = self.post("/twilio/voice", self._call_params(call_sid, from_number, to_number))
        return call_sid, step

    def answer(
        self,
        step: TwimlStep,
        call_sid: str,
        from_number: str,
        to_number: str,
        *,
        speech: str | None = None,
        digits: str | None = None,
        confidence: float = 0.92,
    ) -> TwimlStep:
        """Answer a ``<Gather>`` with speech, keys, or silence (neither)."""
        if step.verb != "gather" or step.next_url is None:
            raise ValueError(f"the call is not listening (last verb: {step.verb})")
        params = self._call_params(call_sid, from_number, to_number)
        if speech is not None:
            params.update(SpeechResult=speech, Confidence=f"{confidence:.2f}")
        if digits is not None:
            params["Digits"] = digits
        return self.post(step.next_url, params)

    def follow(self, step: TwimlStep, call_sid: str, from_number: str, to_number: str) -> TwimlStep:
        """Follow a ``<Redirect>`` as Twilio does (the voice hold loop polls this way)."""
        if step.verb != "redirect" or step.next_url is None:
            raise ValueError(f"nothing to follow (last verb: {step.verb})")
        return self.post(step.next_url, self._call_params(call_sid, from_number, to_number))

    def end_call(
        self,
        call_sid: str,
        from_number: str,
        to_number: str,
        duration: int,
        status: str = "completed",
    ) -> int:
        """Send the call status callback; returns the HTTP status."""
        params = self._call_params(call_sid, from_number, to_number)
        params.update(CallStatus=status, CallDuration=str(duration))
        return self.post("/twilio/voice/status", params).status

    def _call_params(self, call_sid: str, from_number: str, to_number: str) -> dict[str, str]:
        return {
            "CallSid": call_sid,
            "AccountSid": self.account_sid,
            "From": from_number,
            "To": to_number,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            "Caller": from_number,
            "Called": to_number,
        }

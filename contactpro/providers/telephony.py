"""Outbound telephony (text an agent or customer, put a queued caller through to an agent).

:class:`TwilioTelephony` speaks Twilio's REST API through the official SDK; its base URL can
point at a local server speaking the same form-encoded API (tests). :class:`FakeTelephony`
records what would have been sent, for tests and the demo. :func:`telephony_for` picks one.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from threading import Lock
from typing import Protocol

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from contactpro.config import Settings
from contactpro.errors import ContactProError
from contactpro.phone import mask_phone

log = logging.getLogger(__name__)


class TelephonyError(ContactProError):
    """Twilio refused or could not be reached; nothing was sent.

    ``retryable`` is True when trying again later may succeed: Twilio could not be reached (a
    network error, a time-out), answered 5xx, or asked us to slow down (429).
    """

    reason = "telephony_failed"

    def __init__(self, message: str, *, reason: str | None = None, retryable: bool = False) -> None:
        super().__init__(message, reason=reason)
        self.retryable = retryable


# The reasons of failures that may pass: Twilio unreachable, or answering 5xx / 429.
RETRYABLE_REASONS = frozenset({"telephony_unreachable", "telephony_unavailable"})
# What talking to Twilio may raise: its own errors, and the network's (the SDK lets requests'
# connection errors and time-outs through untouched).
PROVIDER_ERRORS = (TwilioException, requests.RequestException)


def provider_error(action: str, exc: Exception) -> TelephonyError:
    """Return the TelephonyError for ``exc`` raised while Twilio was asked to ``action``."""
    if isinstance(exc, requests.RequestException):
        return TelephonyError(
            f"Twilio could not be reached to {action}: {type(exc).__name__}",
            reason="telephony_unreachable",
            retryable=True,
        )
    status = exc.status if isinstance(exc, TwilioRestException) else None
    if status is not None and (status == 429 or status >= 500):
        return TelephonyError(
            f"Twilio could not {action} for now: {exc}",
            reason="telephony_unavailable",
            retryable=True,
        )
    return TelephonyError(f"Twilio could not {action}: {exc}")


class Telephony(Protocol):
    """What the console asks of the phone network."""

    def send_sms(self, to: str, body: str) -> str:
        """Send a text message; return its message sid."""
        ...

    def send_message(
        self,
        to: str,
        body: str,
        *,
        sender: str = "",
        content_sid: str = "",
        variables: str = "",
        status_url: str = "",
    ) -> str:
        """Send a message on any channel (``to``/``sender`` may be ``whatsapp:+...``), free
        text or an approved template (``content_sid`` with JSON ``variables``), with delivery
        reports to ``status_url``; return its sid."""
        ...

    def bridge_queued_call(self, call_sid: str, agent_phone: str) -> str:
        """Take a caller out of the agent queue and ring ``agent_phone``; return the call sid."""
        ...

    def delete_recording(self, recording_sid: str) -> None:
        """Delete a recording's audio from the phone network (already gone: nothing to do)."""
        ...


def bridge_twiml(agent_phone: str) -> str:
    """The TwiML a queued caller is redirected to: dial the agent."""
    response = VoiceResponse()
    response.dial(agent_phone)
    return str(response)


class TwilioTelephony:
    """Twilio's REST API (``api_url`` overrides ``https://api.twilio.com``)."""

    def __init__(
        self, account_sid: str, auth_token: str, from_number: str, api_url: str = ""
    ) -> None:
        self.client = Client(account_sid, auth_token)
        if api_url:
            self.client.api.base_url = api_url.rstrip("/")
        self.from_number = from_number

    def send_sms(self, to: str, body: str) -> str:
        """Send a text message; return its message sid."""
        if not self.from_number:
            raise TelephonyError("TWILIO_PHONE_NUMBER is not set", reason="no_sender")
        try:
            message = self.client.messages.create(to=to, from_=self.from_number, body=body)
        except PROVIDER_ERRORS as exc:
            raise provider_error("send the message", exc) from exc
        log.info("sms sent", extra={"to": mask_phone(to), "message_sid": message.sid})
        return str(message.sid)

    def send_message(
        self,
        to: str,
        body: str,
        *,
        sender: str = "",
        content_sid: str = "",
        variables: str = "",
        status_url: str = "",
    ) -> str:
        """Send a message (free text, or the template ``content_sid``); return its sid."""
        sender = sender or self.from_number
        if not sender:
            raise TelephonyError("TWILIO_PHONE_NUMBER is not set", reason="no_sender")
        fields: dict[str, str] = {"to": to, "from_": sender}
        if status_url:
            fields["status_callback"] = status_url
        if content_sid:
            fields.update(content_sid=content_sid, content_variables=variables or "{}")
        else:
            fields["body"] = body
        try:
            message = self.client.messages.create(**fields)
        except PROVIDER_ERRORS as exc:
            raise provider_error("send the message", exc) from exc
        log.info("message sent", extra={"to": mask_phone(to), "message_sid": message.sid})
        return str(message.sid)

    def bridge_queued_call(self, call_sid: str, agent_phone: str) -> str:
        """Redirect the queued call to dial the agent (Twilio reports QueueResult=redirected)."""
        try:
            call = self.client.calls(call_sid).update(twiml=bridge_twiml(agent_phone))
        except PROVIDER_ERRORS as exc:
            raise provider_error("redirect the call", exc) from exc
        log.info("queued call bridged to agent", extra={"call_sid": call_sid})
        return str(call.sid)

    def delete_recording(self, recording_sid: str) -> None:
        """Delete a recording's audio at Twilio; one Twilio no longer has is already deleted."""
        try:
            self.client.recordings(recording_sid).delete()
        except TwilioRestException as exc:
            if exc.status != 404:
                raise provider_error("delete the recording", exc) from exc
        except PROVIDER_ERRORS as exc:
            raise provider_error("delete the recording", exc) from exc
        log.info("recording deleted", extra={"recording_sid": recording_sid})


@dataclass
class FakeTelephony:
    """Record every message and bridge instead of calling Twilio."""

    sent: list[dict[str, str]] = field(default_factory=list)
    bridged: list[dict[str, str]] = field(default_factory=list)
    deleted_recordings: list[str] = field(default_factory=list)
    _lock: Lock = field(default_factory=Lock, repr=False)

    def send_sms(self, to: str, body: str) -> str:
        """Record a text message; return a made-up message sid."""
        sid = "SM" + secrets.token_hex(16)
        with self._lock:
            self.sent.append({"sid": sid, "to": to, "body": body})
        return sid

    def send_message(
        self,
        to: str,
        body: str,
        *,
        sender: str = "",
        content_sid: str = "",
        variables: str = "",
        status_url: str = "",
    ) -> str:
        """Record a message of any channel; return a made-up message sid."""
        sid = "SM" + secrets.token_hex(16)
        with self._lock:
            self.sent.append(
                {
                    "sid": sid,
                    "to": to,
                    "body": body,
                    "from": sender,
                    "content_sid": content_sid,
                    "variables": variables,
                    "status_url": status_url,
                }
            )
        return sid

    def bridge_queued_call(self, call_sid: str, agent_phone: str) -> str:
        """Record a bridge; return the caller's call sid as Twilio does."""
        with self._lock:
            self.bridged.append({"call_sid": call_sid, "agent_phone": agent_phone})
        return call_sid

    def delete_recording(self, recording_sid: str) -> None:
        """Record a deleted recording."""
        with self._lock:
            self.deleted_recordings.append(recording_sid)


def telephony_for(settings: Settings) -> Telephony:
    """Return the implementation the settings choose (``CONTACTPRO_TELEPHONY``)."""
    if settings.telephony_backend == "twilio":
        return TwilioTelephony(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_phone_number,
            settings.twilio_api_url,
        )
    return _fake_for(settings)


@lru_cache(maxsize=8)
def _fake_for(settings: Settings) -> FakeTelephony:
    """One fake per configuration, so tests and the demo can read what was sent."""
    return FakeTelephony()

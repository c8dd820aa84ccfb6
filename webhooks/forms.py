"""Twilio's webhook parameters, parsed into typed values; a missing one is a clear error."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from contactpro.errors import BadRequestError

_SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")


def _required(form: Mapping[str, str], name: str) -> str:
    value = (form.get(name) or "").strip()
    if not value:
        raise BadRequestError(f"missing parameter {name}", reason=f"missing_{name.lower()}")
    return value


def _sid(form: Mapping[str, str], name: str) -> str:
    value = _required(form, name)
    if not _SID.match(value):
        raise BadRequestError(f"malformed {name}", reason=f"bad_{name.lower()}")
    return value


def _float(form: Mapping[str, str], name: str) -> float | None:
    try:
        return float(form[name])
    except (KeyError, ValueError):
        return None


def _int(form: Mapping[str, str], name: str) -> int | None:
    try:
        return int(form[name])
    except (KeyError, ValueError):
        return None


@dataclass(frozen=True)
class IncomingSms:
    """An inbound message (``POST /twilio/sms``)."""

    message_sid: str
    from_number: str
    to_number: str
    body: str
    num_media: int

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> IncomingSms:
        """Parse Twilio's messaging webhook parameters."""
        return cls(
            message_sid=_sid(form, "MessageSid"),
            from_number=_required(form, "From"),
            to_number=_required(form, "To"),
            body=form.get("Body", ""),
            num_media=_int(form, "NumMedia") or 0,
        )


@dataclass(frozen=True)
class MessageStatus:
    """A delivery status callback (``POST /twilio/sms/status``)."""

    message_sid: str
    status: str
    error_code: str | None

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> MessageStatus:
        """Parse Twilio's message status callback parameters."""
        return cls(
            message_sid=_sid(form, "MessageSid"),
            status=_required(form, "MessageStatus"),
            error_code=form.get("ErrorCode") or None,
        )


@dataclass(frozen=True)
class IncomingCall:
    """A call arriving, or a ``<Gather>`` action during it."""

    call_sid: str
    from_number: str
    to_number: str
    call_status: str
    speech_result: str | None
    confidence: float | None
    digits: str | None

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> IncomingCall:
        """Parse Twilio's voice webhook parameters."""
        return cls(
            call_sid=_sid(form, "CallSid"),
            from_number=form.get("From", "").strip() or "anonymous",
            to_number=form.get("To", "").strip(),
            call_status=form.get("CallStatus", ""),
            speech_result=(form.get("SpeechResult") or "").strip() or None,
            confidence=_float(form, "Confidence"),
            digits=(form.get("Digits") or "").strip() or None,
        )


@dataclass(frozen=True)
class CallStatus:
    """A call status callback (``POST /twilio/voice/status``)."""

    call_sid: str
    call_status: str
    duration_seconds: int | None

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> CallStatus:
        """Parse Twilio's call status callback parameters."""
        return cls(
            call_sid=_sid(form, "CallSid"),
            call_status=_required(form, "CallStatus"),
            duration_seconds=_int(form, "CallDuration"),
        )


@dataclass(frozen=True)
class QueueResult:
    """The ``<Enqueue>`` action: how the caller left the queue."""

    call_sid: str
    queue_result: str
    queue_time: int | None

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> QueueResult:
        """Parse the parameters Twilio sends to an Enqueue action URL."""
        return cls(
            call_sid=_sid(form, "CallSid"),
            queue_result=_required(form, "QueueResult"),
            queue_time=_int(form, "QueueTime"),
        )

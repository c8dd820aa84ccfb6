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


@dataclass(frozen=True)
class RecordingReport:
    """A recording status callback, or a ``<Record>`` action (``RecordingSid`` may be absent)."""

    call_sid: str
    recording_sid: str | None
    recording_url: str | None
    recording_status: str | None
    duration_seconds: int | None
    channels: int | None
    source: str | None
    error_code: str | None
    digits: str | None

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> RecordingReport:
        """Parse Twilio's recording parameters."""
        sid = (form.get("RecordingSid") or "").strip()
        if sid and not _SID.match(sid):
            raise BadRequestError("malformed RecordingSid", reason="bad_recordingsid")
        return cls(
            call_sid=_sid(form, "CallSid"),
            recording_sid=sid or None,
            recording_url=(form.get("RecordingUrl") or "").strip() or None,
            recording_status=(form.get("RecordingStatus") or "").strip() or None,
            duration_seconds=_int(form, "RecordingDuration"),
            channels=_int(form, "RecordingChannels"),
            source=(form.get("RecordingSource") or "").strip() or None,
            error_code=(form.get("ErrorCode") or "").strip() or None,
            digits=(form.get("Digits") or "").strip() or None,
        )


@dataclass(frozen=True)
class QueueWait:
    """A request to the ``<Enqueue>`` wait URL while the caller waits."""

    call_sid: str
    position: int | None
    queue_time: int | None
    avg_queue_time: int | None
    queue_size: int | None

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> QueueWait:
        """Parse the parameters Twilio sends to an Enqueue wait URL."""
        return cls(
            call_sid=_sid(form, "CallSid"),
            position=_int(form, "QueuePosition"),
            queue_time=_int(form, "QueueTime"),
            avg_queue_time=_int(form, "AvgQueueTime"),
            queue_size=_int(form, "CurrentQueueSize"),
        )


@dataclass(frozen=True)
class DialResult:
    """The ``<Dial>`` action: how the dialled agent leg ended."""

    call_sid: str
    dial_status: str
    dial_seconds: int | None

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> DialResult:
        """Parse the parameters Twilio sends to a Dial action URL."""
        return cls(
            call_sid=_sid(form, "CallSid"),
            dial_status=_required(form, "DialCallStatus"),
            dial_seconds=_int(form, "DialCallDuration"),
        )

"""Twilio's webhook parameters, parsed into typed values; a missing one is a clear error.

The one reader of Twilio's fields: the webhooks parse ``request.form`` (and the query arguments
of the callback URLs our TwiML hands Twilio), the fallback routes parse the failed request, and
the journal's replay parses the journaled form, which keeps those query arguments beside
Twilio's fields. Plain mappings in, frozen dataclasses out; malformed input raises
:class:`~contactpro.errors.BadRequestError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from contactpro.config import LANGUAGES
from contactpro.errors import BadRequestError
from contactpro.phone import parse_address
from contactpro.privacy.redaction import redact

_SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")
RECORDING_KINDS = ("call", "voicemail")
# The range of the database's integer columns.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# Twilio delivers at most 10 media files with one message (MMS and WhatsApp alike).
MAX_MEDIA = 10


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


def _text(form: Mapping[str, str], name: str) -> str | None:
    return (form.get(name) or "").strip() or None


def _float(form: Mapping[str, str], name: str) -> float | None:
    """Return a finite number, or None when it is missing, unreadable, infinite or NaN."""
    try:
        value = float(form[name])
    except (KeyError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _int(form: Mapping[str, str], name: str) -> int | None:
    """Return a whole number; None when missing or unreadable.

    Raises BadRequestError past a 32-bit column's range: no id, count or duration Twilio sends
    is that large, and the database would refuse it.
    """
    try:
        value = int(form[name])
    except (KeyError, ValueError):
        return None
    if not INT_MIN <= value <= INT_MAX:
        raise BadRequestError(f"{name} is out of range", reason=f"bad_{name.lower()}")
    return value


def url_language(args: Mapping[str, str]) -> str | None:
    """Return the call's language carried in a callback URL (``?lang=``), if it is one we speak.

    Every URL the TwiML of a call hands Twilio (turns, hold loop, queue, agent, voicemail)
    carries the language it was spoken in, so those requests need no lookup for it and still
    speak the caller's language while the database is down.
    """
    language = args.get("lang")
    return language if language in LANGUAGES else None


def turn_key(call_sid: str, args: Mapping[str, str]) -> str:
    """The idempotency key of the caller's answer to the prompt at ``?step=`` (0 if unreadable)."""
    try:
        step = int(args.get("step", 0))
    except ValueError:
        step = 0
    return f"{call_sid}:gather:{step}"


@dataclass(frozen=True)
class Media:
    """One file attached to a message: Twilio's ``MediaUrl{N}`` and ``MediaContentType{N}``."""

    url: str
    content_type: str


def _media(form: Mapping[str, str], count: int) -> tuple[Media, ...]:
    files = []
    for index in range(min(count, MAX_MEDIA)):
        # A count without its URL (never sent by Twilio) leaves the text to be answered alone.
        url = _text(form, f"MediaUrl{index}")
        if url is not None:
            content_type = (_text(form, f"MediaContentType{index}") or "").lower()
            files.append(Media(url, content_type))
    return tuple(files)


@dataclass(frozen=True)
class IncomingSms:
    """An inbound message (``POST /twilio/sms``): SMS, MMS, or WhatsApp.

    ``from_number`` and ``to_number`` are E.164 (``whatsapp:`` and other channel prefixes are
    removed, so a customer is the same number on every channel); ``channel`` keeps where the
    message came from (``sms`` or ``whatsapp``). ``profile_name`` and ``wa_id`` are WhatsApp's
    ``ProfileName`` and ``WaId``; ``message_type`` is WhatsApp's ``MessageType`` (``text``,
    ``image``, ``sticker``, ``location``...), and ``location`` says a shared location came
    (``Latitude`` and ``Longitude``; the coordinates themselves are not kept).
    """

    message_sid: str
    from_number: str
    to_number: str
    body: str
    num_media: int
    channel: str = "sms"
    media: tuple[Media, ...] = ()
    profile_name: str | None = None
    wa_id: str | None = None
    message_type: str | None = None
    location: bool = False

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> IncomingSms:
        """Parse Twilio's messaging webhook parameters."""
        sender = parse_address(_required(form, "From"))
        num_media = max(0, _int(form, "NumMedia") or 0)
        return cls(
            message_sid=_sid(form, "MessageSid"),
            from_number=sender.number,
            to_number=parse_address(_required(form, "To")).number,
            # The conversation is not known yet: the message's own words pick the placeholders'.
            body=redact(form.get("Body", "")),
            num_media=num_media,
            channel=sender.channel,
            media=_media(form, num_media),
            profile_name=_text(form, "ProfileName"),
            wa_id=_text(form, "WaId"),
            message_type=(_text(form, "MessageType") or "").lower() or None,
            location=_float(form, "Latitude") is not None and _float(form, "Longitude") is not None,
        )


@dataclass(frozen=True)
class MessageStatus:
    """A delivery status callback (``POST /twilio/sms/status?turn=``)."""

    message_sid: str
    status: str
    error_code: str | None
    turn_id: int | None = None

    @classmethod
    def parse(cls, form: Mapping[str, str], args: Mapping[str, str]) -> MessageStatus:
        """Parse Twilio's message status callback parameters and the reply's turn (``?turn``)."""
        return cls(
            message_sid=_sid(form, "MessageSid"),
            status=_required(form, "MessageStatus"),
            error_code=form.get("ErrorCode") or None,
            turn_id=_int(args, "turn"),
        )


# Twilio's fields that carry what a customer typed or said.
FREE_TEXT_FIELDS = ("Body", "SpeechResult", "UnstableSpeechResult", "TranscriptionText", "Digits")


def _redacted(text: str | None, language: str | None) -> str | None:
    """Card numbers, security codes and passwords never get past the parser."""
    return None if text is None else redact(text, language)


def redact_form(form: Mapping[str, str]) -> dict[str, str]:
    """Return a copy of a Twilio form with its free-text fields redacted (for the journal), in
    the language it carries (``lang``) or the one its words point to."""
    language = url_language(form)
    return {k: redact(v, language) if k in FREE_TEXT_FIELDS else v for k, v in form.items()}


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
    def parse(cls, form: Mapping[str, str], language: str | None = None) -> IncomingCall:
        """Parse Twilio's voice webhook parameters; ``language`` is the call's, when known (the
        redaction's placeholders speak it; else they follow the words said)."""
        return cls(
            call_sid=_sid(form, "CallSid"),
            from_number=form.get("From", "").strip() or "anonymous",
            to_number=form.get("To", "").strip(),
            call_status=form.get("CallStatus", ""),
            speech_result=_redacted(_text(form, "SpeechResult"), language),
            confidence=_float(form, "Confidence"),
            # A card number keyed in where an id was asked is a card all the same.
            digits=_redacted(_text(form, "Digits"), language),
        )


@dataclass(frozen=True)
class RecordingReport:
    """What Twilio says about a recording: a status callback, or a ``<Record>`` action.

    ``recording_sid`` is empty on a ``<Record>`` action that recorded nothing; ``digits`` is the
    key that ended a ``<Record>``.
    """

    call_sid: str
    recording_sid: str
    url: str | None
    status: str | None
    duration_seconds: int | None
    channels: int | None = None
    source: str | None = None
    error_code: str | None = None
    digits: str | None = None

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> RecordingReport:
        """Parse Twilio's recording parameters."""
        sid = (form.get("RecordingSid") or "").strip()
        if sid and not _SID.match(sid):
            raise BadRequestError("malformed RecordingSid", reason="bad_recordingsid")
        return cls(
            call_sid=_sid(form, "CallSid"),
            recording_sid=sid,
            url=_text(form, "RecordingUrl"),
            status=_text(form, "RecordingStatus"),
            duration_seconds=_int(form, "RecordingDuration"),
            channels=_int(form, "RecordingChannels"),
            source=_text(form, "RecordingSource"),
            error_code=_text(form, "ErrorCode"),
            digits=_text(form, "Digits"),
        )

    @property
    def has_audio(self) -> bool:
        """Return True when the report points at a recording with something in it."""
        return bool(self.recording_sid and self.url) and self.duration_seconds != 0


@dataclass(frozen=True)
class CallerTurn:
    """The caller's answer to a prompt (``?step=``): a ``<Gather>`` action, or in record mode
    a ``<Record>`` action, whose ``recording`` is then set."""

    call: IncomingCall
    key: str
    recording: RecordingReport | None = None

    @classmethod
    def parse(
        cls, form: Mapping[str, str], args: Mapping[str, str], *, recorded: bool = False
    ) -> CallerTurn:
        """Parse a turn's parameters; ``recorded`` for the ``<Record>`` action's."""
        call = IncomingCall.parse(form, url_language(args))
        recording = RecordingReport.parse(form) if recorded else None
        return cls(call, turn_key(call.call_sid, args), recording)


@dataclass(frozen=True)
class HoldPoll:
    """A poll of the hold loop for held job ``?job=``."""

    call: IncomingCall
    job_id: int

    @classmethod
    def parse(cls, form: Mapping[str, str], args: Mapping[str, str]) -> HoldPoll:
        """Parse the poll: the call, and the job it waits for."""
        call = IncomingCall.parse(form, url_language(args))
        job_id = _int(args, "job")
        if job_id is None:
            raise BadRequestError("missing job", reason="missing_job")
        return cls(call, job_id)


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


@dataclass(frozen=True)
class VoicemailLeft:
    """The voicemail's ``<Record>`` action, or the redirect after an empty one (``?empty``)."""

    report: RecordingReport
    redirected: bool

    @classmethod
    def parse(cls, form: Mapping[str, str], args: Mapping[str, str]) -> VoicemailLeft:
        """Parse what Twilio recorded, and whether it redirected past an empty recording."""
        return cls(RecordingReport.parse(form), "empty" in args)

    @property
    def empty(self) -> bool:
        """Return True when the caller left nothing: Twilio redirected past an empty
        ``<Record>``, or its action carries no recording or a zero-second one."""
        return self.redirected or not self.report.has_audio


@dataclass(frozen=True)
class RecordingCallback:
    """A recording status callback: the recording's kind (``?kind=``) and Twilio's report."""

    kind: str
    report: RecordingReport

    @classmethod
    def parse(cls, form: Mapping[str, str], args: Mapping[str, str]) -> RecordingCallback:
        """Parse the callback; the kind must be one we record and the RecordingSid present."""
        kind = args.get("kind", "call")
        if kind not in RECORDING_KINDS:
            raise BadRequestError(f"unknown recording kind {kind!r}", reason="bad_recording_kind")
        report = RecordingReport.parse(form)
        if not report.recording_sid:
            raise BadRequestError("missing parameter RecordingSid", reason="missing_recordingsid")
        return cls(kind, report)


@dataclass(frozen=True)
class FailedRequest:
    """What Twilio adds when it calls a fallback URL: the URL that failed (its path and query
    arguments) and Twilio's error code."""

    path: str
    args: dict[str, str]
    error_code: str | None

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> FailedRequest:
        """Parse ``ErrorUrl`` and ``ErrorCode`` (an empty path when Twilio sent no URL)."""
        failed = urlsplit(form.get("ErrorUrl", ""))
        return cls(failed.path, dict(parse_qsl(failed.query)), form.get("ErrorCode"))

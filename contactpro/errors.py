"""The one exception tree of ContactPro.

Every error carries a short machine-readable ``reason`` that becomes a log field and a metric
label; webhooks map errors to a safe caller-facing answer, tasks to a retry or a logged give-up.

::

    ContactProError
    ├── ConfigError            a setting is missing or malformed (raised at start-up)
    ├── BadRequestError        a webhook request is unusable (missing or malformed parameter)
    │   └── SignatureError     X-Twilio-Signature missing or wrong
    ├── NotFoundError          an id names no row
    ├── UnderstandingError     a classifier tier failed (the cascade falls back)
    │   └── LLMError           the LLM tier failed, timed out or answered malformed output
    ├── TranscriptionError     audio could not be fetched, decoded or transcribed
    │   ├── AudioFetchError    download refused or failed (retryable unless refused)
    │   └── AudioDecodeError   the bytes are not audio we can decode (never retried)
    └── DialogError            the conversation cannot continue (escalate)
"""

from __future__ import annotations


class ContactProError(Exception):
    """Base of every ContactPro error; ``reason`` is a short, stable, snake_case label."""

    reason: str = "error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason

    @property
    def message(self) -> str:
        """Return the human-readable message."""
        return str(self.args[0]) if self.args else self.reason


class ConfigError(ContactProError):
    """A setting is missing or malformed."""

    reason = "bad_config"


class BadRequestError(ContactProError):
    """A webhook request is unusable."""

    reason = "bad_request"


class SignatureError(BadRequestError):
    """The Twilio request signature is missing or does not match."""

    reason = "bad_signature"


class NotFoundError(ContactProError):
    """An id names no row."""

    reason = "not_found"


class UnderstandingError(ContactProError):
    """A classifier tier failed."""

    reason = "understanding_failed"


class LLMError(UnderstandingError):
    """The LLM tier failed, timed out or answered malformed output."""

    reason = "llm_failed"


class TranscriptionError(ContactProError):
    """Audio could not be fetched, decoded or transcribed."""

    reason = "transcription_failed"


class AudioFetchError(TranscriptionError):
    """A recording could not be downloaded, or its URL was refused."""

    reason = "audio_fetch_failed"

    def __init__(self, message: str, *, reason: str | None = None, retryable: bool = True) -> None:
        super().__init__(message, reason=reason)
        self.retryable = retryable


class AudioDecodeError(TranscriptionError):
    """The bytes are not audio that can be decoded."""

    reason = "audio_undecodable"


class DialogError(ContactProError):
    """The conversation cannot continue and must be escalated."""

    reason = "dialog_failed"

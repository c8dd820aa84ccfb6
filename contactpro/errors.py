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

from pathlib import Path


class ContactProError(Exception):
    """Base of every ContactPro error; ``reason`` is a short, stable, snake_case label.

    ``key`` and ``values`` optionally name the message in the console's catalogue
    (``contactpro/data/console/{es,en}.toml``) so a page can show it in the reader's language;
    ``message`` stays the English (CLI and log) text.
    """

    reason: str = "error"
    key: str | None = None
    values: dict[str, object]

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        key: str | None = None,
        values: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason
        self.key = key
        self.values = dict(values or {})

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


def file_problem(path: str | Path, exc: BaseException, action: str = "read") -> str:
    """Return one line saying why the file (or folder) ``path`` cannot be read or written.

    ``cannot read calls.jsonl: not UTF-8 text (...)``, ``cannot write out/o.csv: out is a file,
    not a folder``: what an operator needs to fix the path, without a traceback.
    """
    where = Path(path)
    if isinstance(exc, UnicodeDecodeError):
        why = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    elif isinstance(exc, NotADirectoryError | FileExistsError) and (
        blocker := _not_a_folder(where)
    ):
        why = f"{blocker} is a file, not a folder"
    elif isinstance(exc, OSError) and exc.strerror:
        why = exc.strerror
    else:
        why = str(exc) or type(exc).__name__
    return f"cannot {action} {path}: {why}"


def _not_a_folder(path: Path) -> Path | None:
    """Return the nearest existing one of ``path`` and its parents when it is not a folder."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return None if candidate.is_dir() else candidate
    return None

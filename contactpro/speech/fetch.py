"""Download call recordings from Twilio, and from nowhere else.

A ``RecordingUrl`` arrives in a webhook request; whoever can forge or replay one must not be able
to make the server fetch an arbitrary URL (server-side request forgery) or send the account's
credentials elsewhere. Only https URLs on Twilio's API hosts pass; redirects are followed one hop
at a time and each hop is checked the same way.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests

from contactpro.config import Settings
from contactpro.errors import AudioFetchError

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({404, 408, 425, 429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
MAX_BACKOFF_SECONDS = 30.0
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class AllowList:
    """Which URLs may be fetched: schemes, and exact ``host[:port]`` values or a host pattern.

    Matching is on the whole network location, so user-info (``user@host``) and ports outside
    the list are refused.
    """

    hosts: frozenset[str] = frozenset()
    host_pattern: str | None = None
    schemes: frozenset[str] = frozenset({"https"})
    _compiled: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern = re.compile(self.host_pattern) if self.host_pattern else None
        object.__setattr__(self, "_compiled", pattern)

    def permits(self, url: str) -> bool:
        """Return True when ``url`` may be fetched."""
        if any(c.isspace() or c == "\\" or ord(c) < 32 for c in url):
            return False
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        netloc = parts.netloc.lower().rstrip(".")
        if parts.scheme.lower() not in self.schemes or not netloc or "@" in netloc:
            return False
        if netloc in self.hosts:
            return True
        return bool(self._compiled and self._compiled.fullmatch(netloc))


# api.twilio.com plus the regional hosts: api.<region>.twilio.com, api.<edge>.<region>.twilio.com
TWILIO_ALLOW_LIST = AllowList(
    hosts=frozenset({"api.twilio.com"}),
    host_pattern=r"api(?:\.[a-z][a-z0-9-]*)?\.[a-z]{2}[0-9]\.twilio\.com",
)


@dataclass(frozen=True)
class FetchedRecording:
    """A downloaded recording: its bytes, the server's content type and the final URL."""

    data: bytes
    content_type: str | None
    url: str
    attempts: int


def _refuse(url: str) -> AudioFetchError:
    host = urlsplit(url).hostname if "://" in url else None
    return AudioFetchError(
        f"refusing to fetch a recording from {host or 'an invalid URL'}: only https URLs on "
        "Twilio's API hosts are allowed",
        reason="recording_url_refused",
        retryable=False,
    )


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _read_limited(response: requests.Response, limit: int, deadline: float) -> bytes:
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > limit:
        raise AudioFetchError(
            f"the recording is {int(length)} bytes, above the {limit}-byte limit "
            "(CONTACTPRO_RECORDING_MAX_BYTES)",
            reason="recording_too_large",
            retryable=False,
        )
    body = bytearray()
    for chunk in response.iter_content(_CHUNK):
        body.extend(chunk)
        if len(body) > limit:
            raise AudioFetchError(
                f"the recording exceeds the {limit}-byte limit (CONTACTPRO_RECORDING_MAX_BYTES)",
                reason="recording_too_large",
                retryable=False,
            )
        if time.monotonic() > deadline:
            raise AudioFetchError("the download took too long", reason="recording_timeout")
    return bytes(body)


def fetch_recording(
    url: str,
    *,
    settings: Settings,
    allow_list: AllowList = TWILIO_ALLOW_LIST,
    session: requests.Session | None = None,
    backoff_seconds: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    time_limit: float | None = None,
) -> FetchedRecording:
    """Download a recording with the account's credentials, time-outs, a size limit and retries.

    404 (a recording can be missing for a moment after it completes), 408, 429 and 5xx answers,
    connection errors and time-outs are retried ``recording_fetch_attempts`` times with
    exponential back-off (honouring ``Retry-After``). ``time_limit`` (seconds) bounds the whole
    download, retries and waits included, for a caller who is waiting on it. Raises
    AudioFetchError: ``retryable`` is False for a refused URL, bad credentials, a too-large file
    or another 4xx answer.
    """
    if not allow_list.permits(url):
        raise _refuse(url)
    auth = (
        (settings.twilio_account_sid, settings.twilio_auth_token)
        if settings.twilio_account_sid and settings.twilio_auth_token
        else None
    )
    read = float(settings.recording_timeout_seconds)
    stop_at = None if time_limit is None else time.monotonic() + time_limit
    own_session = session is None
    http = session or requests.Session()
    attempts = max(1, settings.recording_fetch_attempts)
    last = AudioFetchError("no time was left to download the recording", reason="recording_timeout")
    try:
        for attempt in range(1, attempts + 1):
            left = read if stop_at is None else min(read, stop_at - time.monotonic())
            if left <= 0:
                break
            deadline = time.monotonic() + (10 * read if stop_at is None else left)
            timeout = (min(10.0, left), left)
            try:
                return _fetch_once(
                    url,
                    http,
                    auth,
                    timeout,
                    deadline,
                    allow_list,
                    attempt,
                    settings.recording_max_bytes,
                )
            except _Retry as retry:
                last = retry.error
                if attempt == attempts:
                    break
                delay = min(backoff_seconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)
                if retry.retry_after is not None:
                    delay = min(max(delay, retry.retry_after), MAX_BACKOFF_SECONDS)
                if stop_at is not None and time.monotonic() + delay >= stop_at:
                    break  # the next attempt could not finish in time
                log.warning(
                    "recording fetch attempt %d/%d failed (%s); retrying in %.1f s",
                    attempt,
                    attempts,
                    last.reason,
                    delay,
                )
                sleep(delay)
    finally:
        if own_session:
            http.close()
    raise last


class _Retry(Exception):
    def __init__(self, error: AudioFetchError, retry_after: float | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry_after = retry_after


def _fetch_once(
    url: str,
    http: requests.Session,
    auth: tuple[str, str] | None,
    timeout: tuple[float, float],
    deadline: float,
    allow_list: AllowList,
    attempt: int,
    max_bytes: int,
) -> FetchedRecording:
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        # Credentials go only to the host the caller named; a redirect elsewhere gets none.
        same_host = urlsplit(current).netloc == urlsplit(url).netloc
        try:
            response = http.get(
                current,
                auth=auth if same_host else None,
                timeout=timeout,
                stream=True,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise _Retry(
                AudioFetchError("the recording server timed out", reason="recording_timeout")
            ) from None
        except requests.RequestException as exc:
            raise _Retry(
                AudioFetchError(
                    f"could not reach the recording server ({type(exc).__name__})",
                    reason="recording_unreachable",
                )
            ) from None
        with response:
            status = response.status_code
            if status in REDIRECT_STATUSES:
                target = urljoin(current, response.headers.get("Location", ""))
                if not allow_list.permits(target):
                    raise _refuse(target)
                current = target
                continue
            if status == 200:
                try:
                    data = _read_limited(response, max_bytes, deadline)
                except requests.RequestException as exc:
                    raise _Retry(
                        AudioFetchError(
                            f"the download broke off ({type(exc).__name__})",
                            reason="recording_unreachable",
                        )
                    ) from None
                except AudioFetchError as exc:
                    if exc.retryable:
                        raise _Retry(exc) from None
                    raise
                content_type = response.headers.get("Content-Type")
                return FetchedRecording(data, content_type, current, attempt)
            if status in (401, 403):
                raise AudioFetchError(
                    f"Twilio refused the credentials (HTTP {status}); check TWILIO_ACCOUNT_SID "
                    "and TWILIO_AUTH_TOKEN",
                    reason="recording_unauthorized",
                    retryable=False,
                )
            if status in RETRYABLE_STATUSES:
                reason = "recording_not_ready" if status == 404 else "recording_server_error"
                raise _Retry(
                    AudioFetchError(f"the recording server answered HTTP {status}", reason=reason),
                    _retry_after(response),
                )
            raise AudioFetchError(
                f"the recording server answered HTTP {status}",
                reason="recording_fetch_failed",
                retryable=False,
            )
    raise AudioFetchError("too many redirects", reason="recording_fetch_failed", retryable=False)

"""Webhook glue for the journal: answer and journal when the database is down, replay later.

A Twilio route that fails because the database cannot be reached lands in
:func:`journal_failed_request` (through the app's error handler): the validated request goes to
the local :class:`~contactpro.resilience.journal.Journal` and the caller still gets a sensible
answer. The journal is replayed at start-up and, in the background, after the next request
that reached the database; the beat task does the same for a worker sharing the folder.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from flask import Flask, Response, current_app, request

from contactpro.config import Settings
from contactpro.conversations.turn_service import technical_fallback
from contactpro.db import is_database_down
from contactpro.errors import BadRequestError
from contactpro.observability.metrics import JOURNAL_REPLAYED, JOURNALED
from contactpro.providers.twilio_forms import (
    CallStatus,
    DialResult,
    FailedRequest,
    IncomingCall,
    IncomingSms,
    MessageStatus,
    QueueResult,
    RecordingCallback,
    VoicemailLeft,
    turn_key,
    url_language,
)
from contactpro.resilience import journal
from tasks.outbox import send_follow_ups
from webhooks import twiml

log = logging.getLogger(__name__)

REPLAY_INTERVAL_SECONDS = 5.0
# What a route answers while the database is down (BadRequestError for a malformed request),
# and what it adds to the journaled form: the query arguments the replay needs.
Answer = tuple[Response, dict[str, str]]
_replaying = threading.Lock()
_last_attempt = 0.0


def _forget_parent_replay() -> None:
    """A forked worker has no replay thread, even when its parent was running one."""
    global _replaying, _last_attempt
    _replaying, _last_attempt = threading.Lock(), 0.0


os.register_at_fork(after_in_child=_forget_parent_replay)


def _journal_of(app: Flask) -> journal.Journal:
    return journal.Journal.for_settings(app.extensions["contactpro"].settings)


def _args(*names: str) -> dict[str, str]:
    return {name: request.args[name] for name in names if name in request.args}


def _language(settings: Settings) -> str:
    """The caller's language from the callback URL, else the default (the rest is in the DB)."""
    return url_language(request.args) or settings.default_language


def _handed_over(settings: Settings) -> Response:
    """An apology and a person, as every voice turn gets while the database is down."""
    language = _language(settings)
    return twiml.enqueue(technical_fallback(language), language, settings)


def _sms(settings: Settings) -> Answer:
    sms = IncomingSms.parse(request.form)
    return twiml.message(journal.sms_acknowledgement(sms.body, settings)), {}


def _sms_status(settings: Settings) -> Answer:
    MessageStatus.parse(request.form, request.args)
    return Response(status=204), _args("turn")


def _call(settings: Settings) -> Answer:
    IncomingCall.parse(request.form)
    return _handed_over(settings), {}


def _turn(settings: Settings) -> Answer:
    call = IncomingCall.parse(request.form)
    return _handed_over(settings), {"key": turn_key(call.call_sid, request.args)}


def _call_status(settings: Settings) -> Answer:
    CallStatus.parse(request.form)
    return Response(status=204), {}


def _queue_result(settings: Settings) -> Answer:
    result = QueueResult.parse(request.form)
    return twiml.after_queue(result.queue_result, _language(settings), settings), _args("lang")


def _dial_result(settings: Settings) -> Answer:
    result = DialResult.parse(request.form)
    return twiml.after_dial(result.dial_status, _language(settings), settings), _args("lang")


def _voicemail(settings: Settings) -> Answer:
    left = VoicemailLeft.parse(request.form, request.args)
    answer = twiml.after_voicemail(left.empty, _language(settings), settings)
    return answer, _args("empty", "lang")


def _recording(settings: Settings) -> Answer:
    callback = RecordingCallback.parse(request.form, request.args)
    return Response(status=204), {"kind": callback.kind}


# Journaled Twilio routes: path -> (journal entry kind, answer). The hold loop's poll has
# nothing of its own to store, but the caller it hands over is recorded like a call start. A
# queue, agent or voicemail callback keeps its URL's ``lang``: the replay stores what the caller
# heard (a voicemail invitation, a goodbye) in the language it was said in.
ROUTES: dict[str, tuple[str, Callable[[Settings], Answer]]] = {
    "/twilio/sms": (journal.SMS, _sms),
    "/twilio/sms/status": (journal.SMS_STATUS, _sms_status),
    "/twilio/voice": (journal.VOICE_START, _call),
    "/twilio/voice/language": (journal.VOICE_START, _call),
    "/twilio/voice/hold": (journal.VOICE_START, _call),
    "/twilio/voice/gather": (journal.VOICE_TURN, _turn),
    "/twilio/voice/record": (journal.VOICE_TURN, _turn),
    "/twilio/voice/status": (journal.VOICE_STATUS, _call_status),
    "/twilio/voice/queue-result": (journal.QUEUE_RESULT, _queue_result),
    "/twilio/voice/dial-result": (journal.DIAL_RESULT, _dial_result),
    "/twilio/voice/voicemail": (journal.VOICEMAIL, _voicemail),
    "/twilio/voice/recording": (journal.RECORDING, _recording),
}


def journal_failed_request(exc: BaseException) -> Response | None:
    """Journal a Twilio request the database could not take and answer it; else None.

    The answer is in the language the URL carries (every URL handed to Twilio during a call),
    else in the default: the caller's own is in the database.
    """
    route = ROUTES.get(request.path)
    if route is None or not is_database_down(exc):
        return None
    kind, answer_of = route
    settings = current_app.extensions["contactpro"].settings
    try:
        answer, args = answer_of(settings)
    except BadRequestError:
        return None
    return answer if _append(kind, args) else None


def _append(kind: str, extra: dict[str, str]) -> bool:
    """Journal this request's form plus ``extra``; False when the journal cannot be written."""
    params = {name: request.form.get(name, "") for name in request.form}
    try:
        _journal_of(current_app).append(kind, {**params, **extra})  # type: ignore[arg-type]
    except OSError:
        log.exception("journal write failed", extra={"path": request.path})
        return False
    JOURNALED.labels(kind).inc()
    return True


# Routes whose request a fallback journals: a message, a call, or what the caller said.
FALLBACK_KINDS = {
    path: kind
    for path, (kind, _) in ROUTES.items()
    if kind in (journal.SMS, journal.VOICE_START, journal.VOICE_TURN)
}


def journal_fallback(channel: str) -> Response:
    """Twilio's fallback URL: journal what the primary URL failed to take, answer without it.

    Twilio calls the fallback when our primary URL answered with an error or not in time, with
    the same parameters plus ``ErrorCode`` and ``ErrorUrl`` (the URL that failed). The message,
    call or spoken turn goes to the journal (a local file: no database, no broker) and is
    replayed through the idempotent path, so it is stored once whether or not the primary had
    stored it after all; the texter gets the acknowledgement, the caller an apology and a person.
    """
    settings = current_app.extensions["contactpro"].settings
    failed = FailedRequest.parse(request.form)
    language = url_language(failed.args) or settings.default_language
    if channel == "sms":
        sms = IncomingSms.parse(request.form)
        hint = url_language(failed.args)
        answer = twiml.message(journal.sms_acknowledgement(sms.body, settings, hint))
        return _journal_fallback(journal.SMS, {}, answer, failed)
    answer = twiml.enqueue(technical_fallback(language), language, settings)
    try:
        call = IncomingCall.parse(request.form)
    except BadRequestError:  # still the caller's answer: an apology and a person
        log.warning("fallback without a valid CallSid", extra={"path": request.path})
        return answer
    kind = FALLBACK_KINDS.get(failed.path, journal.VOICE_START if not failed.path else None)
    extra = {"key": turn_key(call.call_sid, failed.args)} if kind == journal.VOICE_TURN else {}
    return _journal_fallback(kind, extra, answer, failed)


def _journal_fallback(
    kind: str | None, extra: dict[str, str], answer: Response, failed: FailedRequest
) -> Response:
    """Journal the fallback's request as ``kind`` plus ``extra``, then return ``answer``.

    ``kind`` is None for a queue, agent or voicemail callback: nothing of the caller's to keep.
    """
    if kind is None or not _append(kind, extra):
        return answer
    log.warning(
        "fallback journaled",
        extra={"kind": kind, "error_code": failed.error_code, "failed": failed.path},
    )
    replay_soon(current_app._get_current_object())  # type: ignore[attr-defined]
    return answer


def replay_now(app: Flask) -> journal.ReplayResult:
    """Replay the journal in this thread; send the tasks the live webhooks would have sent."""
    runtime = app.extensions["contactpro"]
    with app.app_context():
        result = journal.replay(
            _journal_of(app), runtime.db, runtime.settings, app.extensions.get("telephony")
        )
        send_follow_ups(result)
    JOURNAL_REPLAYED.inc(result.replayed)
    return result


def replay_soon(app: Flask) -> None:
    """Replay in a background thread when entries wait (at most one replay per process)."""
    global _last_attempt
    if time.monotonic() - _last_attempt < REPLAY_INTERVAL_SECONDS:
        return
    if not _journal_of(app).has_pending():
        return
    if not _replaying.acquire(blocking=False):
        return
    _last_attempt = time.monotonic()

    def run() -> None:
        try:
            replay_now(app)
        finally:
            _replaying.release()

    threading.Thread(target=run, name="journal-replay", daemon=True).start()

"""Webhook glue for the journal: answer and journal when the database is down, replay later.

A Twilio route that fails because the database cannot be reached lands in
:func:`journal_failed_request` (through the app's error handler): the validated request goes to
the local :class:`~contactpro.journal.Journal` and the caller still gets a sensible answer. The
journal is replayed at start-up and, in the background, after the next request that reached
the database; the beat task does the same for a worker sharing the folder.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, Response, current_app, request

from contactpro import journal
from contactpro.errors import BadRequestError
from contactpro.metrics import JOURNAL_REPLAYED, JOURNALED
from webhooks import twiml
from webhooks.forms import CallStatus, IncomingCall, IncomingSms

log = logging.getLogger(__name__)

REPLAY_INTERVAL_SECONDS = 5.0
# Journaled Twilio routes: path -> journal entry kind.
ROUTES = {
    "/twilio/sms": journal.SMS,
    "/twilio/voice": journal.VOICE_START,
    "/twilio/voice/language": journal.VOICE_START,
    "/twilio/voice/gather": journal.VOICE_TURN,
    "/twilio/voice/record": journal.VOICE_TURN,
    "/twilio/voice/status": journal.VOICE_STATUS,
}
_replaying = threading.Lock()
_last_attempt = 0.0


def _journal_of(app: Flask) -> journal.Journal:
    return journal.Journal.for_settings(app.extensions["contactpro"].settings)


def journal_failed_request(exc: BaseException) -> Response | None:
    """Journal a Twilio request the database could not take and answer it; else None."""
    kind = ROUTES.get(request.path)
    if kind is None or not journal.is_database_down(exc):
        return None
    settings = current_app.extensions["contactpro"].settings
    form = request.form
    try:
        if kind == journal.SMS:
            IncomingSms.parse(form)
        elif kind == journal.VOICE_STATUS:
            CallStatus.parse(form)
        else:
            IncomingCall.parse(form)
    except BadRequestError:
        return None
    params = {name: form.get(name, "") for name in form}
    if kind == journal.VOICE_TURN:
        step = request.args.get("step", default=0, type=int)
        params["key"] = f"{params['CallSid']}:gather:{step}"
    try:
        _journal_of(current_app).append(kind, params)  # type: ignore[arg-type]
    except OSError:
        log.exception("journal write failed", extra={"path": request.path})
        return None
    JOURNALED.labels(kind).inc()
    language = settings.default_language
    if kind == journal.SMS:
        return twiml.message(journal.SMS_ACKNOWLEDGEMENT[language])
    if kind == journal.VOICE_STATUS:
        return Response(status=204)
    from contactpro.conversation import technical_fallback

    return twiml.enqueue(technical_fallback(language), language, settings)


def replay_now(app: Flask) -> journal.ReplayResult:
    """Replay the journal in this thread; send the tasks of calls it saw end."""
    from tasks import send
    from tasks.voice import close_call

    runtime = app.extensions["contactpro"]
    with app.app_context():
        result = journal.replay(
            _journal_of(app), runtime.db, runtime.settings, app.extensions.get("telephony")
        )
        for interaction_id, status in result.ended_calls:
            send(close_call, interaction_id, status)
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

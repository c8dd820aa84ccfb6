"""The Flask app: Twilio webhooks (and later the console) around the ContactPro core."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask, Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from contactpro.config import LANGUAGES, load_settings
from contactpro.conversations import interactions
from contactpro.dialog.knowledge import knowledge_base
from contactpro.dialog.templates import render, templates_for
from contactpro.errors import BadRequestError, ContactProError
from contactpro.nlu.cascade import get_cascade
from contactpro.observability.logs import configure_logging
from contactpro.providers.twilio_forms import IncomingSms, url_language
from contactpro.resilience.handover import hand_over_message
from contactpro.runtime import Runtime
from webhooks import journal, twiml
from webhooks.db import close_db_session

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 64 * 1024


def create_app(config: Mapping[str, Any] | None = None, *, create_database: bool = True) -> Flask:
    """Build the app: settings (code < .env < environment < ``config``), database, Celery.

    ``create_database`` False leaves a missing SQLite file (and its folders) uncreated.
    """
    settings = load_settings(config)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_REQUEST_BYTES,
        SESSION_COOKIE_NAME="contactpro_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=settings.session_seconds),
        SESSION_REFRESH_EACH_REQUEST=False,  # the console renews it on pages, not on polls
    )
    if settings.env != "test":
        configure_logging(log_format=settings.log_format)
    if not settings.validate_twilio_signature:
        log.warning("Twilio signature verification is OFF: development use only")
    app.extensions["contactpro"] = Runtime.from_settings(settings, create_database=create_database)

    from tasks import celery_init_app
    from webhooks import console, health, ops, sms, voice

    celery_init_app(app)
    app.register_blueprint(sms.bp)
    app.register_blueprint(voice.bp)
    app.register_blueprint(health.bp)
    ops.init_app(app)
    console.init_app(app)
    app.teardown_appcontext(close_db_session)
    _register_error_handlers(app)
    return app


def warm_up(app: Flask) -> None:
    """Load the models and templates now, so the first caller does not wait for them.

    Safe in a process that forks workers afterwards (gunicorn's preloading master, Celery's
    parent): what it loads is shared with them, and it runs no sentence encoder, whose runtime
    would make the forked workers hang at their exit. Each worker then calls :func:`warm_worker`.
    """
    settings = app.extensions["contactpro"].settings
    templates_for(settings)
    for language in ("es", "en"):
        knowledge_base(settings, language)
    get_cascade(settings).model.prepare()
    journal.replay_soon(app)  # what an earlier process journaled while the database was down


def warm_worker(app: Flask) -> None:
    """Run the whole understanding once in this process (its sentence encoder included)."""
    cascade = get_cascade(app.extensions["contactpro"].settings)
    for text in ("quiero saber el valor de mi factura", "I would like to know about my bill"):
        cascade.understand(text, channel="sms", source="sms")  # the model tier, not the rules
        cascade.model.predict(text)  # the full model too, which the n-gram model may spare


def _caller_language() -> str:
    """Return the language of the failed request's caller or sender: the call's URL says it;
    else one look-up of their conversation (or their customer record); else the default."""
    runtime = current_app.extensions["contactpro"]
    default = str(runtime.settings.default_language)
    is_voice = request.path.startswith("/twilio/voice")
    if is_voice and (language := url_language(request.args)) is not None:
        return language
    try:
        with runtime.db.session() as session:
            if is_voice:
                call = interactions.find_by_sid(session, "voice", request.form.get("CallSid", ""))
                number = request.form.get("From")
                language = call.language if call is not None else None
            else:
                message = IncomingSms.parse(request.form)
                number = message.from_number
                talk = interactions.current_conversation(
                    session, message.channel, message.from_number, message.to_number
                )
                language = talk.language if talk is not None else None
            if language is None and (customer := interactions.find_customer(session, number)):
                language = customer.preferred_language
    except (SQLAlchemyError, ContactProError) as exc:
        log.warning("caller's language unknown after an error", extra={"reason": repr(exc)})
        return default
    return language if language in LANGUAGES else default


def _safe_answer(status: int) -> Response:
    """What Twilio gets when handling failed: callers hear an apology (in their language when
    it can be told) and reach the queue."""
    settings = _runtime_settings()
    language = _caller_language() if request.path.startswith("/twilio/") else ""
    if request.path.startswith("/twilio/voice"):
        text = render("technical_problem", language)
        return twiml.enqueue(text, language, settings)
    if request.path == "/twilio/sms":
        return twiml.message(render("escalate_sms", language))
    return Response(status=status)


def _handed_over_message() -> Response | None:
    """Keep a message whose handling failed and hand it to a person (the reply promises one);
    None when that fails too (the request is malformed, or the database refuses it)."""
    runtime = current_app.extensions["contactpro"]
    close_db_session()  # the failed request's transaction: rolled back, its locks released
    try:
        message = IncomingSms.parse(request.form)
        with runtime.db.session() as session:
            text = hand_over_message(session, runtime.settings, message)
    except Exception:
        log.exception("hand-over after an error failed", extra={"path": request.path})
        return None
    return twiml.message(text)


def _runtime_settings() -> Any:
    return current_app.extensions["contactpro"].settings


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(BadRequestError)
    def bad_request(exc: BadRequestError) -> Response:
        log.warning(
            "bad request: %s", exc.message, extra={"path": request.path, "reason": exc.reason}
        )
        if request.path.startswith("/twilio/voice"):
            return _safe_answer(200)
        return Response(f"{exc.message}\n", status=400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return Response(f"{exc.description}\n", status=exc.code or 500, mimetype="text/plain")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        if (journaled := journal.journal_failed_request(exc)) is not None:
            return journaled
        log.exception("unhandled error", extra={"path": request.path, "reason": type(exc).__name__})
        if request.path == "/twilio/sms" and (handed_over := _handed_over_message()) is not None:
            return handed_over
        if request.path.startswith("/twilio/"):
            return _safe_answer(500)
        return Response("internal error\n", status=500, mimetype="text/plain")

"""Liveness and readiness probes, reporting the database, the broker, the workers and backlogs.

``/healthz`` answers 200 while the process can answer Twilio, which it can even with the
database or broker down (journal and outbox); point load balancers at it. ``/readyz`` answers 503
unless the database and broker answer; use it for deploy gates and alerting. The database is
``ok`` only when its schema is at the revision this code ships (``schema_missing`` before
``contactpro init-db``, ``schema_outdated`` after an upgrade that was not migrated,
``schema_newer`` when a later release migrated it: this machine still runs the older release).
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import redis
from celery import Celery
from flask import Blueprint, Flask, Response, current_app, jsonify
from kombu.exceptions import KombuError
from sqlalchemy.exc import SQLAlchemyError

from contactpro.config import Settings
from contactpro.migrate import schema_state
from contactpro.resilience.journal import Journal
from contactpro.resilience.outbox import Outbox

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 0.5
WORKER_CACHE_SECONDS = 15.0
_workers: dict[str, tuple[float, str, int]] = {}


@lru_cache(maxsize=8)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_timeout=PROBE_TIMEOUT_SECONDS, socket_connect_timeout=PROBE_TIMEOUT_SECONDS
    )


def database_state() -> str:
    """Return ``ok``, ``schema_missing`` / ``schema_outdated`` (run ``contactpro init-db``),
    ``schema_newer`` (run the release that migrated it), or the error class when the database
    does not answer."""
    try:
        with current_app.extensions["contactpro"].db.engine.connect() as conn:
            schema = schema_state(conn)
    except SQLAlchemyError as exc:
        return exc.__class__.__name__
    return "ok" if schema == "ok" else f"schema_{schema}"


# What an operator does about each database state, said once when the web process starts.
_JOURNALED = "; Twilio requests are journaled until it is"
_DATABASE_FIX = {
    "schema_missing": "run `contactpro init-db`" + _JOURNALED,
    "schema_outdated": "run `contactpro init-db`" + _JOURNALED,
    "schema_newer": "run the release that migrated it",
}


def warn_if_database_not_ready(app: Flask) -> None:
    """Log one line at start-up when the database cannot serve this release, with the fix.

    The server starts anyway: while the database is unreachable or behind, Twilio's requests
    wait in the journal (gunicorn refusing to start would leave callers to the fallback URL).
    """
    with app.app_context():
        state = database_state()
    # Checked before gunicorn or Celery forks: the children must not inherit the connection.
    app.extensions["contactpro"].db.dispose()
    if state == "ok":
        return
    fix = _DATABASE_FIX.get(
        state, "check CONTACTPRO_DATABASE_URL and that the server answers" + _JOURNALED
    )
    log.warning("database not ready (%s): %s", state, fix, extra={"reason": state})


def broker_state(settings: Settings) -> tuple[str, int | None]:
    """Return the broker's state and how many tasks wait in the task queue."""
    if settings.embedded_broker:
        folder = Path(settings.var_dir) / "broker" / "queue"
        return "embedded", sum(1 for _ in folder.glob("*.msg")) if folder.is_dir() else 0
    if not settings.broker_url.startswith(("redis://", "rediss://")):
        return "unchecked", None
    try:
        return "ok", int(_redis(settings.broker_url).llen(settings.task_queue))
    except redis.RedisError as exc:
        return exc.__class__.__name__, None


def worker_state(celery_app: Celery, settings: Settings) -> tuple[str, int]:
    """Return whether workers answer a ping (cached for a few seconds) and how many did."""
    if settings.embedded_broker or settings.task_always_eager:
        return "embedded", 0
    cached = _workers.get(settings.broker_url)
    if cached and time.monotonic() - cached[0] < WORKER_CACHE_SECONDS:
        return cached[1], cached[2]
    try:
        replies = celery_app.control.ping(timeout=PROBE_TIMEOUT_SECONDS) or []
    except (KombuError, OSError, redis.RedisError) as exc:
        state, count = exc.__class__.__name__, 0
    else:
        state, count = ("ok" if replies else "none"), len(replies)
    _workers[settings.broker_url] = (time.monotonic(), state, count)
    return state, count


def backlog(settings: Settings) -> dict[str, int]:
    """Return how many journal entries and outbox tasks wait on this machine."""
    return {
        "journal_pending": Journal.for_settings(settings).pending_count(),
        "outbox_pending": Outbox.for_settings(settings).count(),
    }


def report() -> tuple[dict[str, Any], bool]:
    """Return every check and whether the database and broker both answer."""
    settings: Settings = current_app.extensions["contactpro"].settings
    database = database_state()
    broker, depth = broker_state(settings)
    worker, workers = worker_state(current_app.extensions["celery"], settings)
    ready = database == "ok" and broker in ("ok", "embedded", "unchecked")
    body = {
        "status": "ok" if ready and worker in ("ok", "embedded") else "degraded",
        "database": database,
        "broker": broker,
        "queue_depth": depth,
        "worker": worker,
        "workers": workers,
        **backlog(settings),
    }
    return body, ready


@bp.get("/healthz")
def healthz() -> Response:
    """The process is up and answering; the body says what is degraded."""
    body, _ready = report()
    return jsonify(body)


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """The database and broker answer; 503 when either does not."""
    body, ready = report()
    if not ready:
        body["status"] = "unavailable"
    return jsonify(body), 200 if ready else 503

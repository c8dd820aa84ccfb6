"""Operations around every request: metrics, rate limits, security headers, ``/metrics`` and
``/openapi.json``.
"""

from __future__ import annotations

import json
import logging
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.middleware.proxy_fix import ProxyFix

from contactpro.config import Settings
from contactpro.dialog.templates import texts
from contactpro.observability import metrics
from contactpro.phone import mask_phone
from contactpro.resilience.ratelimit import RateLimiter, limiter_for
from webhooks import health, journal, twiml

log = logging.getLogger(__name__)
bp = Blueprint("ops", __name__)

OPENAPI_PATH = Path(__file__).with_name("openapi.json")
WINDOW_SECONDS = 60
# Requests that start a conversation count against the caller's limit; turns of a call do not.
CALLER_LIMITED_ROUTES = ("/twilio/sms", "/twilio/voice")
RATE_LIMITED_VOICE = texts("voice_rate_limited")  # language -> text, from the catalogue
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _settings() -> Settings:
    return current_app.extensions["contactpro"].settings


def _limiter() -> RateLimiter:
    return current_app.extensions["contactpro_ratelimit"]


def over_caller_limit() -> Response | None:
    """Answer a signed Twilio request from a number over its limit; None when within it.

    Called after the signature check, so a forged request cannot spend someone's allowance.
    """
    limit = _settings().caller_rate_limit
    number = (request.form.get("From") or "").strip()
    if not limit or not number or request.path not in CALLER_LIMITED_ROUTES:
        return None
    if _limiter().allow(f"caller:{number}", limit, WINDOW_SECONDS):
        return None
    metrics.RATE_LIMITED.labels("caller").inc()
    log.warning(
        "caller over rate limit",
        extra={"from": mask_phone(number), "path": request.path, "reason": "rate_limited"},
    )
    if request.path == "/twilio/sms":
        return twiml.twiml(MessagingResponse())  # no reply: a flood must not cost a text each
    language = _settings().default_language
    return twiml.hangup(RATE_LIMITED_VOICE[language], language, _settings())


def _over_ip_limit() -> Response | None:
    """Limit non-Twilio routes per client address (Twilio's own addresses are shared)."""
    limit = _settings().ip_rate_limit
    if not limit or request.path.startswith("/twilio/") or request.path in ("/healthz", "/readyz"):
        return None
    if _limiter().allow(f"ip:{request.remote_addr}", limit, WINDOW_SECONDS):
        return None
    metrics.RATE_LIMITED.labels("ip").inc()
    log.warning("client over rate limit", extra={"path": request.path, "reason": "rate_limited"})
    if request.accept_mimetypes.best == "application/json":
        response = Response(
            json.dumps({"error": "too many requests"}), 429, mimetype="application/json"
        )
    else:
        response = Response("too many requests\n", 429, mimetype="text/plain")
    response.headers["Retry-After"] = str(WINDOW_SECONDS)
    return response


def _before() -> Response | None:
    g.ops_started = time.perf_counter()
    return _over_ip_limit()


def _after(response: Response) -> Response:
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    started = g.get("ops_started")
    if started is not None:
        metrics.LATENCY.labels(route).observe(time.perf_counter() - started)
    metrics.REQUESTS.labels(route, request.method, str(response.status_code)).inc()
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure or _settings().public_url.startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if response.status_code < 500 and "db_session" in g:
        # The database answered: replay what was journaled while it did not.
        journal.replay_soon(current_app._get_current_object())  # type: ignore[attr-defined]
    return response


def gauges() -> dict[str, float]:
    """Values read at scrape time: task queue depth, worker count, journal and outbox backlog."""
    settings = _settings()
    state, depth = health.broker_state(settings)
    values: dict[str, float] = {
        "broker_up": 1.0 if state in ("ok", "embedded") else 0.0,
        "task_queue_depth": float(depth or 0),
    }
    values.update({k: float(v) for k, v in health.backlog(settings).items()})
    return values


@bp.get("/metrics")
def metrics_endpoint() -> Response:
    """Prometheus exposition of this machine's counters and the current gauges (scrapers only)."""
    if not metrics.may_scrape(
        _settings(), request.remote_addr, request.headers.get("Authorization")
    ):
        return Response("not found\n", status=404, mimetype="text/plain")
    return Response(metrics.render(gauges), mimetype=metrics.CONTENT_TYPE_LATEST)


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI description of the webhooks and JSON endpoints."""
    return json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document."""
    return Response(json.dumps(openapi_document()), mimetype="application/json")


def init_app(app: Flask) -> None:
    """Register the hooks and routes on ``app``; trust ``proxy_hops`` proxies' X-Forwarded-For."""
    settings: Settings = app.extensions["contactpro"].settings
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops)  # type: ignore[method-assign]
    app.extensions["contactpro_ratelimit"] = limiter_for(settings)
    app.before_request(_before)
    app.after_request(_after)
    app.register_blueprint(bp)

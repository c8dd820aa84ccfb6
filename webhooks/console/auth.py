"""Console log-in and log-out, the per-request guard (session, role, CSRF) and page helpers."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from contactpro.config import LANGUAGES, Settings
from contactpro.console.users import authenticate, has_role, ui_language
from contactpro.models import Agent
from webhooks.console.i18n import translate
from webhooks.db import db_session

bp = Blueprint("console_auth", __name__, url_prefix="/console")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def settings() -> Settings:
    """Return this app's settings."""
    return current_app.extensions["contactpro"].settings


def t(key: str) -> str:
    """Translate ``key`` into the language of this request."""
    return translate(key, g.get("lang", settings().default_language))


def csrf_token() -> str:
    """Return this session's CSRF token, creating it on first use."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def _csrf_ok() -> bool:
    expected = session.get("csrf")
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    return bool(expected) and hmac.compare_digest(str(expected), sent)


def _fingerprint(agent: Agent) -> str:
    # Changing the password (or deactivating) ends every session signed before the change.
    return (agent.password_hash or "")[-16:]


def _load_agent() -> Agent | None:
    agent_id = session.get("agent_id")
    if agent_id is None:
        return None
    agent = db_session().get(Agent, agent_id)
    if agent is None or not agent.active or session.get("fp") != _fingerprint(agent):
        session.clear()
        return None
    return agent


def _language(agent: Agent | None) -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    if session.get("lang") in LANGUAGES:
        return str(session["lang"])
    if agent is not None:
        return ui_language(agent, settings().default_language)
    best = request.accept_languages.best_match(LANGUAGES)
    return best or settings().default_language


def wants_json() -> bool:
    """Return True for the console's JSON endpoints."""
    return request.path.startswith("/console/api/")


def guard(required_role: str | None, public: tuple[str, ...] = ()) -> Callable[[], Any]:
    """Build a ``before_request`` hook: load the user, check CSRF on POST, require a role."""

    def check() -> BaseResponse | None:
        g.agent = _load_agent()
        g.lang = _language(g.agent)
        if request.method == "POST" and not _csrf_ok():
            abort(400, description="csrf")
        if request.endpoint in public:
            return None
        if g.agent is not None and not wants_json():
            # Idle timeout: pages and actions renew the session; background polling does not.
            session.modified = True
        if g.agent is None:
            if wants_json():
                return _json_error(401, "login required")
            return redirect(url_for("console_auth.login", next=request.full_path.rstrip("?")))
        if required_role and not has_role(g.agent, required_role):
            abort(403)
        return None

    return check


def _json_error(status: int, message: str) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    return response


def render_error(exc: HTTPException) -> BaseResponse:
    """Show console errors as a page (or JSON for the API), in the user's language."""
    status = exc.code or 500
    if wants_json():
        return _json_error(status, exc.description or "")
    if "lang" not in g:
        g.lang = settings().default_language
    key = {400: "csrf_failed", 403: "forbidden", 404: "not_found"}.get(status, "error")
    if status == 400 and exc.description != "csrf":
        message = exc.description or t("error")
    else:
        message = t(key)
    body = render_template("console/error.html", status=status, message=message)
    return Response(body, status=status, mimetype="text/html")


def secure_headers(response: BaseResponse) -> BaseResponse:
    """Add the console's security headers; pages hold personal data, so nothing is cached."""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def setup(blueprint: Blueprint, required_role: str | None, public: tuple[str, ...] = ()) -> None:
    """Guard every route of a console blueprint and render its errors as pages."""
    blueprint.before_request(guard(required_role, public))
    blueprint.after_request(secure_headers)
    blueprint.register_error_handler(HTTPException, render_error)


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console/"):
        return None
    return target


def home_url(agent: Agent) -> str:
    """Return where a user lands after logging in."""
    return url_for("console_agent.queue")


def _start_session(agent: Agent) -> None:
    """Start a fresh signed-in session for ``agent``, keeping the chosen page language."""
    lang = session.get("lang")
    session.clear()
    session.permanent = True
    session["agent_id"], session["fp"] = agent.id, _fingerprint(agent)
    if lang:
        session["lang"] = lang
    csrf_token()
    current_app.logger.info("console login", extra={"agent_id": agent.id})


def _login_page(error: str | None) -> Response:
    body = render_template("console/login.html", error=error, next=request.args.get("next"))
    return Response(body, status=401 if error else 200, mimetype="text/html")


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse | str:
    """Show the log-in form; on POST, check the credentials and start a session."""
    if request.method != "POST":
        return redirect(home_url(g.agent)) if g.agent is not None else _login_page(None)
    email = request.form.get("email", "")
    agent = authenticate(db_session(), email, request.form.get("password", ""))
    if agent is None:
        return _login_page(t("bad_login"))
    _start_session(agent)
    return redirect(_safe_next(request.args.get("next")) or home_url(agent))


@bp.post("/logout")
def logout() -> BaseResponse:
    """End the session."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(t("logged_out"), "info")
    return redirect(url_for("console_auth.login"))


setup(bp, None, public=("console_auth.login",))

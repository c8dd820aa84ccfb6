"""Console log-in and log-out, the per-request guard (session, role, CSRF) and page helpers."""

from __future__ import annotations

import hmac
import logging
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
from flask.blueprints import BlueprintSetupState
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response as BaseResponse

from contactpro.config import LANGUAGES, Settings
from contactpro.console.logins import attempt_login, change_password_checked
from contactpro.console.policy import AccountPolicy
from contactpro.console.sessions import end_all_sessions, resume_session, start_session
from contactpro.console.users import UserError, has_role, ui_language
from contactpro.db import is_database_down
from contactpro.models import Agent
from webhooks.console.i18n import translate
from webhooks.db import db_session

log = logging.getLogger(__name__)
bp = Blueprint("console_auth", __name__, url_prefix="/console")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# Ids are 32-bit integer columns on PostgreSQL.
MAX_ID = 2**31 - 1


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


def policy() -> AccountPolicy:
    """Return this app's session and log-in policy."""
    return current_app.extensions["console_policy"]  # type: ignore[no-any-return]


@bp.record_once
def _load_policy(state: BlueprintSetupState) -> None:
    # Read at start-up, so a bad value stops the server like any other setting.
    settings = state.app.extensions["contactpro"].settings
    state.app.extensions["console_policy"] = AccountPolicy.from_settings(settings)


def _load_agent() -> Agent | None:
    """Return the user of this request's server-side session (ended or timed out: None)."""
    token = session.get("sid")
    if token is None:
        return None
    db = db_session()
    # Pages and actions renew the idle timer; the queue's background polling does not.
    agent = resume_session(db, str(token), policy(), touch=not wants_json())
    db.commit()
    if agent is None:
        session.clear()
    return agent


def begin_session(agent: Agent) -> None:
    """Start a fresh server-side session for ``agent`` in a fresh cookie (keeps the language)."""
    lang = session.get("lang")
    session.clear()
    session.permanent = True
    session["sid"] = start_session(db_session(), agent, request.remote_addr)
    if lang:
        session["lang"] = lang
    csrf_token()


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
        if any(_out_of_range(value) for value in (request.view_args or {}).values()):
            abort(404)  # no row has such an id; the database would fail on it instead
        if _has_nul():
            abort(400, description="NUL characters are not accepted")
        return None

    return check


def _out_of_range(value: object) -> bool:
    return isinstance(value, int) and not 0 <= value <= MAX_ID


def _has_nul() -> bool:
    # PostgreSQL text cannot hold NUL: a search for one would fail as a 500.
    return any("\x00" in value for _, values in request.values.lists() for value in values)


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


def render_database_error(exc: DBAPIError) -> BaseResponse:
    """Show a database that cannot be reached as a page in the user's language (nothing was
    saved: the request's transaction never committed); any other database error as a 500."""
    db_session().rollback()
    if not is_database_down(exc):
        log.exception("console request failed", extra={"path": request.path})
        return render_error(InternalServerError())
    log.warning("console page unavailable: database unreachable", extra={"path": request.path})
    if wants_json():
        return _json_error(503, "database unreachable")
    if "lang" not in g:  # the user could not be loaded: the language they asked for or read
        g.lang = _language(None)
    body = render_template("console/error.html", status=503, message=t("database_down"))
    return Response(body, status=503, mimetype="text/html")


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
    blueprint.register_error_handler(DBAPIError, render_database_error)


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


def _login_page(error: str | None = None, status: int = 200) -> Response:
    response = Response(
        render_template("console/login.html", error=error, next=request.args.get("next")),
        status=status,
        mimetype="text/html",
    )
    if status == 429:
        response.headers["Retry-After"] = str(policy().lockout_seconds)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse | str:
    """Show the log-in form; on POST, check the throttle and credentials, start a session."""
    if request.method == "GET":
        return redirect(home_url(g.agent)) if g.agent is not None else _login_page()
    db = db_session()
    email, password = request.form.get("email", ""), request.form.get("password", "")
    code = request.form.get("code", "")
    result = attempt_login(db, email, password, request.remote_addr or "", policy(), code)
    if result.agent is None:
        db.commit()
        if result.locked:
            return _login_page(t("login_locked"), 429)
        return _login_page(t("bad_login"), 401)
    begin_session(result.agent)
    db.commit()
    current_app.logger.info("console login", extra={"agent_id": result.agent.id})
    return redirect(_safe_next(request.args.get("next")) or home_url(result.agent))


@bp.post("/logout")
def logout() -> BaseResponse:
    """End every session of this user (a cookie copied earlier stops working too)."""
    if g.agent is not None:
        end_all_sessions(db_session(), g.agent.id, "logout")
        db_session().commit()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(t("logged_out"), "info")
    return redirect(url_for("console_auth.login"))


def _password_page(error: str | None = None) -> Response:
    body = render_template("console/password.html", error=error)
    return Response(body, status=400 if error else 200, mimetype="text/html")


@bp.route("/account/password", methods=["GET", "POST"])
def change_password() -> BaseResponse:
    """Let the logged-in user change their password; every other session of theirs ends."""
    if request.method == "GET":
        return _password_page()
    new = request.form.get("new_password", "")
    if new != request.form.get("confirm_password", ""):
        return _password_page(t("password_mismatch"))
    db = db_session()
    current = request.form.get("current_password", "")
    try:
        change_password_checked(db, g.agent, current, new, request.remote_addr or "", policy())
    except UserError as exc:
        db.commit()  # nothing changed but the record of a wrong current password
        return _password_page(t(exc.reason))
    begin_session(g.agent)
    db.commit()
    flash(t("password_changed"), "info")
    return redirect(home_url(g.agent))


setup(bp, None, public=("console_auth.login",))

"""Twilio request signatures: verify every Twilio route, behind a proxy too."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from flask import Request, abort, current_app, request
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from werkzeug.datastructures import ImmutableMultiDict

from contactpro.config import Settings
from webhooks.ops import over_caller_limit

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def signed_url(req: Request, settings: Settings) -> str:
    """Rebuild the URL Twilio signed: the configured public base URL plus path and query.

    Behind a reverse proxy the request reaches us as http://127.0.0.1:8000/...; Twilio signed
    the public https URL, which only the configuration knows.
    """
    query = req.query_string.decode("latin-1")
    path = req.path + (f"?{query}" if query else "")
    if settings.public_url:
        return settings.public_url.rstrip("/") + path
    return req.host_url.rstrip("/") + path


def signature_is_valid(req: Request, settings: Settings) -> bool:
    """Return True when ``X-Twilio-Signature`` matches the request."""
    signature = req.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        return False
    algorithm = get_signature_algorithm(req.headers.get(SIGNATURE_SETTINGS_HEADER))
    validator = RequestValidator(settings.twilio_auth_token)
    return bool(
        validator.validate(signed_url(req, settings), req.form, signature, algorithm=algorithm)
    )


def decode_form_as_utf8(req: Request) -> None:
    """Decode a urlencoded body as UTF-8, replacing invalid bytes with U+FFFD.

    Left alone, invalid percent-escapes would reach the dialog as literal ``%FF`` text; with
    replacement characters the conversation can tell the sender their message was unreadable.
    """
    if req.mimetype != "application/x-www-form-urlencoded":
        return
    raw = req.get_data(cache=True).decode("latin-1")
    try:
        parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        pairs = parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="replace")
        req.__dict__["form"] = ImmutableMultiDict(pairs)
        log.warning(
            "request body is not valid UTF-8", extra={"path": req.path, "reason": "invalid_utf8"}
        )


def twilio_signed(view: F) -> F:
    """Answer 403 unless the request carries a valid Twilio signature."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        settings: Settings = current_app.extensions["contactpro"].settings
        decode_form_as_utf8(request)
        if settings.validate_twilio_signature and not signature_is_valid(request, settings):
            reason = "missing" if SIGNATURE_HEADER not in request.headers else "mismatch"
            # A forgery, or a wrong setting rejecting every real request: say which to check.
            log.warning(
                "rejected Twilio request: signature %s for %s (if Twilio calls another URL or"
                " signs with another account, fix CONTACTPRO_PUBLIC_URL or TWILIO_AUTH_TOKEN)",
                reason,
                signed_url(request, settings),
                extra={"path": request.path, "reason": f"signature_{reason}"},
            )
            abort(403, description=f"Twilio signature {reason}")
        if (limited := over_caller_limit()) is not None:
            return limited
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]

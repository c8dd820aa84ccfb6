"""A manager's second factor: the code from the authenticator app is needed at log-in."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import func, select

from contactpro.models import Agent, LoginAttempt
from tests.webhooks.console.conftest import PASSWORD

_FORM_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def post_login(client, email: str, password: str, code: str | None = None) -> int:
    page = client.get("/console/login")
    assert 'autocomplete="one-time-code"' in page.text
    form = {"email": email, "password": password, "csrf_token": _FORM_CSRF.search(page.text)[1]}
    if code is not None:
        form["code"] = code
    return client.post("/console/login", data=form).status_code


def test_a_manager_with_a_second_factor_needs_the_code(app, users, runner, session):
    result = runner.invoke(args=["users", "totp", "max@example.com"])
    assert result.exit_code == 0, result.output
    uri = result.output.strip().splitlines()[-1]
    assert uri.startswith("otpauth://totp/") and "issuer=ContactPro" in uri
    secret = pyotp.parse_uri(uri).secret
    session.expire_all()
    assert session.scalars(select(Agent.totp_secret).where(Agent.email == "max@example.com")).one()

    assert post_login(app.test_client(), "max@example.com", PASSWORD) == 401
    assert post_login(app.test_client(), "max@example.com", PASSWORD, "000000") == 401
    stale = pyotp.TOTP(secret).at(0)  # a code from 1970
    assert post_login(app.test_client(), "max@example.com", PASSWORD, stale) == 401
    assert (
        post_login(app.test_client(), "max@example.com", PASSWORD, pyotp.TOTP(secret).now()) == 302
    )
    failures = session.scalar(select(func.count()).where(LoginAttempt.outcome == "failure"))
    assert failures == 3  # each wrong or missing code counts towards the lockout
    # Others are unaffected; the code is never asked of them.
    assert post_login(app.test_client(), "ada@example.com", PASSWORD) == 302

    off = runner.invoke(args=["users", "totp", "max@example.com", "--disable"])
    assert off.exit_code == 0 and "second factor off" in off.output
    assert post_login(app.test_client(), "max@example.com", PASSWORD) == 302


def test_agents_get_no_second_factor(runner, users):
    result = runner.invoke(args=["users", "totp", "ana@example.com"])
    assert result.exit_code == 1 and "for managers and admins" in result.output

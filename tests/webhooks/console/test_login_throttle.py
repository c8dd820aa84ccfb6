"""Log-in throttling: 50 wrong passwords lock the account (the right one is refused) until the
lockout passes or an admin lifts it; one address guessing at many accounts is locked too."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from contactpro import migrate
from contactpro.config import load_settings
from contactpro.console.logins import account_key
from contactpro.console.policy import AccountPolicy
from contactpro.errors import ConfigError
from contactpro.models import LoginAttempt, utcnow
from tests.webhooks.console.conftest import PASSWORD, add_users, login
from webhooks import create_app

_FORM_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def client_from(app: Flask, address: str) -> FlaskClient:
    """A test client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def try_login(client: FlaskClient, email: str, password: str) -> int:
    """Post the log-in form once; return the status (302 logged in, 401 wrong, 429 locked)."""
    page = client.get("/console/login")
    if page.status_code == 302:  # already logged in
        return 302
    token = _FORM_CSRF.search(page.text)
    assert token
    response = client.post(
        "/console/login", data={"email": email, "password": password, "csrf_token": token[1]}
    )
    return response.status_code


def age_attempts(session: Session, seconds: int) -> None:
    """Move every recorded attempt ``seconds`` into the past."""
    session.execute(update(LoginAttempt).values(created_at=utcnow() - timedelta(seconds=seconds)))
    session.commit()


def test_fifty_wrong_passwords_lock_the_account_until_the_lockout_passes(
    app: Flask, users, session
):
    attacker = client_from(app, "203.0.113.7")
    started = time.perf_counter()
    statuses = [try_login(attacker, "ana@example.com", f"guess number {n}") for n in range(50)]
    elapsed = time.perf_counter() - started
    policy = app.extensions["console_policy"]
    assert statuses[: policy.account_failures] == [401] * policy.account_failures
    assert set(statuses[policy.account_failures :]) == {429}
    # Locked attempts are not even checked, so they are not counted either.
    assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 5
    print(f"50 attempts in {elapsed:.2f}s; {statuses.count(401)} checked, rest refused")

    # The right password from anywhere is refused too: the account is locked, not the address.
    owner = client_from(app, "198.51.100.20")
    response_status = try_login(owner, "ana@example.com", PASSWORD)
    assert response_status == 429
    locked_page = owner.post(
        "/console/login",
        data={
            "email": "ana@example.com",
            "password": PASSWORD,
            "csrf_token": _FORM_CSRF.search(owner.get("/console/login").text)[1],
        },
    )
    assert "Demasiados intentos fallidos" in locked_page.text
    assert locked_page.headers["Retry-After"] == str(policy.lockout_seconds)
    # Other accounts are untouched.
    assert try_login(app.test_client(), "max@example.com", PASSWORD) == 302

    age_attempts(session, policy.lockout_seconds + 1)
    assert try_login(owner, "ana@example.com", PASSWORD) == 302


def test_an_admin_lifts_the_lockout(app: Flask, users, runner, session):
    attacker = client_from(app, "203.0.113.8")
    for n in range(50):
        try_login(attacker, "ana@example.com", f"wrong {n} password")
    owner = app.test_client()
    assert try_login(owner, "ana@example.com", PASSWORD) == 429
    result = runner.invoke(args=["users", "unlock", "ANA@example.com"])
    assert result.exit_code == 0 and "unlocked ANA@example.com" in result.output
    assert try_login(owner, "ana@example.com", PASSWORD) == 302
    # A success restarts the count: four more wrong guesses do not lock it again.
    for n in range(4):
        assert try_login(app.test_client(), "ana@example.com", f"again {n} wrong") == 401
    assert try_login(app.test_client(), "ana@example.com", PASSWORD) == 302
    usage = runner.invoke(args=["users", "unlock"])
    assert usage.exit_code == 2 and "give an e-mail" in usage.output


def test_one_address_guessing_at_many_accounts_is_locked(app: Flask, users, runner, session):
    policy = app.extensions["console_policy"]
    attacker = client_from(app, "203.0.113.9")
    for n in range(policy.address_failures):
        assert try_login(attacker, f"user{n}@example.com", "password guess") == 401
    # Even a correct log-in from that address waits (its owner may be the attacker).
    assert try_login(attacker, "max@example.com", PASSWORD) == 429
    assert try_login(app.test_client(), "max@example.com", PASSWORD) == 302
    result = runner.invoke(args=["users", "unlock", "--address", "203.0.113.9"])
    assert result.exit_code == 0, result.output
    assert try_login(attacker, "max@example.com", PASSWORD) == 302


def test_a_login_of_ones_own_does_not_reset_the_address_count(app: Flask, users):
    policy = app.extensions["console_policy"]
    insider = client_from(app, "203.0.113.10")
    for n in range(policy.address_failures - 1):
        try_login(insider, f"victim{n}@example.com", "password guess")
    assert try_login(insider, "ana@example.com", PASSWORD) == 302
    guesser = client_from(app, "203.0.113.10")
    assert try_login(guesser, "victim@example.com", "one more guess") == 401
    assert try_login(guesser, "max@example.com", PASSWORD) == 429


def test_attempts_store_no_e_mail_or_password(app: Flask, users, session):
    client = app.test_client()
    try_login(client, "ana@example.com", "my secret guess")
    try_login(client, "hunter2hunter2", "typed in the wrong box")
    rows = session.scalars(select(LoginAttempt)).all()
    assert [row.account for row in rows] == [
        account_key("ana@example.com"),
        account_key("hunter2hunter2"),
    ]
    assert all("hunter" not in row.account and "@" not in row.account for row in rows)


def test_wrong_current_passwords_on_the_change_page_count_as_failures(app: Flask, users):
    client = app.test_client()
    csrf = login(client, "ana@example.com")
    policy = app.extensions["console_policy"]
    form = {
        "csrf_token": csrf,
        "new_password": "otra clave larga",
        "confirm_password": "otra clave larga",
    }
    for n in range(policy.account_failures):
        response = client.post(
            "/console/account/password", data={**form, "current_password": f"guess {n}"}
        )
        assert "actual no es correcta" in response.text
    response = client.post("/console/account/password", data={**form, "current_password": PASSWORD})
    assert response.status_code == 400 and "Demasiados intentos" in response.text


@pytest.mark.parametrize("failures", [2, 7])
def test_the_failure_limit_and_lockout_are_settings(app_config, backend, failures):
    app_config.update(login_max_failures=failures, login_lockout_seconds=90)
    app = _app_with_users(app_config, backend)
    attacker = client_from(app, "203.0.113.30")
    statuses = [try_login(attacker, "ana@example.com", f"guess {n} wrong") for n in range(10)]
    assert statuses == [401] * failures + [429] * (10 - failures)
    # The right password is refused too, from anywhere, until an admin lifts the lock.
    assert try_login(client_from(app, "198.51.100.30"), "ana@example.com", PASSWORD) == 429


def test_the_per_address_limit_is_a_setting(app_config, backend):
    app_config.update(login_max_failures_per_address=3)
    app = _app_with_users(app_config, backend)
    attacker = client_from(app, "203.0.113.31")
    assert [try_login(attacker, f"u{n}@example.com", "password guess") for n in range(3)] == [
        401
    ] * 3
    assert try_login(attacker, "max@example.com", PASSWORD) == 429


def test_the_settings_come_from_the_environment_and_are_checked():
    env = {
        "CONTACTPRO_SESSION_SECONDS": "600",
        "CONTACTPRO_SESSION_MAX_SECONDS": "3600",
        "CONTACTPRO_LOGIN_MAX_FAILURES": "3",
        "CONTACTPRO_LOGIN_LOCKOUT_SECONDS": "60",
        "CONTACTPRO_ENV": "test",
        "TWILIO_AUTH_TOKEN": "x",
    }
    policy = AccountPolicy.from_settings(load_settings(environ=env, dotenv_path=None))
    assert policy == AccountPolicy(
        idle_seconds=600,
        absolute_seconds=3600,
        account_failures=3,
        address_failures=20,
        lockout_seconds=60,
    )
    # The absolute timeout is never shorter than the idle one.
    shorter = {**env, "CONTACTPRO_SESSION_MAX_SECONDS": "60"}
    assert AccountPolicy.from_settings(load_settings(environ=shorter, dotenv_path=None)) == (
        replace(policy, absolute_seconds=600)
    )
    for bad in ("0", "-5", "many"):
        with pytest.raises(ConfigError, match="CONTACTPRO_LOGIN_MAX_FAILURES"):
            load_settings(environ={**env, "CONTACTPRO_LOGIN_MAX_FAILURES": bad}, dotenv_path=None)


def _app_with_users(app_config, backend) -> Flask:
    """A fresh app on ``app_config`` with the console's test users."""
    if backend is None:
        migrate.upgrade(app_config["database_url"])
    else:
        backend.truncate()
    app = create_app(app_config)
    with app.extensions["contactpro"].db.session() as db:
        add_users(db)
    return app

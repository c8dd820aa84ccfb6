"""Server-side sessions: a replayed cookie after log-out, a password change or deactivation is
refused; idle and absolute timeouts end sessions; polling does not keep one alive."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from contactpro import migrate
from contactpro.models import Agent, ConsoleSession, Escalation, utcnow
from tests.contactpro.console.test_agent_queue import sms_escalation
from tests.webhooks.console.conftest import PASSWORD, add_users, login
from webhooks import create_app

COOKIE = "contactpro_session"
NEW_PASSWORD = "otra clave muy larga"


def saved_cookie(client: FlaskClient) -> str:
    """The session cookie's value, as an attacker would copy it from the browser."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def replay(app: Flask, cookie: str) -> FlaskClient:
    """A fresh client (another machine) presenting a copied cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, cookie, domain="localhost")
    return other


def test_a_cookie_saved_before_logout_no_longer_works(app, client, users, twilio, session):
    escalation_id = sms_escalation(twilio, session, "+573001112233", "Clara Cliente").id
    csrf = login(client, "ana@example.com")
    stolen = saved_cookie(client)
    assert replay(app, stolen).get("/console/api/queue").status_code == 200  # it works now

    assert client.post("/console/logout", data={"csrf_token": csrf}).status_code == 302

    thief = replay(app, stolen)
    assert thief.get("/console/api/queue").status_code == 401
    page = thief.get(f"/console/escalations/{escalation_id}")
    assert page.status_code == 302 and page.location.startswith("/console/login")
    # The copied cookie also carried the CSRF token: an action is still refused.
    claim = replay(app, stolen).post(
        f"/console/escalations/{escalation_id}/claim", headers={"X-CSRF-Token": csrf}
    )
    assert claim.status_code == 400  # the session (and its CSRF token) is gone
    session.expire_all()
    assert session.get(Escalation, escalation_id).status == "open"
    row = session.scalars(select(ConsoleSession)).one()
    assert row.ended_at is not None and row.end_reason == "logout"


def test_logout_ends_every_session_of_that_user_only(app, users):
    laptop, tablet, colleague = app.test_client(), app.test_client(), app.test_client()
    csrf = login(laptop, "ana@example.com")
    login(tablet, "ana@example.com")
    login(colleague, "max@example.com")
    laptop.post("/console/logout", data={"csrf_token": csrf})
    assert tablet.get("/console/api/queue").status_code == 401
    assert colleague.get("/console/api/queue").status_code == 200


def test_the_cookie_holds_only_a_random_token_and_the_database_only_its_hash(
    app, client, users, session
):
    csrf = login(client, "ana@example.com")
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    data = serializer.loads(saved_cookie(client))
    assert set(data) == {"sid", "csrf", "_permanent"}
    row = session.scalars(select(ConsoleSession)).one()
    assert row.token_hash != data["sid"] and len(row.token_hash) == 64
    assert row.agent_id == users["agent"].id and row.address == "127.0.0.1"
    # A new log-in is a new session: a cookie planted before it is not reused (fixation).
    before = saved_cookie(client)
    again = {"email": "ana@example.com", "password": PASSWORD, "csrf_token": csrf}
    assert client.post("/console/login", data=again).status_code == 302
    assert serializer.loads(saved_cookie(client))["sid"] != serializer.loads(before)["sid"]


def test_changing_ones_password_ends_the_other_sessions_and_keeps_this_one(app, users):
    browser, other = app.test_client(), app.test_client()
    csrf = login(browser, "ana@example.com")
    login(other, "ana@example.com")
    stolen = saved_cookie(browser)
    form = {
        "csrf_token": csrf,
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    page = browser.get("/console/account/password")
    assert page.status_code == 200 and "Contraseña actual" in page.text
    response = browser.post("/console/account/password", data=form)
    assert response.status_code == 302, response.text
    assert "Contraseña cambiada" in browser.get("/console/queue").text
    assert browser.get("/console/api/queue").status_code == 200  # a fresh session
    assert other.get("/console/api/queue").status_code == 401
    assert replay(app, stolen).get("/console/api/queue").status_code == 401
    fresh = app.test_client()
    page = fresh.get("/console/login").text
    assert "Correo" in page
    login(fresh, "ana@example.com", NEW_PASSWORD)


def test_the_change_password_page_refuses_bad_passwords(app, client, users):
    csrf = login(client, "ana@example.com")
    cases = [
        (PASSWORD, "aaaaaaaaaa", "aaaaaaaaaa", "demasiado común"),
        (PASSWORD, "password123", "password123", "demasiado común"),
        (PASSWORD, "contraseña", "contraseña", "demasiado común"),
        (PASSWORD, "ana@example.com", "ana@example.com", "no puede contener su correo"),
        (PASSWORD, "corta", "corta", "entre 10 y 256"),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "no coinciden"),
        ("not my password", NEW_PASSWORD, NEW_PASSWORD, "actual no es correcta"),
        (PASSWORD, PASSWORD, PASSWORD, "distinta de la actual"),
    ]
    for current, new, confirm, message in cases:
        response = client.post(
            "/console/account/password",
            data={
                "csrf_token": csrf,
                "current_password": current,
                "new_password": new,
                "confirm_password": confirm,
            },
        )
        assert response.status_code == 400 and message in response.text, (new, response.text)
    # Still logged in with the old password, which still works.
    assert client.get("/console/api/queue").status_code == 200
    login(app.test_client(), "ana@example.com", PASSWORD)


def test_deactivation_ends_the_sessions_at_once(app, client, users, runner):
    login(client, "ana@example.com")
    stolen = saved_cookie(client)
    result = runner.invoke(args=["users", "deactivate", "ana@example.com"])
    assert result.exit_code == 0, result.output
    assert replay(app, stolen).get("/console/api/queue").status_code == 401
    assert client.get("/console/queue").status_code == 302


def test_admin_set_password_ends_the_sessions(app, client, users, runner, session):
    login(client, "ana@example.com")
    stolen = saved_cookie(client)
    result = runner.invoke(
        args=["users", "set-password", "ana@example.com", "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "password set for ana@example.com; 1 session(s) ended" in result.output
    assert replay(app, stolen).get("/console/api/queue").status_code == 401
    login(app.test_client(), "ana@example.com", NEW_PASSWORD)
    refused = runner.invoke(
        args=["users", "set-password", "ana@example.com", "--password", "password123"]
    )
    assert refused.exit_code == 1 and "too common" in refused.output
    unknown = runner.invoke(
        args=["users", "set-password", "nadie@example.com", "--password", NEW_PASSWORD]
    )
    assert unknown.exit_code == 1 and "no user with e-mail" in unknown.output


def _age(session: Session, **ago: timedelta) -> None:
    """Move every session's timestamps into the past."""
    values = {column: utcnow() - delta for column, delta in ago.items()}
    session.execute(update(ConsoleSession).values(**values))
    session.commit()


def test_idle_sessions_end(app, client, users, session):
    login(client, "ana@example.com")
    idle = app.extensions["contactpro"].settings.session_seconds
    _age(session, last_seen_at=timedelta(seconds=idle + 5))
    assert client.get("/console/api/queue").status_code == 401
    session.expire_all()
    assert session.scalars(select(ConsoleSession.end_reason)).one() == "idle"


def test_polling_does_not_renew_the_idle_timer_but_pages_do(app, client, users, session):
    login(client, "ana@example.com")
    _age(session, last_seen_at=timedelta(minutes=30))
    assert client.get("/console/api/queue").status_code == 200
    session.expire_all()
    seen = session.scalars(select(ConsoleSession.last_seen_at)).one()
    assert utcnow() - seen >= timedelta(minutes=29)
    assert client.get("/console/queue").status_code == 200
    session.expire_all()
    assert utcnow() - session.scalars(select(ConsoleSession.last_seen_at)).one() < timedelta(
        minutes=1
    )


def test_absolute_timeout_ends_even_a_busy_session(app, client, users, session):
    login(client, "ana@example.com")
    policy = app.extensions["console_policy"]
    _age(session, created_at=timedelta(seconds=policy.absolute_seconds + 1))
    assert client.get("/console/queue").status_code == 302
    session.expire_all()
    assert session.scalars(select(ConsoleSession.end_reason)).one() == "expired"


def test_the_session_timeouts_are_settings(app_config, backend):
    app_config.update(session_seconds=120, session_max_seconds=300)
    if backend is None:
        migrate.upgrade(app_config["database_url"])
    else:
        backend.truncate()
    app = create_app(app_config)
    db = app.extensions["contactpro"].db
    with db.session() as rows:
        add_users(rows)
    idle, busy = app.test_client(), app.test_client()
    login(idle, "ana@example.com")
    login(busy, "max@example.com")
    with db.session() as rows:  # 2.5 minutes idle: past 120 s, inside the default 8 h
        rows.execute(update(ConsoleSession).values(last_seen_at=utcnow() - timedelta(seconds=150)))
    assert idle.get("/console/api/queue").status_code == 401
    login(idle, "ana@example.com")
    with db.session() as rows:  # busy but logged in 6 minutes ago: past 300 s
        rows.execute(
            update(ConsoleSession)
            .where(ConsoleSession.end_reason.is_(None))
            .values(created_at=utcnow() - timedelta(seconds=360), last_seen_at=utcnow())
        )
    assert busy.get("/console/api/queue").status_code == 401
    assert idle.get("/console/api/queue").status_code == 401


def test_a_deleted_user_or_unknown_token_is_no_session(app, users, session):
    forged = app.test_client()
    with forged.session_transaction() as cookie:
        cookie["sid"] = "made-up-token"
        cookie["agent_id"] = users["admin"].id  # the old cookie format is not trusted either
    assert forged.get("/console/api/queue").status_code == 401
    assert session.scalars(select(Agent)).first() is not None


def test_a_log_in_clears_sessions_ended_long_ago_and_ends_stale_ones(app, users, session):
    old, stale = app.test_client(), app.test_client()
    csrf = login(old, "ana@example.com")
    old.post("/console/logout", data={"csrf_token": csrf})
    _age(session, ended_at=timedelta(days=31))
    login(stale, "max@example.com")
    policy = app.extensions["console_policy"]
    session.execute(
        update(ConsoleSession)
        .where(ConsoleSession.ended_at.is_(None))
        .values(created_at=utcnow() - timedelta(seconds=policy.absolute_seconds + 60))
    )
    session.commit()
    login(app.test_client(), "ada@example.com")
    session.expire_all()
    rows = session.scalars(select(ConsoleSession).order_by(ConsoleSession.id)).all()
    assert [(row.agent_id, row.end_reason) for row in rows] == [
        (users["manager"].id, "expired"),
        (users["admin"].id, None),
    ]

"""Log-in, roles, CSRF, secure cookies and session expiry, through the test client."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

from contactpro.console.users import UserError, authenticate, create_user, has_role
from contactpro.models import Agent
from tests.webhooks.console.conftest import PASSWORD, login

PAGES = [
    "/console/queue",
    "/console/escalations/1",
    "/console/manager/",
    "/console/manager/customers",
    "/console/manager/conversations",
    "/console/manager/config",
    "/console/manager/customers.csv",
]


def test_every_page_needs_a_login(client):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.location == f"/console/login?next={path}"


def test_json_endpoints_answer_401_not_a_redirect(client):
    for path in ("/console/api/queue", "/console/api/escalations/1"):
        response = client.get(path)
        assert response.status_code == 401 and response.json == {"error": "login required"}


def test_wrong_password_and_unknown_user_are_refused_alike(client, users):
    page = client.get("/console/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    for email, password in (("ana@example.com", "wrong password!"), ("nobody@x.org", PASSWORD)):
        response = client.post(
            "/console/login", data={"email": email, "password": password, "csrf_token": token}
        )
        assert response.status_code == 401
        assert "Correo o contraseña incorrectos" in response.text
    assert client.get("/console/queue").status_code == 302


def test_login_sets_a_secure_httponly_lax_cookie_and_follows_next(client, users):
    client.get("/console/login")
    token = client.get_cookie("contactpro_session")
    assert token is not None
    page = client.get("/console/login?next=/console/escalations/7").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    response = client.post(
        "/console/login?next=/console/escalations/7",
        data={"email": "ANA@example.com", "password": PASSWORD, "csrf_token": csrf},
    )
    assert response.status_code == 302 and response.location == "/console/escalations/7"
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie


def test_next_never_leaves_the_console(client, users):
    page = client.get("/console/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    response = client.post(
        "/console/login?next=https://evil.example/console/x",
        data={"email": "ana@example.com", "password": PASSWORD, "csrf_token": csrf},
    )
    assert response.location == "/console/queue"


def test_posts_without_the_session_csrf_token_are_refused(client, users, session):
    token = login(client, "ana@example.com")
    assert client.post("/console/logout").status_code == 400
    assert client.post("/console/logout", data={"csrf_token": token + "x"}).status_code == 400
    # The header works too (for scripts), and a good token logs out.
    assert client.post("/console/logout", headers={"X-CSRF-Token": token}).status_code == 302
    assert client.get("/console/queue").status_code == 302


def test_login_form_itself_needs_the_csrf_token(client, users):
    response = client.post(
        "/console/login", data={"email": "ana@example.com", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "El formulario caducó" in response.text


def test_agent_cannot_reach_manager_pages_but_manager_and_admin_can(client, users):
    login(client, "ana@example.com")
    for path in ("/console/manager/", "/console/manager/config", "/console/manager/customers.csv"):
        response = client.get(path)
        assert response.status_code == 403 and "solo para supervisores" in response.text
    assert 'href="/console/manager/"' not in client.get("/console/queue").text
    for email in ("max@example.com", "ada@example.com"):
        other = client.application.test_client()
        login(other, email)
        assert other.get("/console/manager/").status_code == 200


def test_session_expires_after_the_configured_idle_time(app_config, app, users):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=1)
    client = app.test_client()
    login(client, "ana@example.com")
    assert client.get("/console/api/queue").status_code == 200
    time.sleep(2.1)
    # The signed cookie is too old: the server refuses it even if a browser kept it.
    assert client.get("/console/api/queue").status_code == 401


def test_session_lifetime_comes_from_the_setting(app_config, backend):
    from webhooks import create_app

    app_config["session_seconds"] = 900
    app = create_app(app_config)
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 900
    app.extensions["contactpro"].db.dispose()


def test_deactivated_user_is_logged_out_on_the_next_request(client, users, session):
    login(client, "ana@example.com")
    agent = session.get(Agent, users["agent"].id)
    agent.active = False
    session.commit()
    assert client.get("/console/queue").status_code == 302
    assert client.get("/console/api/queue").status_code == 401


def test_language_follows_the_user_then_the_query(client, users):
    login(client, "max@example.com")  # lists English first
    assert "Escalation queue" in client.get("/console/queue").text
    assert "Cola de escalamientos" in client.get("/console/queue?lang=es").text
    assert 'lang="es"' in client.get("/console/queue").text  # the choice sticks


def test_console_pages_send_security_headers(client, users):
    login(client, "ana@example.com")
    response = client.get("/console/queue")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_users_are_validated_and_passwords_hashed(session):
    agent = create_user(
        session, email=" Zoe@Example.com ", name="Zoe", password=PASSWORD, phone="+57 310 555 0000"
    )
    assert agent.email == "zoe@example.com" and agent.phone == "+573105550000"
    assert agent.password_hash and PASSWORD not in agent.password_hash
    assert agent.password_hash.startswith("pbkdf2:sha256:1000$")  # (cheap in tests only)
    assert authenticate(session, "zoe@example.com", PASSWORD) is agent
    assert authenticate(session, "zoe@example.com", "nope") is None
    for kwargs, reason in [
        ({"email": "zoe@example.com"}, "duplicate_email"),
        ({"email": "x@y.z", "password": "short"}, "weak_password"),
        ({"email": "x@y.z", "role": "boss"}, "bad_role"),
        ({"email": "not-an-email"}, "bad_email"),
        ({"email": "x@y.z", "languages": "fr"}, "bad_languages"),
        ({"email": "x@y.z", "phone": "call me"}, "bad_phone"),
    ]:
        with pytest.raises(UserError) as caught:
            create_user(session, **{"name": "X", "password": PASSWORD, **kwargs})
        assert caught.value.reason == reason
    assert has_role(agent, "agent") and not has_role(agent, "manager")

"""Console fixtures: users, customers and their matrix scores, a logged-in test client, the
telephony fake, and a real browser.

Browser tests drive Debian's Chromium through Playwright against a live server thread (one per
test module, on SQLite). Without Chromium they are skipped, except under CI where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, make_server

from contactpro import migrate
from contactpro.console.users import create_user
from contactpro.models import Account, Agent, Customer, CustomerScore
from contactpro.providers.telephony import FakeTelephony
from tests.conftest import AUTH_TOKEN, PUBLIC_URL, TwilioClient
from webhooks import create_app

PASSWORD = "correct horse battery"
CHROMIUM = os.environ.get("CONTACTPRO_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("CONTACTPRO_TEST_SCREENSHOTS", "/tmp/contactpro-console-shots"))
LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 820, "height": 1180}
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
_FORM_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash test passwords with few iterations; scrypt's cost would dominate the run."""
    monkeypatch.setattr("contactpro.console.users.HASH_METHOD", "pbkdf2:sha256:1000")


def add_users(session: Session) -> dict[str, Agent]:
    """Create one agent, one manager and one admin (all with the same test password)."""
    users = {
        "agent": create_user(
            session,
            email="ana@example.com",
            name="Ana Agente",
            password=PASSWORD,
            role="agent",
            phone="+573109998877",
        ),
        "manager": create_user(
            session,
            email="max@example.com",
            name="Max Supervisor",
            password=PASSWORD,
            role="manager",
            languages="en,es",
        ),
        "admin": create_user(
            session, email="ada@example.com", name="Ada Admin", password=PASSWORD, role="admin"
        ),
    }
    session.commit()
    return users


def add_customer(
    session: Session,
    phone: str,
    name: str,
    *,
    language: str = "es",
    segment: str = "standard",
    balance: str = "125000",
) -> Customer:
    """Create a customer whose account number is the phone's last ten digits; commit."""
    customer = Customer(
        name=name, phone=phone, preferred_language=language, segment=segment, city="Bogotá"
    )
    account = Account(
        customer=customer,
        number=phone[-10:],
        plan="Hogar Internet 100 Mb",
        monthly_charge=Decimal("89900"),
        currency="COP" if language == "es" else "USD",
        balance=Decimal(balance),
        due_date=date.today() + timedelta(days=10),
        status="active",
    )
    session.add_all([customer, account])
    session.commit()
    return customer


def add_score(
    session: Session,
    customer_id: int,
    quadrant: str,
    conformity: float,
    billing: str,
    *,
    interactions: int,
    **figures: Any,
) -> CustomerScore:
    """Place a customer in a quadrant of the priority matrix as an analysis run would, billed
    ``billing`` a month in the analytics currency; ``figures`` are the score's other columns.
    Commit."""
    score = CustomerScore(
        customer_id=customer_id,
        quadrant=quadrant,
        conformity=conformity,
        billing=Decimal(billing),
        interactions=interactions,
        **figures,
    )
    session.add(score)
    session.commit()
    return score


@pytest.fixture
def users(session: Session) -> dict[str, Agent]:
    """An agent, a manager and an admin in the app's database."""
    return add_users(session)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> str:
    """Log ``client`` in through the form; return the session's CSRF token."""
    page = client.get("/console/login")
    token = _FORM_CSRF.search(page.text)
    assert token, "the log-in form carries a CSRF token"
    response = client.post(
        "/console/login", data={"email": email, "password": password, "csrf_token": token[1]}
    )
    assert response.status_code == 302, response.text
    return csrf_of(client)


def csrf_of(client: FlaskClient) -> str:
    """Return the CSRF token the console pages give this client."""
    match = _CSRF.search(client.get("/console/queue").text)
    assert match
    return match[1]


@pytest.fixture
def telephony(app: Flask) -> FakeTelephony:
    """The app's recording telephony fake."""
    fake = app.extensions["telephony"]
    assert isinstance(fake, FakeTelephony)
    return fake


# -- a real browser ------------------------------------------------------------------------


@dataclass
class LiveServer:
    """The app served over HTTP on a free local port."""

    app: Flask
    url: str
    server: BaseWSGIServer

    def twilio(self) -> TwilioClient:
        """Signed Twilio webhook requests straight to the app."""
        return TwilioClient(self.app.test_client())

    def session(self) -> Session:
        """A database session on the served app's database."""
        return self.app.extensions["contactpro"].db.sessionmaker()


@pytest.fixture(scope="module")
def live_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings a module adds to its live server: its ``LIVE_CONFIG`` mapping, or override this."""
    return dict(getattr(request.module, "LIVE_CONFIG", {}))


@pytest.fixture(scope="module")
def live_server(
    live_config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """Serve a fresh app (SQLite, eager tasks, users created) for one test module."""
    tmp = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{tmp / 'live.sqlite3'}"
    migrate.upgrade(url)
    app = create_app(
        {
            "env": "test",
            "var_dir": str(tmp / "var"),
            "database_url": url,
            "task_always_eager": True,
            "twilio_auth_token": AUTH_TOKEN,
            "public_url": PUBLIC_URL,
            "console_poll_seconds": 1,
            **live_config,
        }
    )
    with app.extensions["contactpro"].db.session() as session:
        add_users(session)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, f"http://localhost:{server.server_port}", server)
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    app.extensions["contactpro"].db.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session (Debian's package, driven by Playwright)."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        reason = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {reason}")
        pytest.skip(reason)
    sync_api = pytest.importorskip("playwright.sync_api")
    playwright = sync_api.sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page_factory(browser: Any, live_server: LiveServer) -> Iterator[Callable[..., Any]]:
    """Open pages in fresh browser contexts (separate cookies) at a given viewport."""
    contexts: list[Any] = []

    def open_page(viewport: dict[str, int] = LAPTOP, locale: str = "es-CO") -> Any:
        context = browser.new_context(viewport=viewport, locale=locale, base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def browser_login(page: Any, email: str, password: str = PASSWORD) -> None:
    """Log in through the form like a person would (keyboard only)."""
    page.goto("/console/login")
    page.get_by_label(re.compile("Correo|E-mail")).fill(email)
    page.get_by_label(re.compile("Contraseña|Password")).fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/console/(queue|manager)"))


def shoot(page: Any, name: str) -> Path:
    """Save a full-page screenshot for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

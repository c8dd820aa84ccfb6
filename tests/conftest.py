"""Shared fixtures: the app on SQLite (always) and on PostgreSQL + Redis + a real worker.

Every test that uses ``app`` runs once per backend. The PostgreSQL backend is used when the
server answers (``CONTACTPRO_TEST_POSTGRES_URL``, default the local ``test`` database's server)
and Redis answers (``CONTACTPRO_TEST_REDIS_URL``); under CI it is required, elsewhere skipped.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from cli import build as build_cli
from contactpro import migrate
from contactpro.models import Account, Base, Customer
from devtools.conversations import SignedClient
from webhooks import create_app

REPO = Path(__file__).resolve().parents[1]
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_URL = "https://contactpro.example.com"
POSTGRES_SERVER = os.environ.get(
    "CONTACTPRO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# One database per test process, so parallel runs on one server never drop each other's.
POSTGRES_TEST_DB = f"contactpro_test_{os.getpid()}"
REDIS_URL = os.environ.get("CONTACTPRO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TASK_QUEUE = f"contactpro-test-{os.getpid()}"
# Converted models (the e5 graph) are kept for the test session and the processes it starts, as a
# server keeps its model cache across restarts: a fresh clone converts once, not in every process.
os.environ.setdefault("CONTACTPRO_MODEL_CACHE_DIR", str(REPO / "var" / "models"))


def _postgres_url(database: str) -> str:
    return POSTGRES_SERVER.rsplit("/", 1)[0] + f"/{database}"


def _services_reachable() -> str | None:
    """Return why PostgreSQL/Redis cannot be used, or None when both answer."""
    try:
        engine = create_engine(POSTGRES_SERVER, connect_args={"connect_timeout": 2})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except OperationalError as exc:
        return f"PostgreSQL unreachable: {exc.__class__.__name__}"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis unreachable: {exc.__class__.__name__}"
    return None


def worker_env(database_url: str, var_dir: Path, queue: str, **extra: str) -> dict[str, str]:
    """The environment of a worker process on ``database_url``, Redis and its own queue."""
    return {
        **os.environ,
        "CONTACTPRO_ENV": "test",
        "CONTACTPRO_DATABASE_URL": database_url,
        "CONTACTPRO_BROKER_URL": REDIS_URL,
        "CONTACTPRO_VAR_DIR": str(var_dir),
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "CONTACTPRO_PUBLIC_URL": PUBLIC_URL,
        "CONTACTPRO_TASK_QUEUE": queue,
        **extra,
    }


def start_worker(
    env: dict[str, str], log: IO[bytes], *, pool: str = "solo", own_group: bool = False
) -> subprocess.Popen[bytes]:
    """Start ``celery -A webhooks.wsgi:celery worker`` (``own_group``: in a new process group,
    so a test can kill it with its pool processes)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "webhooks.wsgi:celery",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=own_group,
    )


class PostgresStack:
    """A fresh test database, a Redis broker database and one real Celery worker process."""

    def __init__(self, tmp: Path) -> None:
        self.url = _postgres_url(POSTGRES_TEST_DB)
        self.tmp = tmp
        self.worker: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        return worker_env(self.url, self.tmp, TASK_QUEUE)

    def start(self) -> None:
        server = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {POSTGRES_TEST_DB} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {POSTGRES_TEST_DB}"))
        server.dispose()
        migrate.upgrade(self.url)
        redis.Redis.from_url(REDIS_URL).delete(TASK_QUEUE)
        self.log = open(self.tmp / "worker.log", "wb")  # noqa: SIM115 - closed in stop()
        self.worker = start_worker(self.env(), self.log)

    def truncate(self) -> None:
        """Empty every table between tests, once the worker has drained the queue.

        Ids are not restarted, so a task left over from an earlier test can never act on a
        later test's rows; a deadlock with such a task is retried.
        """
        queue = redis.Redis.from_url(REDIS_URL)
        deadline = time.monotonic() + 10
        while queue.llen(TASK_QUEUE) and time.monotonic() < deadline:
            time.sleep(0.05)
        engine = create_engine(self.url)
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        for attempt in range(5):
            try:
                with engine.begin() as conn:
                    conn.execute(text("SET LOCAL lock_timeout = '5s'"))
                    conn.execute(text(f"TRUNCATE {tables} CASCADE"))
                break
            except OperationalError:
                if attempt == 4:
                    raise
                time.sleep(0.2)
        engine.dispose()

    def stop(self) -> None:
        self._stop_worker()
        server = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {POSTGRES_TEST_DB} WITH (FORCE)"))
        server.dispose()

    def _stop_worker(self) -> None:
        if self.worker is not None:
            self.worker.terminate()
            try:
                self.worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                self.worker.wait()
            self.log.close()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PostgresStack | None]:
    """The database and broker a test runs on."""
    if request.param == "sqlite":
        yield None
        return
    problem = _services_reachable()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI must test PostgreSQL and Redis: {problem}")
        pytest.skip(problem)
    stack = PostgresStack(tmp_path_factory.mktemp("pg"))
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture
def app_config(backend: PostgresStack | None, tmp_path: Path) -> dict[str, Any]:
    """Settings for the app under test (tests may change them before using ``app``)."""
    config: dict[str, Any] = {
        "env": "test",
        "var_dir": str(tmp_path / "var"),
        "twilio_auth_token": AUTH_TOKEN,
        "public_url": PUBLIC_URL,
        "company_name": "ContactPro",
    }
    if backend is None:
        config["database_url"] = f"sqlite:///{tmp_path / 'test.sqlite3'}"
        config["task_always_eager"] = True
    else:
        config["database_url"] = backend.url
        config["broker_url"] = REDIS_URL
        config["task_queue"] = TASK_QUEUE
    return config


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per test session, copied for each test."""
    path = tmp_path_factory.mktemp("schema") / "head.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def _fresh_sqlite(database_url: str, migrated: Path) -> None:
    """Give ``database_url`` the migrated schema: a copy of ``migrated`` where it is a new file."""
    path = Path(database_url.removeprefix("sqlite:///"))
    if not database_url.startswith("sqlite:///") or path.exists():
        migrate.upgrade(database_url)
        return
    with sqlite3.connect(migrated) as source, sqlite3.connect(path) as target:
        source.backup(target)
    source.close()
    target.close()


@pytest.fixture
def app(
    app_config: dict[str, Any], backend: PostgresStack | None, request: pytest.FixtureRequest
) -> Iterator[Flask]:
    """The Flask app on a migrated, empty database."""
    if backend is None:
        _fresh_sqlite(app_config["database_url"], request.getfixturevalue("migrated_sqlite"))
    else:
        backend.truncate()
    app = create_app(app_config)
    yield app
    app.extensions["contactpro"].db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for the ``contactpro`` commands on the app under test."""
    return ContactproCliRunner(app)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A database session on the app's database (tests commit what they create)."""
    session = app.extensions["contactpro"].db.sessionmaker()
    yield session
    session.close()


class ContactproCliRunner(FlaskCliRunner):
    """Invoke the ``contactpro`` group (every registered command) on the app under test."""

    def invoke(self, cli: Any = None, args: Any = None, **kwargs: Any) -> Any:  # noqa: D102
        return super().invoke(cli or build_cli(), args, **kwargs)


class TwilioClient(SignedClient):
    """Post webhook requests signed exactly as Twilio signs them."""

    def __init__(self, client: FlaskClient, token: str = AUTH_TOKEN) -> None:
        super().__init__(client, token, PUBLIC_URL)


@pytest.fixture
def twilio(client: FlaskClient) -> TwilioClient:
    """Signed Twilio-style requests to the app."""
    return TwilioClient(client)


def make_customer(
    session: Session,
    *,
    phone: str = "+573001112233",
    name: str = "Camila Rojas Pérez",
    language: str = "es",
    balance: str = "125000",
    currency: str = "COP",
    segment: str = "standard",
    due_in_days: int = 10,
) -> Customer:
    """Create a customer with one active account and commit."""
    customer = Customer(
        name=name,
        phone=phone,
        national_id="1020304050",
        national_id_type="CC",
        birth_year=1988,
        preferred_language=language,
        segment=segment,
        city="Bogotá",
    )
    account = Account(
        customer=customer,
        number="0000120451",
        plan="Hogar Internet 100 Mb",
        monthly_charge=Decimal("89900"),
        currency=currency,
        balance=Decimal(balance),
        due_date=date.today() + timedelta(days=due_in_days),
        status="active",
    )
    session.add_all([customer, account])
    session.commit()
    return customer


@pytest.fixture
def customer_factory(session: Session) -> Callable[..., Customer]:
    """Create customers with accounts: ``customer_factory(phone=..., language=...)``."""
    return lambda **kw: make_customer(session, **kw)


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1) -> Any:
    """Poll until ``predicate()`` is truthy (a worker process may still be running a task)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


TWILIO_ACCOUNT_SID = "AC" + "b" * 32


class FakeTwilioApi:
    """Answers ``/2010-04-01/Accounts/{sid}/Messages.json`` and ``Calls/{sid}.json`` like Twilio."""

    def __init__(self) -> None:
        self.requests: list[dict[str, object]] = []

    def __call__(self, environ, start_response):  # noqa: ANN001 - WSGI
        request = Request(environ)
        form = {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}
        user, _, password = (
            base64.b64decode(request.headers["Authorization"].split()[1]).decode().partition(":")
        )
        self.requests.append({"path": request.path, "form": form, "auth": (user, password)})
        prefix = f"/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/"
        if request.path == prefix + "Messages.json" and form.get("To") != "+15005550001":
            body, status = {"sid": "SM" + "1" * 32, "status": "queued", "to": form["To"]}, 201
        elif request.path.startswith(prefix + "Calls/CA") and request.path.endswith(".json"):
            call_sid = request.path.rsplit("/", 1)[1].removesuffix(".json")
            body, status = {"sid": call_sid, "status": "in-progress"}, 200
        else:
            body = {"code": 21211, "message": "The 'To' number is not valid.", "status": 400}
            status = 400
        return Response(json.dumps(body), status=status, mimetype="application/json")(
            environ, start_response
        )


@pytest.fixture
def twilio_api() -> Iterator[tuple[FakeTwilioApi, str]]:
    """A local server speaking Twilio's REST API: the fake and its base URL."""
    api = FakeTwilioApi()
    server = make_server("127.0.0.1", 0, api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield api, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


@contextlib.contextmanager
def serve_http(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free local port in a thread; yield the base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)

"""Fault injection helpers: stop and restart the real PostgreSQL and Redis, always restarting."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest
import redis
from flask import Flask
from sqlalchemy import create_engine, text

from contactpro import migrate
from tests.conftest import (
    AUTH_TOKEN,
    POSTGRES_SERVER,
    PUBLIC_URL,
    REDIS_URL,
    _services_reachable,
    start_worker,
)
from webhooks import create_app

DEAD_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:9/contactpro"
DEAD_REDIS = "redis://127.0.0.1:9/0"


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_port(port: int, up: bool, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while _port_open(port) != up:
        if time.monotonic() > deadline:
            raise AssertionError(f"port {port} did not go {'up' if up else 'down'}")
        time.sleep(0.1)


def _pg_cluster() -> str:
    return sorted(os.listdir("/etc/postgresql"))[0]


def start_postgres() -> None:
    """Start the local PostgreSQL cluster (no-op when it runs)."""
    if not _port_open(5432):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", _pg_cluster(), "main", "start"],
            check=False,
        )
    _wait_port(5432, True)


def start_redis() -> None:
    """Start the local Redis as CI does (no-op when it runs)."""
    if not _port_open(6379):
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "-::1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                "/var/lib/redis",
                "--logfile",
                "/var/log/redis/ci.log",
            ],
            check=False,
        )
    _wait_port(6379, True)


@contextmanager
def postgres_stopped() -> Iterator[None]:
    """Stop PostgreSQL for the block; it is started again whatever happens."""
    try:
        subprocess.run(
            [
                "pg_ctlcluster",
                "--skip-systemctl-redirect",
                _pg_cluster(),
                "main",
                "stop",
                "--",
                "-m",
                "fast",
            ],
            check=True,
        )
        _wait_port(5432, False)
        yield
    finally:
        start_postgres()


@contextmanager
def redis_stopped() -> Iterator[None]:
    """Stop Redis for the block; it is started again whatever happens."""
    try:
        subprocess.run(["redis-cli", "shutdown", "nosave"], check=False, capture_output=True)
        _wait_port(6379, False)
        yield
    finally:
        start_redis()


@pytest.fixture
def services() -> None:
    """Skip (or fail under CI) when the real PostgreSQL and Redis do not answer."""
    problem = _services_reachable()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI must test PostgreSQL and Redis: {problem}")
        pytest.skip(problem)


def sqlite_config(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    """Settings for an app on its own SQLite file with eager tasks."""
    return {
        "env": "test",
        "var_dir": str(tmp_path / "var"),
        "twilio_auth_token": AUTH_TOKEN,
        "public_url": PUBLIC_URL,
        "database_url": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "task_always_eager": True,
        **extra,
    }


def migrated(app: Flask) -> Flask:
    """Create the app's schema and return the app."""
    migrate.upgrade(app.extensions["contactpro"].settings.database_url)
    return app


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test alone."""
    name = f"contactpro_fault_{os.getpid()}_{id(tmp_path) % 100000}"
    server = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = POSTGRES_SERVER.rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(url)
    server.dispose()  # the test may restart the server: drop with a fresh connection
    yield url
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    server.dispose()


class Workers:
    """Real worker processes, each in its own process group; all killed at the end."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.started: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"worker-{len(self.started)}.log", "wb")  # noqa: SIM115
        worker = start_worker(self.env, log, pool="prefork", own_group=True)
        self.started.append((worker, log))
        return worker

    def log(self, n: int) -> str:
        return (self.logs / f"worker-{n}.log").read_text(errors="replace")

    def stop(self) -> None:
        for worker, log in self.started:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
            log.close()


@pytest.fixture
def task_queue(tmp_path: Path) -> Iterator[str]:
    """A Celery queue of this test's own on the real Redis, empty before and after."""
    name = f"contactpro-fault-{os.getpid()}-{id(tmp_path) % 100000}"
    keys = [name, *(f"{name}.{k}" for k in ("unacked", "unacked_index", "unacked_mutex"))]
    broker = redis.Redis.from_url(REDIS_URL)
    broker.delete(*keys)
    yield name
    broker.delete(*keys)


def broker_app(tmp_path: Path, database_url: str, task_queue: str) -> Flask:
    """An app on ``database_url`` that sends its tasks to Redis, to ``task_queue``."""
    return create_app(
        sqlite_config(
            tmp_path,
            database_url=database_url,
            broker_url=REDIS_URL,
            task_queue=task_queue,
            task_always_eager=False,
        )
    )

"""Run and set up the server: ``init-db``, ``serve``, ``worker``, ``beat``.

The web app and the task modules are imported inside the commands, so ``-h`` answers at once.

Whichever process runs the periodic schedule (``beat``, ``worker --beat`` or the beat embedded
in ``serve``) holds a lock in CONTACTPRO_VAR_DIR for its life: a second one would send every
periodic task twice, so ``beat`` and ``worker --beat`` refuse to start, and ``serve`` starts
without its beat.
"""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import socket
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from kombu.utils.url import maybe_sanitize_url
from werkzeug.serving import run_simple

from cli.context import runtime
from cli.database import problem
from cli.errors import one_line_errors
from cli.files import named_file
from contactpro import migrate
from contactpro.config import Settings

# What the broker check waits for: one attempt, then the operator is told.
BROKER_CHECK_SECONDS = 3.0

# Held, in CONTACTPRO_VAR_DIR, by the process that runs the periodic schedule; it holds who.
SCHEDULE_LOCK = "beat.lock"


@click.command("init-db")
@with_appcontext
@one_line_errors
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    url = runtime().settings.database_url
    migrate.upgrade(url)
    click.echo(f"database at revision {migrate.current_revision(url)}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--worker/--no-worker",
    default=True,
    show_default=True,
    help="With the embedded broker, also run a Celery worker in this process.",
)
@with_appcontext
@one_line_errors
def serve(host: str, port: int, worker: bool) -> None:
    """Run the development server (production: gunicorn 'webhooks.wsgi:app')."""
    from tasks import start_embedded_worker  # noqa: PLC0415 - see the module
    from webhooks import warm_up, warm_worker  # noqa: PLC0415

    found = problem(runtime().settings.database_url)
    if found:
        raise click.ClickException(found)
    _check_address(host, port)  # before the embedded worker and beat start, not after
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    warm_up(app)
    warm_worker(app)  # one process, no fork: it answers every request itself
    stop = None
    if worker and runtime().settings.embedded_broker:
        holder = take_schedule(runtime().settings, "contactpro serve")
        stop = start_embedded_worker(app.extensions["celery"], beat=holder is None)
        click.echo("embedded Celery worker started")
        if holder is not None:
            click.secho(
                f"Warning: embedded beat not started: {holder} already runs the periodic tasks "
                "on this CONTACTPRO_VAR_DIR",
                fg="yellow",
                err=True,
            )
    # A stop request (systemd, docker, kill) unwinds like Ctrl-C, so the worker and beat end.
    signal.signal(signal.SIGTERM, _raise_exit)
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        if stop:
            stop()


def _check_address(host: str, port: int) -> None:
    """Stop with one line unless ``host:port`` can be listened on (as the server binds it).

    Otherwise the server fails only after its embedded worker and beat started, which take
    tasks from the queue of the server already running there.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            fix = (
                "another program (a `contactpro serve`?) listens there: stop it, "
                "or pick another --port"
            )
        elif exc.errno == errno.EACCES:
            fix = "ports below 1024 need privileges: pick another --port"
        else:
            fix = "give --host an address of this machine (127.0.0.1, or 0.0.0.0 for all)"
        raise click.ClickException(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}): {fix}"
        ) from None


def _raise_exit(signum: int, frame: object) -> None:
    raise SystemExit(0)


def take_schedule(settings: Settings, command: str) -> str | None:
    """Take the schedule lock for the rest of this process as ``command``; return None, or the
    process holding it instead (``contactpro serve`` (pid 4242)).

    An ``flock``: the system releases it when its process ends, however it ends.
    """
    path = Path(settings.var_dir) / SCHEDULE_LOCK
    with named_file(path, "write"):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 200).decode(errors="replace").strip()
        os.close(fd)
        return holder or "another process"
    os.ftruncate(fd, 0)
    os.write(fd, f"`{command}` (pid {os.getpid()})".encode())
    return None  # the descriptor stays open: closing it would release the lock


def _refuse_second_schedule(settings: Settings, command: str) -> None:
    """Stop with one line when another process of this CONTACTPRO_VAR_DIR runs the schedule."""
    holder = take_schedule(settings, command)
    if holder is not None:
        raise click.ClickException(
            f"{holder} already runs the periodic tasks on this CONTACTPRO_VAR_DIR: a second "
            "beat would send each of them twice. Leave the schedule to it, or stop it first"
        )


@click.command("worker", context_settings={"ignore_unknown_options": True})
@click.option("--concurrency", "-c", default=2, show_default=True, type=click.IntRange(min=1))
@click.option("--beat", "-B", is_flag=True, help="Also run the periodic scheduler.")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
@one_line_errors
def worker(concurrency: int, beat: bool, celery_args: tuple[str, ...]) -> None:
    """Run a Celery worker for this app's broker."""
    from webhooks import warm_up  # noqa: PLC0415 - see the module

    _check_before_tasks(runtime().settings)
    if beat:
        _refuse_second_schedule(runtime().settings, "contactpro worker --beat")
    warm_up(current_app._get_current_object())  # type: ignore[attr-defined]
    argv = ["worker", "--loglevel=INFO", f"--concurrency={concurrency}", *celery_args]
    if beat:
        argv.append("--beat")
    current_app.extensions["celery"].worker_main(argv)


@click.command("beat")
@with_appcontext
@one_line_errors
def beat() -> None:
    """Run the Celery beat scheduler (one per deployment)."""
    _check_before_tasks(runtime().settings)
    _refuse_second_schedule(runtime().settings, "contactpro beat")
    current_app.extensions["celery"].start(["beat", "--loglevel=INFO"])


def _check_before_tasks(settings: Settings) -> None:
    """Refuse to run tasks on a database ``serve`` would refuse, or without a broker.

    Celery alone retries an unreachable broker for minutes; this tries once and says the fix.
    """
    found = problem(settings.database_url)
    if found:
        raise click.ClickException(found)
    if settings.embedded_broker:
        return
    celery = current_app.extensions["celery"]
    try:
        with celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_CHECK_SECONDS)
    except Exception as exc:  # noqa: BLE001 - any transport's failure: one line, not a traceback
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise click.ClickException(
            f"cannot reach the broker at {maybe_sanitize_url(settings.broker_url)}: {reason}"
            " — start Redis or fix CONTACTPRO_BROKER_URL"
        ) from None

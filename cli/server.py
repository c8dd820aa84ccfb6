"""Run and set up the server: ``init-db``, ``serve``, ``worker``, ``beat``."""

from __future__ import annotations

import signal

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from cli.context import runtime
from cli.database import problem
from contactpro import migrate
from tasks import start_embedded_worker
from webhooks import warm_up, warm_worker


@click.command("init-db")
@with_appcontext
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
def serve(host: str, port: int, worker: bool) -> None:
    """Run the development server (production: gunicorn 'webhooks.wsgi:app')."""
    found = problem(runtime().settings.database_url)
    if found:
        raise click.ClickException(found)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    warm_up(app)
    warm_worker(app)  # one process, no fork: it answers every request itself
    stop = None
    if worker and runtime().settings.embedded_broker:
        stop = start_embedded_worker(app.extensions["celery"])
        click.echo("embedded Celery worker started")
    # A stop request (systemd, docker, kill) unwinds like Ctrl-C, so the worker and beat end.
    signal.signal(signal.SIGTERM, _raise_exit)
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        if stop:
            stop()


def _raise_exit(signum: int, frame: object) -> None:
    raise SystemExit(0)


@click.command("worker", context_settings={"ignore_unknown_options": True})
@click.option("--concurrency", "-c", default=2, show_default=True, type=click.IntRange(min=1))
@click.option("--beat", "-B", is_flag=True, help="Also run the periodic scheduler.")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
def worker(concurrency: int, beat: bool, celery_args: tuple[str, ...]) -> None:
    """Run a Celery worker for this app's broker."""
    warm_up(current_app._get_current_object())  # type: ignore[attr-defined]
    argv = ["worker", "--loglevel=INFO", f"--concurrency={concurrency}", *celery_args]
    if beat:
        argv.append("--beat")
    current_app.extensions["celery"].worker_main(argv)


@click.command("beat")
@with_appcontext
def beat() -> None:
    """Run the Celery beat scheduler (one per deployment)."""
    current_app.extensions["celery"].start(["beat", "--loglevel=INFO"])

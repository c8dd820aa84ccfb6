"""Celery wiring: the app bound to Flask, the embedded broker, and safe task dispatch.

Tasks are thin shells around ``contactpro`` functions; they run inside the Flask app context so
they can reach the process :class:`~contactpro.runtime.Runtime`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from celery import Celery, Task
from celery import current_app as current_celery_app
from celery.beat import EmbeddedService
from celery.signals import setup_logging, task_failure, worker_process_init
from flask import Flask, current_app
from kombu.exceptions import KombuError
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError

from contactpro.config import Settings
from contactpro.db import UNWRITABLE, is_database_down
from contactpro.errors import ConfigError, file_problem
from contactpro.observability.logs import configure_logging
from contactpro.observability.metrics import OUTBOX_SENT, OUTBOXED, TASK_FAILURES
from contactpro.resilience.outbox import Outbox, OutboxTask
from contactpro.runtime import Runtime
from tasks.schedule import beat_schedule

log = logging.getLogger(__name__)

# A task whose database is unreachable runs again later, up to this many times (about 20 min).
DATABASE_RETRIES = 8

TASK_MODULES = [
    "tasks.interactions",
    "tasks.analytics",
    "tasks.voice",
    "tasks.messaging",
    "tasks.outbox",
    "tasks.alerts",
    "tasks.improve",
    "tasks.privacy",
]


def runtime() -> Runtime:
    """Return the settings and database of the app this task runs in."""
    return current_app.extensions["contactpro"]


def broker_options(settings: Settings) -> dict[str, Any]:
    """Return Celery's broker settings; ``embedded`` means a folder queue, no server."""
    if not settings.embedded_broker:
        queue = settings.task_queue
        return {
            "broker_url": settings.broker_url,
            "broker_connection_timeout": 3,
            "broker_connection_retry_on_startup": True,
            "broker_transport_options": {
                # Redis: a task not acknowledged within this is given to another worker, which
                # is how a killed worker's task comes back (tasks are acknowledged late).
                "visibility_timeout": settings.task_visibility_timeout,
                # Workers restore every unacknowledged message they find older than their own
                # timeout; keeping them per queue means a deployment sharing this Redis never
                # restores another's running tasks with a shorter timeout.
                "unacked_key": f"{queue}.unacked",
                "unacked_index_key": f"{queue}.unacked_index",
                "unacked_mutex_key": f"{queue}.unacked_mutex",
            },
        }
    folder = Path(settings.var_dir) / "broker"
    queue, processed, control = folder / "queue", folder / "processed", folder / "control"
    for path in (queue, processed, control):
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # CONTACTPRO_VAR_DIR runs through a file, or is read-only
            raise ConfigError(file_problem(path, exc, "write"), reason=UNWRITABLE) from None
    return {
        # A host named, which the folder transport ignores: kombu warns when none is.
        "broker_url": "filesystem://localhost/",
        "broker_transport": "tasks.broker:Transport",
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(processed),
            "control_folder": str(control),
            "store_processed": False,
            "polling_interval": 0.1,
        },
    }


def database_retry_delay(settings: Settings, retries: int) -> int:
    """Seconds before a task the database could not take runs again (5 s doubling, capped).

    Capped at half the visibility timeout: a Redis broker would deliver a later retry twice.
    """
    return max(1, min(settings.task_visibility_timeout // 2, 5 * 2**retries))


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app for ``app`` and register it as ``app.extensions['celery']``."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                try:
                    return self.run(*args, **kwargs)
                except DBAPIError as exc:
                    if not is_database_down(exc) or self.request.called_directly:
                        raise
                    raise self.retry(
                        exc=exc,
                        countdown=database_retry_delay(settings, self.request.retries),
                        max_retries=DATABASE_RETRIES,
                    ) from None

    settings: Settings = app.extensions["contactpro"].settings
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.conf.update(
        **broker_options(settings),
        task_default_queue=settings.task_queue,
        task_ignore_result=True,
        result_backend=None,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        task_always_eager=settings.task_always_eager,
        task_eager_propagates=True,
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        beat_schedule=beat_schedule(settings),
        beat_scheduler="tasks.beat:Scheduler",  # one line, not a traceback, for a broker down
        beat_schedule_filename=str(Path(settings.var_dir) / "celerybeat-schedule"),
        timezone="UTC",
        include=TASK_MODULES,
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    celery_app.flask_app = app  # type: ignore[attr-defined]  # for the pool processes
    for module in TASK_MODULES:
        __import__(module)
    return celery_app


@setup_logging.connect
def _log_like_the_web(loglevel: int | str | None = None, **_: object) -> None:
    """Workers and beat keep the app's log lines (JSON or text, with ``extra=`` fields such as
    ``interaction_id`` and ``reason``): Celery's own handler would print the message alone."""
    configure_logging(
        level=loglevel or "INFO", log_format=os.environ.get("CONTACTPRO_LOG_FORMAT", "auto")
    )


@worker_process_init.connect
def _own_connections(**_: object) -> None:
    """A forked pool process must not use the parent's database connections (one killed
    mid-transaction would leave the next pool process a connection it cannot use)."""
    app = getattr(current_celery_app, "flask_app", None)
    if app is not None:
        app.extensions["contactpro"].db.dispose(close=False)


@task_failure.connect
def _count_failure(
    sender: Task | None = None, exception: BaseException | None = None, **_: object
) -> None:
    """Count every task that raised, by task and error, for the metrics endpoint."""
    name = sender.name if sender is not None else "unknown"
    TASK_FAILURES.labels(name, type(exception).__name__).inc()


def send(task: Any, *args: object) -> bool:
    """Queue ``task`` after the caller's transaction committed; never fail the request.

    Returns False when the broker is unreachable: the task then waits in the outbox and
    :func:`flush_outbox` sends it once the broker answers (after the next successful send, and
    from the beat schedule).
    """
    outbox = Outbox.for_settings(runtime().settings)
    try:
        task.apply_async(args=args)
    except (KombuError, OSError, RedisError) as exc:
        log.warning("could not queue task", extra={"task": task.name, "error": str(exc)})
        outbox.put(task.name, list(args))
        OUTBOXED.labels(task.name).inc()
        return False
    if outbox.has_pending():
        _flush_soon()
    return True


_flushing = threading.Lock()


def flush_outbox(celery_app: Celery | None = None) -> tuple[int, int]:
    """Send the tasks the outbox holds, in order; return (sent, still waiting)."""
    app = celery_app or current_app.extensions["celery"]

    def publish(item: OutboxTask) -> bool:
        try:
            app.send_task(item.name, args=item.args)
        except (KombuError, OSError, RedisError):
            return False
        OUTBOX_SENT.inc()
        return True

    return Outbox.for_settings(runtime().settings).drain(publish)


def _flush_soon() -> None:
    """Flush the outbox in a background thread (one at a time per process)."""
    if not _flushing.acquire(blocking=False):
        return
    flask_app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        try:
            with flask_app.app_context():
                flush_outbox()
        finally:
            _flushing.release()

    threading.Thread(target=run, name="outbox-flush", daemon=True).start()


def start_embedded_worker(celery_app: Celery, *, beat: bool = True) -> Callable[[], None]:
    """Run a worker (and beat) in threads of this process; return a function that stops it.

    Beat runs as a thread, not as the worker's own beat (a forked process that outlives a
    killed parent and makes two beats after a restart).
    """
    worker = celery_app.WorkController(
        pool_cls="threads",
        concurrency=2,
        beat=False,
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
        loglevel="WARNING",
    )
    thread = threading.Thread(target=worker.start, name="celery-embedded", daemon=True)
    thread.start()
    scheduler = EmbeddedService(celery_app, thread=True) if beat else None
    if scheduler is not None:
        scheduler.start()

    def stop() -> None:
        if scheduler is not None:
            scheduler.stop()
        worker.stop(in_sighandler=False)
        thread.join(timeout=10)

    return stop

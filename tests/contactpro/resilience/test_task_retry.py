"""A task whose database is unreachable runs again later instead of failing for good.

Every task runs inside the base task of ``tasks.celery_init_app``: a connection error (not a bad
query) schedules a retry with a growing delay, so a call closed, a voicemail transcribed or an
analysis run while PostgreSQL restarts still happens once it is back.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from celery.exceptions import Retry
from sqlalchemy import select

from contactpro.conversations import interactions
from contactpro.models import Interaction
from tasks import DATABASE_RETRIES, database_retry_delay, send
from tasks.voice import close_call
from tests.conftest import wait_for, worker_env
from tests.contactpro.resilience.conftest import (
    DEAD_POSTGRES,
    Workers,
    broker_app,
    postgres_stopped,
    sqlite_config,
)
from webhooks import create_app

CALL_SID = "CA" + "d" * 32


def test_unreachable_database_schedules_a_retry(tmp_path: Path) -> None:
    app = create_app(sqlite_config(tmp_path, database_url=DEAD_POSTGRES))
    with app.app_context(), pytest.raises(Retry) as retry:
        close_call.apply(args=(1, "completed"))
    assert retry.value.when == 5
    assert "connection" in str(retry.value.exc)


def test_retry_delay_grows_and_stays_under_the_visibility_timeout(tmp_path: Path) -> None:
    settings = create_app(sqlite_config(tmp_path)).extensions["contactpro"].settings
    delays = [database_retry_delay(settings, n) for n in range(DATABASE_RETRIES)]
    assert delays[:4] == [5, 10, 20, 40]
    assert max(delays) == settings.task_visibility_timeout // 2
    assert sum(delays) > 15 * 60, "retries outlast a long database restart"


@pytest.mark.postgres
@pytest.mark.usefixtures("services")
def test_task_sent_while_postgres_is_down_runs_once_it_is_back(
    tmp_path: Path, database: str, task_queue: str
) -> None:
    workers = Workers(worker_env(database, tmp_path / "worker-var", task_queue), tmp_path)
    app = broker_app(tmp_path, database, task_queue)
    db = app.extensions["contactpro"].db
    with db.session() as session:
        call = interactions.open_interaction(
            session,
            app.extensions["contactpro"].settings,
            channel="voice",
            sid=CALL_SID,
            from_number="+573001112233",
            to_number="+15550001000",
        )
        call_id = call.id
    try:
        workers.start()
        with postgres_stopped():
            with app.app_context():
                assert send(close_call, call_id, "completed")
            wait_for(lambda: "Retry in 5s" in workers.log(0), timeout=60)
            time.sleep(1.0)
        db.dispose()  # the pool's connections died with the server

        def closed() -> bool:
            with db.session() as session:
                interaction = session.scalars(
                    select(Interaction).where(Interaction.id == call_id)
                ).one()
                return interaction.status == "closed"

        wait_for(closed, timeout=90)
        assert "OperationalError" in workers.log(0)
    finally:
        workers.stop()
        db.dispose()

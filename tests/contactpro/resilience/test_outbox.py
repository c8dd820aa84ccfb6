"""The outbox: with the broker down tasks wait on disk and are sent once it answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from contactpro.resilience.outbox import Outbox, OutboxTask
from tasks import flush_outbox, send
from tasks.interactions import close_interaction
from tests.conftest import REDIS_URL
from tests.contactpro.resilience.conftest import DEAD_REDIS, migrated, redis_stopped, sqlite_config
from webhooks import create_app


def test_drain_stops_at_the_first_refusal_and_keeps_order(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    for n in range(4):
        box.put("contactpro.interactions.close", [n])
    seen: list[object] = []

    def refuse_third(task: OutboxTask) -> bool:
        if len(seen) == 2:
            return False
        seen.append(task.args[0])
        return True

    assert box.drain(refuse_third) == (2, 2)
    box.put("contactpro.interactions.close", [4])
    assert box.count() == 3
    assert box.drain(lambda task: bool(seen.append(task.args[0])) or True) == (3, 0)
    assert seen == [0, 1, 2, 3, 4] and not box.has_pending()


def test_tasks_being_sent_still_count_as_waiting(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    for n in range(3):
        box.put("contactpro.interactions.close", [n])
    counted: list[int] = []

    def send_and_count(task: OutboxTask) -> bool:
        counted.append(box.count())
        return True

    assert box.drain(send_and_count) == (3, 0)
    assert counted == [3, 3, 3]  # what health reports while a drain runs
    assert box.count() == 0 and not box.has_pending()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_drain_cut_off_by_a_killed_process_is_sent_by_the_next(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    box.put("contactpro.interactions.close", [3])
    (tmp_path / f"claimed-{_dead_pid()}-0f.jsonl").write_text(
        '{"name": "contactpro.interactions.close", "args": [1]}\n'
        '{"name": "contactpro.interactions.close", "args": [2]}\n'
    )
    assert box.count() == 3 and box.has_pending()
    seen: list[object] = []
    assert box.drain(lambda task: bool(seen.append(task.args[0])) or True) == (3, 0)
    assert seen == [1, 2, 3]  # the cut-off drain's tasks are older: they go first
    assert list(tmp_path.glob("*.jsonl")) == []


def test_a_drain_still_running_elsewhere_is_left_alone(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    running = tmp_path / f"claimed-{os.getpid()}-0f.jsonl"
    running.write_text('{"name": "contactpro.interactions.close", "args": [1]}\n')
    assert box.count() == 1
    assert box.drain(lambda task: True) == (0, 0)
    assert running.exists()
    old = time.time() - 301
    os.utime(running, (old, old))  # a claim this old is taken over whoever holds it
    assert box.drain(lambda task: True) == (1, 0)
    assert not running.exists()


def test_unreachable_broker_fails_fast_into_the_outbox(tmp_path: Path) -> None:
    app = migrated(
        create_app(sqlite_config(tmp_path, broker_url=DEAD_REDIS, task_always_eager=False))
    )
    with app.app_context():
        started = time.perf_counter()
        assert send(close_interaction, 41, "call_ended") is False
        assert time.perf_counter() - started < 1.0
        assert Outbox.for_settings(app.extensions["contactpro"].settings).count() == 1
        assert flush_outbox() == (0, 1)


@pytest.mark.postgres
@pytest.mark.usefixtures("services")
def test_redis_restart_sends_the_kept_tasks(tmp_path: Path) -> None:
    queue = f"contactpro-outbox-{id(tmp_path) % 100000}"
    app = migrated(
        create_app(
            sqlite_config(tmp_path, broker_url=REDIS_URL, task_queue=queue, task_always_eager=False)
        )
    )
    client = redis.Redis.from_url(REDIS_URL)
    try:
        with app.app_context():
            assert send(close_interaction, 1, "call_ended") is True
            with redis_stopped():
                started = time.perf_counter()
                sent = [send(close_interaction, n, "call_ended") for n in (2, 3, 4)]
                assert time.perf_counter() - started < 3.0
                assert sent == [False, False, False]
            outbox = Outbox.for_settings(app.extensions["contactpro"].settings)
            assert outbox.count() == 3
            assert send(close_interaction, 5, "call_ended") is True  # and flushes behind it
            deadline = time.monotonic() + 10
            while outbox.count() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert outbox.count() == 0
            # Task 1 was in Redis's memory, which this Redis (--save "") does not keep across a
            # restart: production Redis needs appendonly (docs/operations.md). The rest arrived.
            assert client.llen(queue) == 4
    finally:
        client.delete(queue)

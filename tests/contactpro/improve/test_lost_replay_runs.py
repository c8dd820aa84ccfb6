"""A replay whose process vanished (``kill -9``, a lost worker) is shown failed, not running."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.db import Database
from contactpro.improve import runs
from contactpro.models import ImproveRun, utcnow
from tests.contactpro.improve.test_interrupted_replay_and_own_case import _interrupted_run

LOST = {
    "es": "el proceso de la repetición terminó antes de acabarla",
    "en": "process ended before it finished (it was killed",
}


def _dead_pid() -> int:
    """The id of a process of this machine that was killed outright and is gone."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    child.kill()
    child.wait()
    return child.pid


def _running(session: Session, **owner: Any) -> int:
    run = ImproveRun(kind="replay", status="running", params={}, done=25, total=400, **owner)
    session.add(run)
    session.commit()
    return run.id


def test_a_replay_killed_outright_is_failed_when_runs_are_listed(tmp_path: Path) -> None:
    """``kill -9`` during ``contactpro improve replay``: the next listing shows it failed."""
    process, database = _interrupted_run(tmp_path, signal.SIGKILL)
    assert process.returncode == -signal.SIGKILL
    db = Database(f"sqlite:///{database}")
    try:
        with db.session() as s:
            [row] = s.scalars(select(ImproveRun)).all()
            assert row.status == "running"  # nothing could mark it: it was killed outright
            assert row.host == socket.gethostname() and row.pid == process.pid
            assert row.heartbeat_at is not None
        with db.session() as s:
            [listed] = runs.latest_runs_in(s)
            assert listed.status == "failed" and listed.finished_at is not None
        with db.session() as s:
            [row] = s.scalars(select(ImproveRun)).all()
            assert row.status == "failed"  # stored, not only shown
            assert row.error == (
                "the replay's process ended before it finished (killed, or its machine stopped)"
            )
            assert row.results == {"error": {"key": "perr_replay_lost", "values": {}}}
    finally:
        db.dispose()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_console_shows_a_lost_run_failed_and_stops_refreshing(
    app: Flask,
    manager: tuple[Any, str],
    session: Session,
    lang: str,
) -> None:
    """The run's page and the overview say why in the page's language; no more refresh."""
    client, _ = manager
    run_id = _running(session, host=socket.gethostname(), pid=_dead_pid(), heartbeat_at=utcnow())
    page = client.get(f"/console/manager/improve/runs/{run_id}?lang={lang}").text
    assert LOST[lang] in page
    assert LOST["en" if lang == "es" else "es"] not in page
    assert 'http-equiv="refresh"' not in page
    assert "perr_replay_lost" not in page
    overview = client.get(f"/console/manager/improve/?lang={lang}").text
    assert LOST[lang] in overview
    session.expire_all()
    stored = session.get(ImproveRun, run_id)
    assert stored is not None and stored.status == "failed"


def test_a_run_alive_or_recently_heard_from_stays_running(app: Flask, session: Session) -> None:
    """This process's own run, and a worker elsewhere that reported lately, are left alone;
    a worker elsewhere silent for longer than any stretch of a replay is taken for lost."""
    here = socket.gethostname()
    now = utcnow()
    alive = _running(session, host=here, pid=os.getpid(), heartbeat_at=now)
    elsewhere = _running(
        session, host="worker-2", pid=os.getpid(), heartbeat_at=now - timedelta(minutes=5)
    )
    silent = _running(
        session,
        host="worker-3",
        pid=os.getpid(),
        heartbeat_at=now - runs.SILENT_FOR - timedelta(minutes=1),
    )
    assert runs.fail_lost_runs(session) == [silent]
    session.commit()
    statuses = {r.id: r.status for r in session.scalars(select(ImproveRun))}
    assert statuses == {alive: "running", elsewhere: "running", silent: "failed"}


def test_a_new_replay_fails_the_lost_one_first(app: Flask, session: Session, tmp_path: Path):
    """Starting another replay is when an operator looks: the lost run is failed by then."""
    gone = _running(session, host=socket.gethostname(), pid=_dead_pid(), heartbeat_at=utcnow())
    rt = app.extensions["contactpro"]
    runs.create_run(rt.db, runs.ReplayRequest(str(tmp_path), str(tmp_path / "out"), "d.jsonl"))
    session.expire_all()
    stored = session.get(ImproveRun, gone)
    assert stored is not None and stored.status == "failed"

"""Replay runs as rows: queued by the console or the CLI, run here, progress stored as they go."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.db import Database
from contactpro.errors import ContactProError, NotFoundError
from contactpro.improve import dataset, exports, metrics, rank, replay, store
from contactpro.improve.dataset import Conversation
from contactpro.improve.proposed import read_proposed
from contactpro.models import ImproveRun, utcnow
from contactpro.nlu.cascade import get_cascade

log = logging.getLogger(__name__)
# Progress is written every this many conversations (a row update per conversation is waste).
PROGRESS_EVERY = 25


@dataclass(frozen=True)
class ReplayRequest:
    """What to replay: a JSONL file or an imported dataset, against a proposal folder."""

    proposed: str
    out_dir: str
    data: str | None = None
    dataset: str | None = None
    limit: int | None = None

    def params(self) -> dict[str, Any]:
        """Return the request as the run's stored parameters."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


def create_run(db: Database, request: ReplayRequest) -> int:
    """Store a queued replay run; return its id (send the task after this commits)."""
    with db.session() as session:
        run = ImproveRun(kind="replay", status="queued", params=request.params())
        session.add(run)
        session.flush()
        return run.id


def set_out_dir(db: Database, run_id: int, out_dir: str) -> None:
    """Name the folder a queued run writes its files to."""
    with db.session() as session:
        run = session.get(ImproveRun, run_id)
        if run is None:
            raise NotFoundError(f"no improvement run {run_id}")
        run.params = {**run.params, "out_dir": out_dir}


def conversations_for(db: Database, request: ReplayRequest) -> list[Conversation]:
    """Load the conversations a request names; bad JSONL lines are logged and skipped."""
    if request.data:
        rows, problems = dataset.read_jsonl(Path(request.data))
        for problem in problems:
            log.warning("replay input line skipped: %s", problem)
    elif request.dataset:
        with db.session() as session:
            rows = store.load(session, request.dataset)
    else:
        raise ContactProError("a replay needs a data file or a dataset", reason="bad_request")
    if not rows:
        raise ContactProError("no conversation to replay", reason="empty_dataset")
    return rows[: request.limit] if request.limit else rows


def _progress(db: Database, run_id: int, extra: replay.Progress | None) -> replay.Progress:
    def report(done: int, total: int) -> None:
        if extra is not None:
            extra(done, total)
        if done % PROGRESS_EVERY == 0 or done == total:
            with db.session() as session:
                run = session.get(ImproveRun, run_id)
                if run is not None:
                    run.done, run.total = done, total

    return report


def execute(
    db: Database, settings: Settings, run_id: int, progress: replay.Progress | None = None
) -> dict[str, Any]:
    """Run a stored replay once (a finished run is returned as it is); return its results."""
    with db.session() as session:
        run = session.get(ImproveRun, run_id)
        if run is None:
            raise NotFoundError(f"no improvement run {run_id}")
        if run.status == "done":
            return dict(run.results)
        run.status = "running"
        request = ReplayRequest(**run.params)
    try:
        results = _replay(db, settings, request, _progress(db, run_id, progress))
    except ContactProError as exc:
        with db.session() as session:
            failed = session.get(ImproveRun, run_id)
            if failed is not None:
                failed.status, failed.error, failed.finished_at = "failed", exc.message, utcnow()
        raise
    with db.session() as session:
        done = session.get(ImproveRun, run_id)
        if done is not None:
            done.status, done.results, done.finished_at = "done", results, utcnow()
    return results


def _replay(
    db: Database, settings: Settings, request: ReplayRequest, progress: replay.Progress
) -> dict[str, Any]:
    proposal = read_proposed(Path(request.proposed))
    conversations = conversations_for(db, request)
    comparison = replay.replay(db, settings, conversations, proposal, progress)
    cascade = get_cascade(settings)
    measured = [metrics.measure(c, cascade) for c in conversations]
    ranking = rank.rank(conversations, measured, settings)
    files = exports.write_all(
        Path(request.out_dir), conversations, comparison, ranking, proposal.describe()
    )
    return {
        "summary": comparison.summary,
        "changed": comparison.changed,
        "files": [str(p) for p in files],
    }


def latest_runs_in(session: Session, limit: int = 20) -> list[ImproveRun]:
    """Return the most recent runs, newest first."""
    return list(session.scalars(select(ImproveRun).order_by(ImproveRun.id.desc()).limit(limit)))

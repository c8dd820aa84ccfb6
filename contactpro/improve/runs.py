"""Replay runs as rows: queued by the console or the CLI, run here, progress stored as they go."""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.db import Database
from contactpro.errors import ContactProError, NotFoundError
from contactpro.improve import dataset, exports, metrics, proposals, rank, replay, store
from contactpro.improve.dataset import Conversation
from contactpro.improve.proposed import read_proposed, write_proposed
from contactpro.models import ImproveRun, utcnow
from contactpro.nlu.cascade import get_cascade

log = logging.getLogger(__name__)
# Progress is written every this many conversations (a row update per conversation is waste).
PROGRESS_EVERY = 25
# A running run also writes a sign of life at least this often (with its progress) ...
HEARTBEAT_EVERY = timedelta(seconds=30)
# ... and one silent this long is taken for lost, wherever it ran (a longer silence than any
# stretch of a replay without progress: loading the proposal, writing the files).
SILENT_FOR = timedelta(minutes=30)


@dataclass(frozen=True)
class ReplayRequest:
    """What to replay: a JSONL file or an imported dataset, against a proposal folder."""

    proposed: str
    out_dir: str
    data: str | None = None
    dataset: str | None = None
    limit: int | None = None
    proposal_id: int | None = None
    # The proposal as the operator named it (``--proposed p``): messages say it, not the path.
    proposed_as_given: str | None = None

    def params(self) -> dict[str, Any]:
        """Return the request as the run's stored parameters."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


def create_run(db: Database, request: ReplayRequest) -> int:
    """Store a queued replay run; return its id (send the task after this commits)."""
    with db.session() as session:
        fail_lost_runs(session)
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
        raise ContactProError(
            "a replay needs a data file or a dataset", reason="bad_request", key="perr_no_data"
        )
    if not rows:
        raise ContactProError(
            "no conversation to replay", reason="empty_dataset", key="perr_no_conversations"
        )
    return rows[: request.limit] if request.limit else rows


def error_words(exc: ContactProError) -> dict[str, Any]:
    """Return an error as a stored catalogue key and values (``key`` None: only the message)."""
    return {"key": exc.key, "values": exc.values}


def _progress(db: Database, run_id: int, extra: replay.Progress | None) -> replay.Progress:
    last_beat = time.monotonic()

    def report(done: int, total: int) -> None:
        nonlocal last_beat
        if extra is not None:
            extra(done, total)
        beat_due = time.monotonic() - last_beat >= HEARTBEAT_EVERY.total_seconds()
        if done % PROGRESS_EVERY == 0 or done == total or beat_due:
            last_beat = time.monotonic()
            with db.session() as session:
                run = session.get(ImproveRun, run_id)
                if run is not None:
                    run.done, run.total, run.heartbeat_at = done, total, utcnow()

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
        # Who runs it, so a run killed outright is seen as lost (fail_lost_runs).
        run.host, run.pid, run.heartbeat_at = socket.gethostname(), os.getpid(), utcnow()
        request = ReplayRequest(**run.params)
    try:
        results = _replay(db, settings, request, _progress(db, run_id, progress))
    except ContactProError as exc:
        _fail(db, run_id, exc)
        raise
    except Exception as exc:
        # Whatever breaks mid-run, the run is marked failed (never left "running") and the
        # CLI and the task see one ContactProError with a one-line reason; the log keeps the
        # traceback.
        log.exception("replay run %s failed", run_id, extra={"run_id": run_id})
        error = ContactProError(
            f"the replay stopped: {_one_line(exc)}",
            reason="replay_failed",
            key="perr_replay_crashed",
            values={"error": _one_line(exc)},
        )
        _fail(db, run_id, error)
        raise error from exc
    except BaseException:
        # Ctrl-C, or SIGTERM turned into KeyboardInterrupt by the CLI: the run stops here,
        # so it is marked failed (never left "running"), then the interruption goes on.
        _fail(db, run_id, interrupted())
        raise
    with db.session() as session:
        done = session.get(ImproveRun, run_id)
        if done is not None:
            done.status, done.results, done.finished_at = "done", results, utcnow()
    return results


def interrupted() -> ContactProError:
    """Return why a run stopped when its process was interrupted (Ctrl-C, SIGTERM)."""
    return ContactProError(
        "the replay was interrupted before it finished",
        reason="replay_interrupted",
        key="perr_replay_interrupted",
    )


def lost() -> ContactProError:
    """Return why a run stopped when its process vanished (``kill -9``, a lost machine)."""
    return ContactProError(
        "the replay's process ended before it finished (killed, or its machine stopped)",
        reason="replay_lost",
        key="perr_replay_lost",
    )


def fail_lost_runs(session: Session, now: datetime | None = None) -> list[int]:
    """Mark failed every running run whose process is gone; return their ids.

    Ctrl-C and SIGTERM let a run mark itself failed; ``kill -9``, the OOM killer or a lost
    worker machine do not. Such a run is judged here: on this machine by whether its process
    still exists, anywhere by how long it has been silent (``SILENT_FOR``).
    """
    now = now or utcnow()
    gone = []
    for run in session.scalars(select(ImproveRun).where(ImproveRun.status == "running")):
        if _is_lost(run, now):
            _mark_failed(run, lost())
            log.warning("replay run %s marked failed: its process is gone", run.id)
            gone.append(run.id)
    return gone


def _is_lost(run: ImproveRun, now: datetime) -> bool:
    if run.host == socket.gethostname() and run.pid and not _process_alive(run.pid):
        return True
    return now - (run.heartbeat_at or run.created_at) > SILENT_FOR


def _process_alive(pid: int) -> bool:
    """Return whether a process of this machine exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:  # no /proc (macOS): that it exists is all there is to know
        return True
    # "pid (name) state ...": a zombie is a process already killed, not yet reaped.
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _one_line(exc: BaseException) -> str:
    """Return an unexpected error as one short line: its type and first line of message."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}"[:300] if text else type(exc).__name__


def _fail(db: Database, run_id: int, exc: ContactProError) -> None:
    """Mark a run failed with why (the English message and the catalogue key for pages)."""
    with db.session() as session:
        failed = session.get(ImproveRun, run_id)
        if failed is not None:
            _mark_failed(failed, exc)


def _mark_failed(run: ImproveRun, exc: ContactProError) -> None:
    run.status, run.error, run.finished_at = "failed", exc.message, utcnow()
    # The English message is for the CLI and logs; pages word the key and values.
    run.results = {"error": error_words(exc)}


def _replay(
    db: Database, settings: Settings, request: ReplayRequest, progress: replay.Progress
) -> dict[str, Any]:
    proposal = read_proposed(Path(request.proposed), request.proposed_as_given or "")
    conversations = conversations_for(db, request)
    comparison = replay.replay(db, settings, conversations, proposal, progress)
    # What is left to automate once the proposal is in: the proposed side's conversations
    # (cut-short ones say nothing about how they would end, so they are left out).
    replayed = [
        r.as_conversation(c)
        for r, c in zip(comparison.proposed, conversations, strict=True)
        if not r.cut_short
    ]
    cascade = get_cascade(settings)
    measured = [metrics.measure(c, cascade) for c in replayed]
    ranking = rank.rank(replayed, measured, settings)
    files = exports.write_all(
        Path(request.out_dir), conversations, comparison, ranking, proposal.describe()
    )
    return {
        "summary": comparison.summary,
        "changed": comparison.changed,
        "files": [str(p) for p in files],
    }


def queue_proposal_replay(
    db: Database,
    settings: Settings,
    proposal_id: int,
    dataset_name: str | None,
    live_days: int = 30,
    limit: int | None = None,
) -> int:
    """Store a replay of a stored proposal on a dataset (or recent live traffic); return its id.

    The proposal's body is written as a proposal folder first, so a body that cannot be
    replayed is refused here with the reason, before anything is queued; the refusal is kept
    as a failed run of the proposal (its reason on the proposal's page).
    """
    with db.session() as session:
        body = dict(proposals.get(session, proposal_id).body)
        known = store.datasets(session)
    if dataset_name and dataset_name not in known:
        raise NotFoundError(f"no imported dataset named {dataset_name!r}")
    stamp = utcnow().strftime("%Y%m%d%H%M%S")
    folder = settings.var_dir / "improve" / f"proposal-{proposal_id}-{stamp}"
    try:
        write_proposed(body, folder / "proposed")
    except ContactProError as exc:
        _refused(db, proposal_id, folder / "proposed", exc)
        raise
    data = None
    if not dataset_name:
        since = utcnow() - timedelta(days=live_days)
        with db.session() as session:
            live = list(store.export_live(session, store.LiveFilter(since=since)))
        if not live:
            raise ContactProError(
                f"no closed conversation in the last {live_days} days",
                reason="empty_dataset",
                key="perr_no_live",
                values={"days": live_days},
            )
        data = folder / "live.jsonl"
        dataset.write_jsonl(live, data)
    request = ReplayRequest(
        proposed=str((folder / "proposed").resolve()),
        out_dir=str((folder / "out").resolve()),
        data=str(data.resolve()) if data else None,
        dataset=dataset_name or None,
        limit=limit,
        proposal_id=proposal_id,
    )
    return create_run(db, request)


def _refused(db: Database, proposal_id: int, folder: Path, exc: ContactProError) -> None:
    """Keep a replay the proposal's body could not start as a failed run, with why."""
    request = ReplayRequest(str(folder.resolve()), "", proposal_id=proposal_id)
    _fail(db, create_run(db, request), exc)


def get_run(session: Session, run_id: int) -> ImproveRun:
    """Return one run (failed if its process is gone); raise NotFoundError when there is none."""
    fail_lost_runs(session)
    run = session.get(ImproveRun, run_id)
    if run is None:
        raise NotFoundError(f"no improvement run {run_id}")
    return run


def latest_runs_in(session: Session, limit: int = 20) -> list[ImproveRun]:
    """Return the most recent runs, newest first (those whose process is gone failed)."""
    fail_lost_runs(session)
    return list(session.scalars(select(ImproveRun).order_by(ImproveRun.id.desc()).limit(limit)))


def runs_of_proposal(session: Session, proposal_id: int, limit: int = 20) -> list[ImproveRun]:
    """Return the replays of one stored proposal, newest first."""
    recent = latest_runs_in(session, 500)
    return [r for r in recent if r.params.get("proposal_id") == proposal_id][:limit]

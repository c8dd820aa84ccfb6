"""One analysis run: score, aggregate, build the matrix, store the run, write its files.

The figures are drawn by a :class:`Renderer` the caller passes in (the ``dashboards`` layer sits
above the domain); without one a run writes its report only.

A run's row is *finished* (``seconds`` set) only once its figures are stored and, when it
writes files, once they are written; a run that stops on an error is *failed*: ``seconds``
stays empty and its results carry ``error`` (why). Readers of "the latest run" (the console,
``contactpro report`` and ``dashboards``) take finished runs only, so a failed run never hides
the last good one.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.analytics import conformity, matrix, patterns, report, sentiment
from contactpro.analytics.kpis import Kpi, kpi_table, savings
from contactpro.config import Settings, company_timezone
from contactpro.db import Database
from contactpro.models import AnalysisRun, utcnow
from contactpro.resilience.atomic import check_writable_folder

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


class Renderer(Protocol):
    """Draws the figures of a run's results into a folder (``dashboards.draw_dashboards``)."""

    def __call__(
        self, results: Mapping[str, Any], out_dir: Path, progress: Progress | None = None
    ) -> dict[str, Path]:
        """Write the files into ``out_dir``; return their paths by output name."""
        ...


@dataclass
class RunResult:
    """What a run produced: its id, the KPI table, the JSON results and the files written."""

    run_id: int
    kpis: list[Kpi]
    results: dict[str, Any]
    outputs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0  # wall time of the analysis, files not included


def run_error(run: AnalysisRun) -> str | None:
    """Return why ``run`` failed, or None when it finished or is still running."""
    if run.seconds is not None:
        return None
    error = (run.results or {}).get("error")
    return str(error) if error else None


def mark_failed(db: Database, run_id: int, error: BaseException | str) -> None:
    """Record that run ``run_id`` stopped on ``error``: not finished, with the reason kept."""
    with db.session() as session:
        run = session.get(AnalysisRun, run_id)
        if run is not None:
            run.seconds = None
            run.results = {**(run.results or {}), "error": str(error) or type(error).__name__}
    log.warning("analysis failed", extra={"run_id": run_id})


def code_version() -> str:
    """Return the package version and, in a git checkout, the commit it runs from."""
    try:
        version = importlib.metadata.version("contactpro")
    except importlib.metadata.PackageNotFoundError:
        version = "0+unknown"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=2,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{version}+g{commit}" if commit else version


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return JSON-ready rows (numpy scalars and NaN turned into Python values)."""
    clean = frame.astype(object).where(frame.notna(), None)
    rows: list[dict[str, Any]] = json.loads(json.dumps(clean.to_dict("records"), default=float))
    return rows


def period_label(period: patterns.Period, zone: str) -> str:
    """Return the period as the company reads it: local start and end, and the zone."""
    tz = ZoneInfo(zone)
    start, end = period.start.astimezone(tz), period.end.astimezone(tz)
    return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} ({zone})"


def period_for(kind: str, now: datetime | None = None, zone: str = "UTC") -> patterns.Period:
    """Return the last complete hour (``hourly``) or day (``daily``) before ``now``.

    Boundaries fall on the hour and on midnight in ``zone`` (the company's time zone), so a
    daily run covers the company's day, not the UTC one.
    """
    tz = ZoneInfo(zone)
    local = (now or utcnow()).astimezone(tz)
    if kind == "hourly":
        end = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        return patterns.Period(end - timedelta(hours=1), end)
    day = local.date()
    end_local = datetime(day.year, day.month, day.day, tzinfo=tz)
    start_local = end_local - timedelta(days=1)  # wall-clock midnight, even across DST
    start_local = datetime(start_local.year, start_local.month, start_local.day, tzinfo=tz)
    return patterns.Period(start_local.astimezone(UTC), end_local.astimezone(UTC))


def _unfinished_run(session: Session, kind: str, period: patterns.Period) -> AnalysisRun | None:
    return session.scalars(
        select(AnalysisRun)
        .where(
            AnalysisRun.kind == kind,
            AnalysisRun.period_start == period.start,
            AnalysisRun.period_end == period.end,
            AnalysisRun.seconds.is_(None),
        )
        .order_by(AnalysisRun.id)
        .limit(1)
    ).first()


def analyse(
    db: Database,
    settings: Settings,
    period: patterns.Period,
    *,
    kind: str = "manual",
    progress: Progress | None = None,
    finish: bool = True,
) -> RunResult:
    """Score new interactions, aggregate the period, rebuild the matrix and store the run.

    The customers' current quadrants are replaced only by a run of a period that ends no
    earlier than the one they come from (:func:`~contactpro.analytics.matrix.is_latest_period`):
    a run of a past period reports on that period's matrix and leaves them.

    A scheduled run of a period whose earlier attempt never finished (its worker was killed and
    the task redelivered) completes that attempt's row instead of adding a second one. With
    ``finish`` False the run stays unfinished until :func:`write_outputs` has written its files.
    On an error the run is recorded as failed and the error raised again.
    """
    say = progress or (lambda _msg: None)
    with db.session() as session:
        run = None if kind == "manual" else _unfinished_run(session, kind, period)
        if run is None:
            run = AnalysisRun(
                kind=kind,
                period_start=period.start,
                period_end=period.end,
                code_version=code_version(),
                results={},
                outputs={},
            )
            session.add(run)
            session.flush()
        run.code_version = code_version()  # the code that finishes it
        run_id = run.id
    try:
        return _analyse(db, settings, period, kind, run_id, say, finish)
    except Exception as exc:
        mark_failed(db, run_id, exc)
        raise


def _analyse(
    db: Database,
    settings: Settings,
    period: patterns.Period,
    kind: str,
    run_id: int,
    say: Progress,
    finish: bool,
) -> RunResult:
    started = time.perf_counter()
    say("scoring conformity of new interactions")
    model = sentiment.load_model()
    say(f"conformity text model {model.version}")
    with db.engine.begin() as conn:
        scored = conformity.score_interactions(
            conn,
            settings,
            period.start,
            period.end,
            model,
            progress=lambda n: say(f"scored {n:,} interactions"),
        )
    with db.engine.begin() as conn:
        total, tables = patterns.analyse_patterns(conn, settings, period, say)
        conformity_mean = conformity.mean_conformity(conn, period.start, period.end)
        say("building the priority matrix")
        current = matrix.is_latest_period(conn, period.end)
        if not current:
            say("past period: the customers' current quadrants are left as they are")
        summary = matrix.build_matrix(conn, settings, period.end, run_id=run_id, current=current)
    kpis = kpi_table(total, tables["tiers"], settings, period, conformity_mean)
    zone = company_timezone(settings)
    results: dict[str, Any] = {
        "run_id": run_id,
        "kind": kind,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "period_label": period_label(period, zone),
        "timezone": zone,
        "min_contacts": settings.recommendation_min_contacts,
        "code_version": code_version(),
        "model_version": model.version,
        "currency": settings.analytics_currency,
        "scored_interactions": scored,
        "totals": json.loads(json.dumps(total, default=float)),
        "savings": savings(total, tables["tiers"], settings, period),
        "kpis": [k.as_dict() for k in kpis],
        "tables": {name: _records(frame) for name, frame in tables.items()},
        "matrix": summary,
    }
    seconds = time.perf_counter() - started
    with db.session() as session:
        stored = session.get(AnalysisRun, run_id)
        assert stored is not None
        stored.results = results
        stored.seconds = seconds if finish else None
    log.info("analysis stored", extra={"run_id": run_id, "seconds": round(seconds, 2)})
    return RunResult(run_id, kpis, results, seconds=seconds)


def report_writer(settings: Settings) -> report.Writer | None:
    """Return the Claude writer when a key is configured, else None (deterministic prose)."""
    if not settings.anthropic_api_key:
        return None
    return report.ClaudeWriter(settings.anthropic_api_key)


def write_outputs(
    db: Database,
    result: RunResult,
    out_dir: Path,
    *,
    render: Renderer | None = None,
    writer: report.Writer | None = None,
    progress: Progress | None = None,
) -> dict[str, str]:
    """Write the report (Markdown, HTML) and what ``render`` draws; record the paths.

    The run is finished once they are written (if :func:`analyse` left it unfinished); if
    writing fails it is recorded as failed and the error raised again.
    """
    started = time.perf_counter()
    try:
        _write_outputs(result, out_dir, render, writer, progress or (lambda _msg: None))
    except Exception as exc:
        mark_failed(db, result.run_id, exc)
        raise
    with db.session() as session:
        run = session.get(AnalysisRun, result.run_id)
        if run is not None:
            run.outputs = dict(result.outputs)
            if run.seconds is None:
                run.seconds = result.seconds + time.perf_counter() - started
    return result.outputs


def _write_outputs(
    result: RunResult,
    out_dir: Path,
    render: Renderer | None,
    writer: report.Writer | None,
    say: Progress,
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    say("writing the report")
    markdown, page = report.build_report(result.results, writer)
    outputs = {"report_md": out_dir / "report.md", "report_html": out_dir / "report.html"}
    outputs["report_md"].write_text(markdown, encoding="utf-8")
    outputs["report_html"].write_text(page, encoding="utf-8")
    if render is not None:
        outputs.update(render(result.results, out_dir, say))
    else:
        log.debug("no renderer given: dashboards not drawn", extra={"run_id": result.run_id})
    result.outputs = {name: str(path) for name, path in outputs.items()}


def redraw(
    db: Database,
    run_id: int,
    *,
    render: Renderer | None = None,
    writer: report.Writer | None = None,
) -> dict[str, str]:
    """Rewrite a finished run's report and figures from its stored results, where it wrote them.

    For a run whose matrix changed after it finished (a manager set another conformity
    threshold: :func:`~contactpro.analytics.matrix.apply_conformity_threshold`). The run stays
    finished whatever happens; files it cannot rewrite keep their earlier version (logged).
    """
    with db.session() as session:
        run = session.get(AnalysisRun, run_id)
        if run is None or run.seconds is None or not run.results or not run.outputs:
            return {}
        earlier = {str(k): str(v) for k, v in run.outputs.items()}
        result = RunResult(run.id, [], dict(run.results), dict(earlier), run.seconds)
    folder = Path(earlier.get("report_md") or next(iter(earlier.values()))).parent
    try:
        _write_outputs(result, folder, render, writer, lambda _msg: None)
    except OSError as exc:
        log.warning("run files not redrawn", extra={"run_id": run_id, "error": str(exc)})
        return {}
    with db.session() as session:
        stored = session.get(AnalysisRun, run_id)
        if stored is not None:
            stored.outputs = {**earlier, **result.outputs}
    return result.outputs


def run_full_analysis(
    db: Database,
    settings: Settings,
    period_start: datetime,
    period_end: datetime,
    out_dir: Path,
    progress: Progress | None = None,
    *,
    kind: str = "manual",
    writer: report.Writer | None = None,
    render: Renderer | None = None,
) -> RunResult:
    """Compute everything for ``[period_start, period_end)``, store the run, write the files.

    Writes ``report.md`` and ``report.html`` to ``out_dir``, plus what ``render`` draws there
    (the dashboards: one PNG per figure and ``index.html``); returns the run with its KPI table.
    ``writer`` defaults to Claude when ``settings.anthropic_api_key`` is set and to the
    deterministic writer otherwise.
    """
    period = patterns.Period(period_start, period_end)
    check_writable_folder(out_dir)  # before the work, not after it
    result = analyse(db, settings, period, kind=kind, progress=progress, finish=False)
    write_outputs(
        db,
        result,
        out_dir,
        render=render,
        writer=writer or report_writer(settings),
        progress=progress,
    )
    return result


def run_scheduled(
    db: Database,
    settings: Settings,
    kind: str,
    now: datetime | None = None,
    *,
    render: Renderer | None = None,
) -> int:
    """Run the hourly or daily analysis of the last complete period, once; return the run id.

    A period already analysed by the same kind of run is not analysed again (idempotent).
    """
    period = period_for(kind, now, company_timezone(settings))
    with db.session() as session:
        done = session.scalar(
            select(AnalysisRun.id).where(
                AnalysisRun.kind == kind,
                AnalysisRun.period_start == period.start,
                AnalysisRun.period_end == period.end,
                AnalysisRun.seconds.is_not(None),
            )
        )
    if done is not None:
        return int(done)
    out_dir = output_dir(settings) / f"{kind}-{period.start:%Y%m%dT%H%M}"
    result = run_full_analysis(
        db, settings, period.start, period.end, out_dir, kind=kind, render=render
    )
    return result.run_id


def output_dir(settings: Settings) -> Path:
    """Return the folder runs write into (``analytics_dir``, default ``<var>/analytics``)."""
    return (
        Path(settings.analytics_dir) if settings.analytics_dir else settings.var_dir / "analytics"
    )


# Latest period first: the run whose period ends last (the newest of those, on a tie) is the one
# the customers' current quadrants come from (matrix.is_latest_period), not the newest made.
LATEST_PERIOD_FIRST = (AnalysisRun.period_end.desc(), AnalysisRun.id.desc())


def latest_run(session: Session, kind: str | None = None) -> AnalysisRun | None:
    """Return the finished run of the latest period (of ``kind`` when given).

    A run of a past period made afterwards (``analyze --from --to``) is not the latest.
    """
    stmt = select(AnalysisRun).where(AnalysisRun.seconds.is_not(None))
    if kind:
        stmt = stmt.where(AnalysisRun.kind == kind)
    return session.scalars(stmt.order_by(*LATEST_PERIOD_FIRST).limit(1)).first()

"""What the manager pages read: stored analysis runs and customers per priority quadrant."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from contactpro.analytics.matrix import QUADRANT_ORDER, shown_conformity
from contactpro.analytics.runs import LATEST_PERIOD_FIRST
from contactpro.config import LANGUAGES
from contactpro.models import Agent, AnalysisRun, Callback, Customer, CustomerScore, Escalation
from contactpro.models.analytics import QUADRANTS

IMAGE_SUFFIXES = (".png", ".svg")


def latest_runs(
    session: Session, limit: int = 12, until: AnalysisRun | None = None
) -> list[AnalysisRun]:
    """Return finished analysis runs, latest period first (failed or running ones: not).

    The first is the run the customers' current quadrants come from (``runs.latest_run``);
    with ``until``, that run first and then those whose period ends no later than its own.
    """
    stmt = select(AnalysisRun).where(AnalysisRun.seconds.is_not(None))
    if until is not None:
        stmt = stmt.where(AnalysisRun.period_end <= until.period_end, AnalysisRun.id != until.id)
        limit -= 1
    found = list(session.scalars(stmt.order_by(*LATEST_PERIOD_FIRST).limit(limit)))
    return [until, *found] if until is not None else found


def shown_run(session: Session, run_id: int) -> AnalysisRun | None:
    """Return finished run ``run_id`` for the dashboards page, or None (unknown, unfinished)."""
    run = session.get(AnalysisRun, run_id)
    return run if run is not None and run.seconds is not None else None


def dashboard_runs(
    session: Session, run_id: int | None
) -> tuple[list[AnalysisRun], AnalysisRun | None, list[AnalysisRun]] | None:
    """Return the runs the dashboards page shows (the latest period's, or run ``run_id``, then
    the earlier ones), the latest run and the runs a manager can pick; None for an unknown run."""
    runs = latest_runs(session)
    latest = runs[0] if runs else None
    if run_id is not None and (latest is None or run_id != latest.id):
        shown = shown_run(session, run_id)
        if shown is None:
            return None
        runs = latest_runs(session, until=shown)
    choices = run_choices(session)
    if runs and runs[0] not in choices:
        choices.append(runs[0])
    return runs, latest, choices


def run_choices(session: Session, limit: int = 30) -> list[AnalysisRun]:
    """Return the finished runs a manager may pick, the most recently made first."""
    return list(
        session.scalars(
            select(AnalysisRun)
            .where(AnalysisRun.seconds.is_not(None))
            .order_by(AnalysisRun.created_at.desc(), AnalysisRun.id.desc())
            .limit(limit)
        )
    )


def kpis(run: AnalysisRun) -> list[dict[str, Any]]:
    """Return the run's KPI rows (``key``, ``label``, ``value``, ``text``, ``target``, ``met``).

    Runs store a ``kpis`` list of rows; older or partial runs fall back to their top-level
    numbers so the page still shows what there is.
    """
    results = run.results or {}
    rows = results.get("kpis")
    if isinstance(rows, list) and all(isinstance(r, dict) and "key" in r for r in rows):
        return [
            {
                "key": r["key"],
                "label": r.get("label", r["key"]),
                "value": r.get("value"),
                "text": r.get("text", "" if r.get("value") is None else str(r.get("value"))),
                "target": r.get("target", ""),
                "met": r.get("met"),
            }
            for r in rows
        ]
    return [
        {
            "key": key,
            "label": key.replace("_", " "),
            "value": value,
            "text": f"{value:,.4g}",
            "target": "",
            "met": None,
        }
        for key, value in results.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]


def previous_run(runs: list[AnalysisRun]) -> AnalysisRun | None:
    """Return the run of the period before the newest one's (same kind, ending by its start)."""
    if not runs:
        return None
    newest = runs[0]
    return next(
        (
            run
            for run in runs[1:]
            if run.kind == newest.kind and run.period_end <= newest.period_start
        ),
        None,
    )


def kpi_history(runs: list[AnalysisRun]) -> tuple[list[dict[str, Any]], list[AnalysisRun]]:
    """Return the newest run's KPI rows, each with its previous period's and every run's row."""
    if not runs:
        return [], []
    by_run = [{row["key"]: row for row in kpis(run)} for run in runs]
    before = previous_run(runs)
    previous = {row["key"]: row for row in kpis(before)} if before else {}
    rows = []
    for row in kpis(runs[0]):
        history = [table.get(row["key"]) for table in by_run]
        earlier = previous.get(row["key"])
        rows.append({**row, "history": history, "previous": earlier})
    return rows, runs


def images(run: AnalysisRun, language: str) -> list[tuple[str, Path]]:
    """Return the run's dashboard figures in ``language`` as (name, path) for files that exist.

    Runs drawn per language name their files ``png_<language>_<figure>``; older runs have one
    ``png_<figure>`` set, shown in every language.
    """
    outputs = {str(key): value for key, value in (run.outputs or {}).items()}
    prefixes = tuple(f"png_{lang}_" for lang in LANGUAGES)
    mine = f"png_{language}_"
    if any(key.startswith(mine) for key in outputs):
        chosen = {k.removeprefix(mine): v for k, v in outputs.items() if k.startswith(mine)}
    else:
        chosen = {
            k.removeprefix("png_"): v
            for k, v in outputs.items()
            if k.startswith("png_") and not k.startswith(prefixes)
        }
    found: list[tuple[str, Path]] = []
    for name, value in chosen.items():
        if isinstance(value, str) and value.lower().endswith(IMAGE_SUFFIXES):
            path = Path(value)
            if path.is_file():
                found.append((name, path))
    return found


def customers_in_quadrant(session: Session, quadrant: str | None) -> list[dict[str, Any]]:
    """Return scored customers (one quadrant, or all) in the CSV export's order and figures:
    top priority quadrant first, then least conforming first."""
    statement = (
        select(Customer, CustomerScore)
        .join(CustomerScore, CustomerScore.customer_id == Customer.id)
        .order_by(QUADRANT_ORDER, CustomerScore.conformity, CustomerScore.customer_id)
    )
    if quadrant:
        statement = statement.where(CustomerScore.quadrant == quadrant)
    return [
        {
            "id": customer.id,
            "name": customer.name,
            "phone": customer.phone,
            "segment": customer.segment,
            "quadrant": score.quadrant,
            "conformity": shown_conformity(score.conformity),
            "billing": score.billing,
            "interactions": score.interactions,
            "days_past_due": score.days_past_due,
            "on_time_pct": round(score.on_time_share * 100),
            "expected_value": score.expected_value,
            "recovery_cost": score.recovery_cost,
            "computed_at": score.computed_at,
        }
        for customer, score in session.execute(statement)
    ]


def quadrant_counts(session: Session) -> dict[str, int]:
    """Return how many scored customers sit in each quadrant."""
    counts = dict.fromkeys(QUADRANTS, 0)
    for quadrant in session.scalars(select(CustomerScore.quadrant)):
        counts[quadrant] = counts.get(quadrant, 0) + 1
    return counts


AGENT_CSV_COLUMNS = (
    "agent",
    "escalations_taken",
    "resolved",
    "mean_handling_minutes",
    "callbacks_kept",
    "callbacks_due",
)


def agent_figures(session: Session, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Return per-agent work between ``since`` and ``until``, busiest first.

    Taken counts escalations claimed in the period; resolved and the mean handling time (claim
    to resolution) count those resolved in it; call-backs kept are those done out of those due
    in it.
    """
    figures: dict[int, dict[str, Any]] = {}

    def row(agent_id: int, name: str) -> dict[str, Any]:
        return figures.setdefault(
            agent_id,
            {
                "agent": name,
                "taken": 0,
                "resolved": 0,
                "handling": [],
                "callbacks_kept": 0,
                "callbacks_due": 0,
            },
        )

    escalations = session.execute(
        select(Escalation, Agent.name)
        .join(Agent, Agent.id == Escalation.agent_id)
        .where(
            or_(
                Escalation.claimed_at.between(since, until),
                Escalation.resolved_at.between(since, until),
            )
        )
    ).all()
    for esc, name in escalations:
        entry = row(esc.agent_id or 0, name)
        if esc.claimed_at is not None and since <= esc.claimed_at <= until:
            entry["taken"] += 1
        if esc.status == "resolved" and esc.resolved_at and since <= esc.resolved_at <= until:
            entry["resolved"] += 1
            if esc.claimed_at is not None:
                entry["handling"].append((esc.resolved_at - esc.claimed_at).total_seconds())
    for callback, name in session.execute(
        select(Callback, Agent.name)
        .join(Agent, Agent.id == Callback.agent_id)
        .where(Callback.scheduled_for.between(since, until))
    ).all():
        entry = row(callback.agent_id or 0, name)
        entry["callbacks_due"] += 1
        entry["callbacks_kept"] += callback.status == "done"
    rows = []
    for entry in figures.values():
        handling = entry.pop("handling")
        entry["handling_minutes"] = sum(handling) / len(handling) / 60.0 if handling else None
        rows.append(entry)
    return sorted(rows, key=lambda r: (-r["taken"], -r["resolved"], r["agent"]))


def agent_csv_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    """Return :func:`agent_figures` rows as CSV rows (:data:`AGENT_CSV_COLUMNS`)."""
    return [
        [
            r["agent"],
            r["taken"],
            r["resolved"],
            "" if r["handling_minutes"] is None else f"{r['handling_minutes']:.1f}",
            r["callbacks_kept"],
            r["callbacks_due"],
        ]
        for r in rows
    ]

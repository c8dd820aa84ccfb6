"""What the manager pages read: stored analysis runs and customers per priority quadrant."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.models import AnalysisRun, Customer, CustomerScore
from contactpro.models.analytics import QUADRANTS

IMAGE_SUFFIXES = (".png", ".svg")


def latest_runs(session: Session, limit: int = 12) -> list[AnalysisRun]:
    """Return the newest analysis runs, newest first."""
    return list(
        session.scalars(
            select(AnalysisRun)
            .order_by(AnalysisRun.created_at.desc(), AnalysisRun.id.desc())
            .limit(limit)
        )
    )


def kpis(run: AnalysisRun) -> list[dict[str, Any]]:
    """Return the run's KPI rows (``key``, ``label``, ``value``, ``text``).

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
            }
            for r in rows
        ]
    return [
        {"key": key, "label": key.replace("_", " "), "value": value, "text": f"{value:,.4g}"}
        for key, value in results.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]


def kpi_history(runs: list[AnalysisRun]) -> tuple[list[dict[str, Any]], list[AnalysisRun]]:
    """Return the KPI rows of the newest run, each with its text in every run (newest first)."""
    if not runs:
        return [], []
    by_run = [{row["key"]: row for row in kpis(run)} for run in runs]
    rows = []
    for row in kpis(runs[0]):
        history = [table.get(row["key"], {}).get("text", "") for table in by_run]
        rows.append({**row, "history": history})
    return rows, runs


def images(run: AnalysisRun) -> list[tuple[str, Path]]:
    """Return the run's dashboard figures as (name, path) for files that exist."""
    found: list[tuple[str, Path]] = []

    def visit(name: str, value: Any) -> None:
        if isinstance(value, str) and value.lower().endswith(IMAGE_SUFFIXES):
            path = Path(value)
            if path.is_file():
                found.append((name, path))
        elif isinstance(value, dict):
            for key, item in value.items():
                visit(str(key), item)
        elif isinstance(value, list):
            for item in value:
                visit(name, item)

    visit("outputs", run.outputs or {})
    return [(name.removeprefix("png_"), path) for name, path in found]


def customers_in_quadrant(session: Session, quadrant: str | None) -> list[dict[str, Any]]:
    """Return scored customers (one quadrant, or all), least conforming first."""
    statement = (
        select(Customer, CustomerScore)
        .join(CustomerScore, CustomerScore.customer_id == Customer.id)
        .order_by(CustomerScore.conformity, Customer.name)
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
            "conformity": round(score.conformity, 1),
            "billing": score.billing,
            "interactions": score.interactions,
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

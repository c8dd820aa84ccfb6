"""Tasks that run the manager analytics (hourly, daily, and on demand for the demo)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from celery import shared_task

from contactpro import analytics
from contactpro.analytics.runs import report_writer
from tasks import runtime


@shared_task(name="contactpro.analytics.run_scheduled", acks_late=True)
def run_scheduled(kind: str) -> int:
    """Analyse the last complete hour or day (idempotent: a done period is not redone)."""
    rt = runtime()
    return analytics.run_scheduled(rt.db, rt.settings, kind, render=rt.renderer)


@shared_task(name="contactpro.analytics.analyze", acks_late=True)
def analyze(period_start: str, period_end: str, out_dir: str) -> dict[str, Any]:
    """Run the full analysis of a period (ISO timestamps); return the run id, KPIs and files."""
    rt = runtime()
    start, end = datetime.fromisoformat(period_start), datetime.fromisoformat(period_end)
    result = analytics.run_full_analysis(
        rt.db, rt.settings, start, end, Path(out_dir), render=rt.renderer
    )
    return {"run_id": result.run_id, "kpis": result.results["kpis"], "outputs": result.outputs}


@shared_task(name="contactpro.analytics.redraw", acks_late=True)
def redraw(run_id: int) -> dict[str, str]:
    """Rewrite a stored run's report and figures from its results (idempotent)."""
    rt = runtime()
    return analytics.redraw(rt.db, run_id, render=rt.renderer, writer=report_writer(rt.settings))

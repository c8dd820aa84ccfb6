"""Tasks that run the manager analytics (hourly, daily, and on demand for the demo)."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from celery import shared_task

from contactpro import analytics
from tasks import runtime

log = logging.getLogger(__name__)


@shared_task(name="contactpro.analytics.run_scheduled", acks_late=True)
def run_scheduled(kind: str) -> int:
    """Analyse the last complete hour or day (idempotent: a done period is not redone)."""
    rt = runtime()
    return analytics.run_scheduled(rt.db, rt.settings, kind)


@shared_task(name="contactpro.analytics.analyze", acks_late=True)
def analyze(period_start: str, period_end: str, out_dir: str) -> dict[str, Any]:
    """Run the full analysis of a period (ISO timestamps); return the run id, KPIs and files."""
    rt = runtime()
    result = analytics.run_full_analysis(
        rt.db,
        rt.settings,
        datetime.fromisoformat(period_start),
        datetime.fromisoformat(period_end),
        Path(out_dir),
    )
    return {"run_id": result.run_id, "kpis": result.results["kpis"], "outputs": result.outputs}

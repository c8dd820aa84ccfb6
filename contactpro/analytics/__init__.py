"""Analytics for managers: patterns, KPIs, conformity, priority matrix, similar cases, reports.

Entry points: :func:`run_full_analysis` (everything for a period, files included; the caller
passes the :class:`Renderer` that draws the dashboards), :func:`run_scheduled` (the hourly/daily
run), :func:`customer_quadrant` (for the cancellation
handler and agents) and :func:`similar_cases`.
"""

from contactpro.analytics.kpis import Kpi
from contactpro.analytics.matrix import STRATEGIES, CustomerQuadrant, customer_quadrant
from contactpro.analytics.patterns import Period
from contactpro.analytics.runs import (
    Renderer,
    RunResult,
    analyse,
    latest_run,
    output_dir,
    redraw,
    run_full_analysis,
    run_scheduled,
    write_outputs,
)
from contactpro.analytics.similar import SimilarCases, similar_cases, similar_to_escalation

__all__ = [
    "STRATEGIES",
    "CustomerQuadrant",
    "Kpi",
    "Period",
    "Renderer",
    "RunResult",
    "SimilarCases",
    "analyse",
    "customer_quadrant",
    "latest_run",
    "output_dir",
    "redraw",
    "run_full_analysis",
    "run_scheduled",
    "similar_cases",
    "similar_to_escalation",
    "write_outputs",
]

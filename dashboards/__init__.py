"""Manager dashboards: one matplotlib figure per function (Agg backend), plus an HTML index.

Every builder takes the JSON-ready results of :func:`contactpro.analytics.run_full_analysis`
(or its parts) and returns a :class:`matplotlib.figure.Figure`; nothing touches pyplot's global
state, so figures can be built in worker threads. :func:`draw_dashboards` draws them all with
their index page: it is the renderer the ``contactpro`` command gives analysis runs.
"""

from dashboards.figures import (
    FIGURES,
    conformity_trend,
    containment_by_intent,
    failure_funnel,
    handling_time,
    intent_mix,
    kpi_panel,
    priority_matrix,
    volume_heatmap,
)
from dashboards.index import draw_dashboards, render_all, write_index

__all__ = [
    "FIGURES",
    "conformity_trend",
    "containment_by_intent",
    "draw_dashboards",
    "failure_funnel",
    "handling_time",
    "intent_mix",
    "kpi_panel",
    "priority_matrix",
    "render_all",
    "volume_heatmap",
    "write_index",
]

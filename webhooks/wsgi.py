"""WSGI entry point for gunicorn, and the Celery app for ``celery -A``.

gunicorn -w 4 -b 0.0.0.0:8000 'webhooks.wsgi:app'
celery -A webhooks.wsgi:celery worker --loglevel=INFO

Like the ``contactpro`` command, this module assembles the whole server, so it is the one module
of ``webhooks`` that hands the analysis tasks their dashboards renderer. The renderer loads the
dashboards (matplotlib) when an analysis run first draws them: web workers never do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from webhooks import create_app, warm_up
from webhooks.health import warn_if_database_not_ready


def draw_dashboards(
    results: Mapping[str, Any],
    out_dir: Path,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Draw a run's dashboards with :func:`dashboards.draw_dashboards`, loaded on first use."""
    from dashboards import draw_dashboards as draw

    return draw(results, out_dir, progress=progress)


app = create_app()
app.extensions["contactpro"].renderer = draw_dashboards
# Loaded once: in gunicorn's preloading master (or each worker without preloading) and in the
# Celery parent, before they fork. deploy/gunicorn.conf.py then warms each worker (warm_worker).
warm_up(app)
warn_if_database_not_ready(app)
celery = app.extensions["celery"]

"""The web app as the service commands (``with_appcontext``) build it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from cli import load
from cli.errors import stop_on_config_error
from contactpro.errors import ConfigError
from webhooks import create_app


def draw_dashboards(
    results: Mapping[str, Any],
    out_dir: Path,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Draw a run's dashboards with :func:`dashboards.draw_dashboards`, loaded on first use.

    Only a command whose run draws figures (``analyze``, ``dashboards``, a worker's analysis
    task) pays for matplotlib; ``users list`` or ``init-db`` never load it.
    """
    draw: Callable[..., dict[str, Path]] = load("dashboards:draw_dashboards")
    return draw(results, out_dir, progress=progress)


def create() -> Flask:
    """Build the app from the environment; a bad setting ends the command with one line."""
    try:
        # Only `init-db` makes the database (through its migrations): any other command given a
        # mistyped SQLite path says so instead of leaving an empty file and folders behind.
        app = create_app(create_database=False)
    except ConfigError as exc:
        stop_on_config_error(exc)
    # Tasks never import the drawing layer: the process that runs them is given it here.
    app.extensions["contactpro"].renderer = draw_dashboards
    return app

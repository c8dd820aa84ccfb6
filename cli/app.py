"""The web app as the service commands (``with_appcontext``) build it."""

from __future__ import annotations

from flask import Flask

from cli.errors import stop_on_config_error
from contactpro.errors import ConfigError
from dashboards import draw_dashboards
from webhooks import create_app


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

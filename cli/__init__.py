"""The ``contactpro`` command: every operator action, registered here and nowhere else.

A plain click group, not Flask's: only the commands that act on the running service (they are
marked ``with_appcontext``) build the web app, so the offline ones (``transcribe``, ``intents``,
``conformity``) run without the webhook settings, and ``--help`` always answers.
"""

from __future__ import annotations

import os
import sys

import click
from flask import Flask
from flask.cli import ScriptInfo, routes_command
from sqlalchemy.exc import SQLAlchemyError

from cli.analytics import COMMANDS as ANALYTICS_COMMANDS
from cli.conversations import conversations
from cli.database import explain
from cli.devtools import seed, simulate
from cli.improve import improve
from cli.intents import intents
from cli.server import beat, init_db, serve, worker
from cli.transcribe import transcribe
from cli.users import users
from contactpro.errors import ConfigError
from contactpro.observability.logs import LOG_FORMATS
from dashboards import draw_dashboards
from webhooks import create_app

COMMANDS: tuple[click.Command, ...] = (
    init_db,
    seed,
    serve,
    worker,
    beat,
    simulate,
    routes_command,
    *ANALYTICS_COMMANDS,
    users,
    intents,
    transcribe,
    conversations,
    improve,
)


def _create_app() -> Flask:
    try:
        app = create_app()
    except ConfigError as exc:
        click.secho(f"configuration error: {exc.message}", fg="red", err=True)
        sys.exit(2)
    # Tasks never import the drawing layer: the process that runs them is given it here.
    app.extensions["contactpro"].renderer = draw_dashboards
    return app


def _log_format(_ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """Make ``--log-format`` the setting every part of this process reads."""
    if value:
        os.environ["CONTACTPRO_LOG_FORMAT"] = value


def build() -> click.Group:
    """The ``contactpro`` group with every command registered."""
    group = click.Group(
        name="contactpro",
        help="ContactPro call-center automation server.",
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    click.version_option(package_name="contactpro", prog_name="contactpro")(group)
    click.option(
        "--log-format",
        type=click.Choice(LOG_FORMATS),
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_log_format,
        help="Logs as readable coloured text or JSON lines (default: text on a terminal).",
    )(group)
    for command in COMMANDS:
        group.add_command(command)
    return group


def main() -> None:
    """Entry point of the ``contactpro`` command."""
    # The app is built on first use, by the commands that need it (``with_appcontext``).
    script_info = ScriptInfo(create_app=_create_app, load_dotenv_defaults=False)
    try:
        build().main(prog_name="contactpro", obj=script_info)
    except SQLAlchemyError:  # a missing schema or an unreachable database: say the fix
        if (message := explain()) is None:
            raise
        click.secho(message, fg="red", err=True)
        sys.exit(1)

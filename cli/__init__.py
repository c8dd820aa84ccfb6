"""The ``contactpro`` command: every operator action, registered here and nowhere else."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from cli.analytics import COMMANDS as ANALYTICS_COMMANDS
from cli.conversations import conversations
from cli.devtools import seed, simulate
from cli.improve import improve
from cli.intents import intents
from cli.server import beat, init_db, serve, worker
from cli.transcribe import transcribe
from cli.users import users
from contactpro.errors import ConfigError
from webhooks import create_app

COMMANDS: tuple[click.Command, ...] = (
    init_db,
    seed,
    serve,
    worker,
    beat,
    simulate,
    *ANALYTICS_COMMANDS,
    users,
    intents,
    transcribe,
    conversations,
    improve,
)


def _create_app() -> Flask:
    try:
        return create_app()
    except ConfigError as exc:
        click.secho(f"configuration error: {exc.message}", fg="red", err=True)
        sys.exit(2)


def build() -> click.Group:
    """The ``contactpro`` group with every command registered."""
    group = FlaskGroup(
        name="contactpro",
        create_app=_create_app,
        add_version_option=False,
        load_dotenv=False,
        help="ContactPro call-center automation server.",
    )
    for command in COMMANDS:
        group.add_command(command)
    return group


def main() -> None:
    """Entry point of the ``contactpro`` command."""
    build().main(prog_name="contactpro")

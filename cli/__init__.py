"""The ``contactpro`` command: every operator action, registered here and nowhere else.

A plain click group, not Flask's: only the commands that act on the running service (they are
marked ``with_appcontext``) build the web app, so the offline ones (``transcribe``, ``intents``,
``conformity``) run without the webhook settings, and ``--help`` always answers.

Commands are registered by name and loaded on first use (click's lazy group pattern): listing
them must not import the model runtimes, pandas or matplotlib that some of them need, so
``contactpro --help`` answers at once.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask
from flask.cli import ScriptInfo

from contactpro.observability.logs import LOG_FORMATS


@dataclass(frozen=True)
class Entry:
    """One registered command: its name, where it lives and its one-line summary for --help."""

    name: str
    target: str  # "module:attribute"
    summary: str
    # Whether the command reads or writes the database: if so, a missing, unreachable or
    # outdated one stops it in one line before the web app is built.
    database: bool = True


COMMANDS: tuple[Entry, ...] = (
    Entry(
        "init-db",
        "cli.server:init_db",
        "Create or upgrade the database schema (Alembic migrations).",
        database=False,
    ),
    Entry(
        "seed",
        "cli.devtools:seed",
        "Add realistic synthetic customers, accounts, invoices and payments.",
    ),
    Entry(
        "serve",
        "cli.server:serve",
        "Run the development server (production: gunicorn 'webhooks.wsgi:app').",
    ),
    Entry("worker", "cli.server:worker", "Run a Celery worker for this app's broker."),
    Entry("beat", "cli.server:beat", "Run the Celery beat scheduler (one per deployment)."),
    Entry(
        "simulate",
        "cli.devtools:simulate",
        "Try the bot without a phone: signed Twilio-style requests to a running server.",
        database=False,
    ),
    Entry("routes", "flask.cli:routes_command", "Show the routes for the app.", database=False),
    Entry(
        "analyze",
        "cli.analytics:analyze",
        "Analyse a period: conformity, patterns, KPIs, matrix; write the report and dashboards.",
    ),
    Entry(
        "dashboards",
        "cli.analytics:dashboards",
        "Draw the dashboards (PNG + index.html) of a stored analysis run.",
    ),
    Entry(
        "report",
        "cli.analytics:report_command",
        "Write the insight report (report.md and report.html) of a stored analysis run.",
    ),
    Entry(
        "conformity",
        "cli.analytics:conformity_group",
        "Score texts with the conformity model, or retrain it.",
    ),
    Entry("matrix", "cli.analytics:matrix_group", "The priority matrix of customers."),
    Entry("users", "cli.users:users", "Console users: agents, managers and admins."),
    Entry("intents", "cli.intents:intents", "Train and evaluate the intent classifier."),
    Entry(
        "transcribe",
        "cli.transcribe:transcribe",
        "Transcribe an audio FILE (WAV, MP3, FLAC, raw mu-law .ul) with timings and speed.",
    ),
    Entry(
        "conversations",
        "cli.conversations:conversations",
        "Conversation datasets: export live traffic, import JSONL or IVR logs, measure them.",
    ),
    Entry(
        "improve",
        "cli.improve:improve",
        "Learn from conversations: what to automate next, replay a change, explain failures.",
    ),
    Entry(
        "customers",
        "cli.customers:customers",
        "Customers' personal data: access requests, erasure and retention.",
    ),
)


def load(target: str) -> Any:
    """Import ``module:attribute`` and return the attribute."""
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command runs or shows its help."""

    def __init__(self, entries: tuple[Entry, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entries = {entry.name: entry for entry in entries}

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return the registered names in registry order."""
        return list(self.entries)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return the command ``cmd_name``, or None when no such command exists."""
        entry = self.entries.get(cmd_name)
        if entry is None:
            return None
        if cmd_name not in self.commands:
            command: click.Command = load(entry.target)
            self.add_command(command, cmd_name)
        return self.commands[cmd_name]

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Resolve as click does; a misspelt name is told the nearest registered one (click
        suggests among the commands loaded so far, none here)."""
        try:
            return super().resolve_command(ctx, args)
        except click.NoSuchCommand as exc:
            raise click.NoSuchCommand(
                exc.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands from their registered summaries, without importing them."""
        if not self.entries:
            return
        limit = formatter.width - 6 - max(len(name) for name in self.entries)
        rows = [
            (name, click.utils.make_default_short_help(entry.summary, limit))
            for name, entry in self.entries.items()
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _uses_database() -> bool:
    """Whether the command this process runs uses the database, from click's current context.

    A command given a conversation file (``--data``) measures the file, not live traffic.
    """
    ctx = click.get_current_context(silent=True)
    if ctx is None or ctx.params.get("data") is not None:
        return False
    if ctx.info_name == "replay" and ctx.params.get("name") is None:
        return False  # a replay given no source: its own usage error comes first
    while ctx.parent is not None and ctx.parent.parent is not None:
        ctx = ctx.parent
    entry = {entry.name: entry for entry in COMMANDS}.get(ctx.info_name or "")
    return ctx.parent is not None and entry is not None and entry.database


def _create_app() -> Flask:
    # The database is checked before the app (and the models, tasks and NLU it imports) is
    # built, so a command on a database it cannot use says why at once.
    if _uses_database():
        message: str | None = load("cli.database:explain")()
        if message is not None:
            raise click.ClickException(message)
    app: Flask = load("cli.app:create")()
    return app


def _database_error(exc: Exception) -> bool:
    """Whether ``exc`` is SQLAlchemy's: only a command that loaded SQLAlchemy can raise one."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, errors.SQLAlchemyError)


def _log_format(_ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """Make ``--log-format`` the setting every part of this process reads."""
    if value:
        os.environ["CONTACTPRO_LOG_FORMAT"] = value


def build() -> click.Group:
    """The ``contactpro`` group with every command registered."""
    group = LazyGroup(
        COMMANDS,
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
    return group


def main() -> None:
    """Entry point of the ``contactpro`` command."""
    # The app is built on first use, by the commands that need it (``with_appcontext``).
    script_info = ScriptInfo(create_app=_create_app, load_dotenv_defaults=False)
    try:
        build().main(prog_name="contactpro", obj=script_info)
    except Exception as exc:  # a missing schema or an unreachable database: say the fix
        if not _database_error(exc) or (message := load("cli.database:explain")()) is None:
            raise
        click.secho(f"Error: {message}", fg="red", err=True)
        sys.exit(1)

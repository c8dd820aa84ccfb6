"""The project's own errors, as an operator sees them: one ``Error:`` line and exit status 1;
and the counts the commands print (``1 row``, ``2 rows``)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from contactpro.db import UNWRITABLE
from contactpro.errors import ConfigError, ContactProError

F = TypeVar("F", bound=Callable[..., Any])


def one_line_errors(command: F) -> F:
    """Make a :class:`ContactProError` raised by ``command`` (a bad intent model, a refused
    setting) end it with ``Error: <message>`` and exit status 1 instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ContactProError as exc:
            raise click.ClickException(exc.message) from None

    return wrapper  # type: ignore[return-value]


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """Return ``count`` with ``noun`` agreeing with it: ``1 customer``, ``2 customers``
    (``plural`` when adding an ``s`` is not the plural: ``2 entries``)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def stop_on_config_error(exc: ConfigError) -> NoReturn:
    """End the command on a bad setting: ``configuration error: ...``, exit status 2.

    A path that cannot be written (the database's folder, CONTACTPRO_VAR_DIR) is a file
    problem, said as every command says one: ``Error: cannot write PATH: why``, exit status 1.
    """
    if exc.reason == UNWRITABLE:
        click.secho(f"Error: {exc.message}", fg="red", err=True)
        sys.exit(1)
    click.secho(f"configuration error: {exc.message}", fg="red", err=True)
    sys.exit(2)

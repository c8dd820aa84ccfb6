"""Files and folders the operator names: one error line when one cannot be read or written.

Every command that reads or writes a path given on its command line does so inside
:func:`named_file`, so a missing, unreadable, empty, binary or misplaced file ends the command
with ``Error: cannot read data.csv: ...`` (exit 1), never a traceback.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from contactpro.errors import file_problem


def file_error(exc: BaseException) -> bool:
    """Whether ``exc`` says a file could not be read or written (not a bug of ours)."""
    if isinstance(exc, OSError | UnicodeError | csv.Error):
        return True
    pandas_errors = sys.modules.get("pandas.errors")  # only a command that loaded pandas
    return pandas_errors is not None and isinstance(
        exc, pandas_errors.EmptyDataError | pandas_errors.ParserError
    )


@contextmanager
def named_file(path: Path, action: str = "read") -> Iterator[None]:
    """Turn a failure to ``action`` (read or write) ``path`` inside the block into one line."""
    try:
        yield
    except Exception as exc:
        if not file_error(exc):
            raise
        raise click.ClickException(file_problem(path, exc, action)) from None

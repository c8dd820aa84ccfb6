"""One line instead of a traceback when a command meets a database it cannot use."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from contactpro import migrate
from contactpro.config import load_settings
from contactpro.db import make_engine, missing_sqlite_file
from contactpro.errors import ConfigError

INIT_DB = "run `contactpro init-db`"


def _where(url: str) -> str:
    """Return the database URL without its password, for a message."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "the configured database"


def _first_line(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def problem(url: str) -> str | None:
    """Return what keeps the database at ``url`` from serving this release, or None.

    A schema never migrated or at an older revision is fixed by ``contactpro init-db``, one a
    later release migrated by running that release; a database that does not answer is named
    with the driver's reason; a SQLite file that does not exist is named, and not created.
    """
    if (missing := missing_sqlite_file(url)) is not None:
        return (
            f"no database file at {missing.absolute()}: check CONTACTPRO_DATABASE_URL, "
            f"or {INIT_DB} to create it"
        )
    engine = make_engine(url, create=False)
    try:
        with engine.connect() as conn:
            state = migrate.schema_state(conn)
            current = MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as unreachable:
        return f"cannot reach the database at {_where(url)}: {_first_line(unreachable)}"
    finally:
        engine.dispose()
    if state == "missing":
        return f"the database at {_where(url)} has no ContactPro schema: {INIT_DB}"
    if state == "outdated":
        return f"the database at {_where(url)} has another schema than this release: {INIT_DB}"
    if state == "newer" and current is not None:
        return migrate.newer_schema(url, current)
    return None


def explain() -> str | None:
    """Return, in one line, the database problem behind a failed command and its fix.

    None when the database answers with the right schema: the failure is something else, and
    its traceback is worth more than a line.
    """
    try:
        url = load_settings().database_url
    except ConfigError:
        return None
    return problem(url)

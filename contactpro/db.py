"""Engine and session setup for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from contactpro.errors import ConfigError, file_problem

# The reason of a ConfigError that names a file or folder this process cannot write.
UNWRITABLE = "unwritable_path"


# PostgreSQL's undefined_table and undefined_column: the schema is behind this release (it was
# deployed before ``contactpro init-db``). SQLite says the same with an OperationalError.
SCHEMA_BEHIND_SQLSTATES = frozenset({"42P01", "42703"})


def is_database_down(exc: BaseException) -> bool:
    """Return True for errors that mean the database cannot take the request yet (not a bad
    query): unreachable, or its schema behind this release until ``contactpro init-db`` runs.

    Either way the request waits in the journal and a task runs again later, instead of a
    texter's message or a caller's turn being lost.
    """
    if isinstance(exc, OperationalError) or is_schema_behind(exc):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def is_schema_behind(exc: BaseException) -> bool:
    """Return True when a table or column this release uses is missing from the database."""
    if isinstance(exc, ProgrammingError):
        return getattr(exc.orig, "sqlstate", None) in SCHEMA_BEHIND_SQLSTATES
    return isinstance(exc, OperationalError) and str(exc.orig).startswith(
        ("no such table", "no such column")  # SQLite
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Use WAL and a busy timeout so web threads and the worker can share one file."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(database_url: str, *, create: bool = True) -> Engine:
    """Create an engine; for SQLite, create the file's folder and set safe pragmas.

    A SQLite path whose folder cannot be made (it runs through a regular file, say) raises
    ConfigError ``cannot write PATH: why`` (reason ``unwritable_path``). With ``create`` False
    a missing SQLite file is neither made nor given folders: connecting fails instead, so a
    mistyped path leaves nothing behind (see :func:`missing_sqlite_file`).

    Statement parameters are left out of database errors: they carry what callers said, and
    errors end up in log lines.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not create and sqlite_file(database_url):
            url = _open_existing_only(url)
        elif url.database and url.database != ":memory:":
            try:
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    file_problem(url.database, exc, "write"), reason=UNWRITABLE
                ) from None
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 10},
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_timeout=5,
        connect_args={"connect_timeout": 3},
        hide_parameters=True,
    )


def sqlite_file(database_url: str) -> Path | None:
    """Return the file a ``sqlite:///PATH`` URL names, or None (in memory, URI form, other)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.query.get("uri"):
        return None
    if not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def missing_sqlite_file(database_url: str) -> Path | None:
    """Return the SQLite file ``database_url`` names when it does not exist, else None."""
    path = sqlite_file(database_url)
    return path if path is not None and not path.exists() else None


def _open_existing_only(url: URL) -> URL:
    """Return ``url`` as a SQLite URI that opens the file read-write but never creates it."""
    path = Path(url.database or "").absolute()
    return url.set(database=path.as_uri(), query={"uri": "true", "mode": "rw"})


class Database:
    """One engine and its session factory, shared by a process."""

    def __init__(self, database_url: str, *, create: bool = True) -> None:
        self.url = database_url
        self.engine = make_engine(database_url, create=create)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session that commits on success and rolls back on error."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self, close: bool = True) -> None:
        """Drop pooled connections: at shutdown, or before a fork (``close``); in a forked child
        without closing them (``close=False``), since the parent still uses them."""
        self.engine.dispose(close=close)

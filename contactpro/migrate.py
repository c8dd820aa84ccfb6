"""Run the Alembic migrations that ship inside the package."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, make_url

from contactpro.db import make_engine
from contactpro.errors import ContactProError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """Return an Alembic config pointing at the packaged migrations and this database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema up to ``revision``.

    A schema a later release migrated is refused with one line (reason ``schema_newer``): this
    release knows neither its revision nor how to take it back.
    """
    current = current_revision(database_url)
    if current is not None and current not in known_revisions():
        raise ContactProError(newer_schema(database_url, current), reason="schema_newer")
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    """Take the database schema down to ``revision``."""
    command.downgrade(alembic_config(database_url), revision)


def current_revision(database_url: str) -> str | None:
    """Return the revision the database is at (None when never migrated)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head_revision(database_url: str) -> str | None:
    """Return the newest revision the package ships."""
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


@lru_cache(maxsize=1)
def packaged_head() -> str | None:
    """Return the newest revision the package ships (read once per process)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@lru_cache(maxsize=1)
def known_revisions() -> frozenset[str]:
    """Return every revision the package ships (read once per process)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return frozenset(found.revision for found in script.walk_revisions())


def schema_state(conn: Connection) -> str:
    """Return ``ok``, ``missing`` (never migrated), ``outdated`` (an older revision) or
    ``newer`` (a revision a later release migrated to).

    ``missing`` and ``outdated`` are fixed by ``contactpro init-db``; ``newer`` by running the
    release that migrated it.
    """
    current = MigrationContext.configure(conn).get_current_revision()
    if current is None:
        return "missing"
    if current == packaged_head():
        return "ok"
    return "outdated" if current in known_revisions() else "newer"


def newer_schema(database_url: str, current: str) -> str:
    """Say in one line that a later release migrated the database, and what to do."""
    where = make_url(database_url).render_as_string(hide_password=True)
    return (
        f"the database at {where} is at schema revision {current}, newer than this release"
        f" ({packaged_head()}): run the release that migrated it; init-db cannot take it back"
    )

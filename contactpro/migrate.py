"""Run the Alembic migrations that ship inside the package."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from contactpro.db import make_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """Return an Alembic config pointing at the packaged migrations and this database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema up to ``revision``."""
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


def schema_state(conn: Connection) -> str:
    """Return ``ok``, ``missing`` (never migrated) or ``outdated`` (another revision).

    Both of the last two are fixed by ``contactpro init-db``.
    """
    current = MigrationContext.configure(conn).get_current_revision()
    if current is None:
        return "missing"
    return "ok" if current == packaged_head() else "outdated"

"""The Alembic migrations build exactly the schema the models describe, and go back down."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from contactpro import migrate
from contactpro.db import make_engine
from contactpro.models import Base


def test_upgrade_matches_models_and_downgrade_empties(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    migrate.upgrade(url)
    assert migrate.current_revision(url) == migrate.head_revision(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []
    tables = set(inspect(engine).get_table_names())
    assert {
        "customers",
        "accounts",
        "invoices",
        "payments",
        "interactions",
        "turns",
        "escalations",
        "agents",
    } <= tables
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("interactions")}
    assert "ix_interactions_channel_started_at" in indexes
    migrate.downgrade(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()

"""The Alembic migrations build exactly the schema the models describe, and go back down."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

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


def test_turn_counts_lagging_behind_stored_turns_are_repaired(tmp_path: Path):
    """A conversation whose agent SMS was stored without being counted takes its next turn
    after the last one once migrated, instead of colliding with it."""
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    migrate.upgrade(url, "0014")
    engine = make_engine(url)
    with engine.begin() as conn:
        for interaction_id, count, sequences in ((1, 2, (1, 2, 3)), (2, 2, (1, 2))):
            conn.execute(
                text(
                    "INSERT INTO interactions (id, channel, twilio_sid, from_number, to_number,"
                    " started_at, last_activity_at, status, turn_count, state)"
                    " VALUES (:id, 'sms', :sid, '+573001112233', '+15550001', :now, :now,"
                    " 'active', :count, '{}')"
                ),
                {"id": interaction_id, "sid": f"SM{interaction_id}", "now": "2026-12-01",
                 "count": count},
            )  # fmt: skip
            for sequence in sequences:
                conn.execute(
                    text(
                        "INSERT INTO turns (interaction_id, sequence, speaker, text, source,"
                        " entities, created_at)"
                        " VALUES (:i, :s, 'caller', 'hola', 'text', '{}', '2026-12-01')"
                    ),
                    {"i": interaction_id, "s": sequence},
                )
    migrate.upgrade(url)
    with engine.connect() as conn:
        counts = dict(conn.execute(text("SELECT id, turn_count FROM interactions")).all())
    assert counts == {1: 3, 2: 2}
    engine.dispose()

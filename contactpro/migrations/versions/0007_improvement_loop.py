"""improvement loop: imported conversation datasets, the similar-case index, runs, proposals

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "case_vectors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False, comment="live or dataset"),
        sa.Column(
            "ref_id",
            sa.Integer(),
            nullable=False,
            comment="interactions.id or dataset_conversations.id",
        ),
        sa.Column("encoder", sa.String(length=40), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("call_type", sa.String(length=60), nullable=True),
        sa.Column("failure_step", sa.String(length=60), nullable=True),
        sa.Column("failure_reason", sa.String(length=80), nullable=True),
        sa.Column("segment", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("intent", sa.String(length=40), nullable=True),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_vectors")),
        sa.UniqueConstraint("source", "ref_id", "encoder", name="uq_case_vectors_source"),
    )
    with op.batch_alter_table("case_vectors", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_vectors_encoder_reason", ["encoder", "failure_reason"], unique=False
        )

    op.create_table(
        "dataset_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=80), nullable=False),
        sa.Column("external_id", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.Column("duration_seconds", sa.Double(), nullable=True),
        sa.Column("csat", sa.Double(), nullable=True),
        sa.Column("csat_estimated", sa.Boolean(), nullable=False),
        sa.Column("call_type", sa.String(length=60), nullable=True),
        sa.Column("failure_step", sa.String(length=60), nullable=True),
        sa.Column("failure_reason", sa.String(length=80), nullable=True),
        sa.Column("segment", sa.String(length=40), nullable=True),
        sa.Column("transcript", JSON, nullable=False),
        sa.Column("meta", JSON, nullable=False),
        sa.Column("outcomes", JSON, nullable=False),
        sa.Column("imported_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_conversations")),
        sa.UniqueConstraint("dataset", "external_id", name="uq_dataset_conversations_dataset"),
    )
    op.create_table(
        "improve_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", JSON, nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False, comment="rules or llm"),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improve_proposals")),
    )
    op.create_table(
        "improve_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("results", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improve_runs")),
    )


def downgrade() -> None:
    op.drop_table("improve_runs")
    op.drop_table("improve_proposals")
    op.drop_table("dataset_conversations")
    with op.batch_alter_table("case_vectors", schema=None) as batch_op:
        batch_op.drop_index("ix_case_vectors_encoder_reason")

    op.drop_table("case_vectors")

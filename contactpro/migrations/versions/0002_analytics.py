"""analytics: analysis runs, interaction and customer scores

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 05:37:32.302678
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "analysis_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False, comment="hourly, daily, manual"),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False, comment="exclusive"),
        sa.Column("code_version", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=True, comment="wall time of the run"),
        sa.Column("results", JSON, nullable=False),
        sa.Column("outputs", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_runs")),
    )
    with op.batch_alter_table("analysis_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_analysis_runs_kind_period_end", ["kind", "period_end"], unique=False
        )

    op.create_table(
        "customer_scores",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("conformity", sa.Double(), nullable=False, comment="0..100"),
        sa.Column(
            "billing",
            sa.Numeric(precision=12, scale=2),
            nullable=False,
            comment="monthly charge of active accounts",
        ),
        sa.Column(
            "quadrant",
            sa.String(length=10),
            nullable=False,
            comment="let_go, retain, care, monitor",
        ),
        sa.Column("interactions", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_scores_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["analysis_runs.id"],
            name=op.f("fk_customer_scores_run_id_analysis_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_scores")),
    )
    with op.batch_alter_table("customer_scores", schema=None) as batch_op:
        batch_op.create_index("ix_customer_scores_quadrant", ["quadrant"], unique=False)

    op.create_table(
        "interaction_scores",
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text_score", sa.Double(), nullable=True, comment="0..1 from the language model"),
        sa.Column(
            "behaviour_score",
            sa.Double(),
            nullable=False,
            comment="0..1 from outcome and signals",
        ),
        sa.Column("conformity", sa.Double(), nullable=False, comment="0..100"),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_interaction_scores_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_interaction_scores_interaction_id_interactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("interaction_id", name=op.f("pk_interaction_scores")),
    )
    with op.batch_alter_table("interaction_scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interaction_scores_customer_started_at",
            ["customer_id", "started_at"],
            unique=False,
        )
        batch_op.create_index("ix_interaction_scores_started_at", ["started_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("interaction_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_interaction_scores_started_at")
        batch_op.drop_index("ix_interaction_scores_customer_started_at")
    op.drop_table("interaction_scores")
    with op.batch_alter_table("customer_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_scores_quadrant")
    op.drop_table("customer_scores")
    with op.batch_alter_table("analysis_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_analysis_runs_kind_period_end")
    op.drop_table("analysis_runs")

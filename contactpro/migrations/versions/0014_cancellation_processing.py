"""cancellation_processing: who applied or processed a cancellation request, and when

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cancellation_requests") as batch:
        batch.add_column(sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("processed_by", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_cancellation_requests_processed_by_agents"),
            "agents",
            ["processed_by"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("cancellation_requests") as batch:
        batch.drop_constraint(
            op.f("fk_cancellation_requests_processed_by_agents"), type_="foreignkey"
        )
        batch.drop_column("processed_by")
        batch.drop_column("processed_at")

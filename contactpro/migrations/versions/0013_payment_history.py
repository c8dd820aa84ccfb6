"""payment_history: payment history, expected value and cost of recovery in customer_scores

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customer_scores") as batch:
        batch.add_column(
            sa.Column(
                "days_past_due",
                sa.Integer(),
                nullable=False,
                server_default="0",
                comment="oldest unpaid invoice",
            )
        )
        batch.add_column(
            sa.Column(
                "on_time_share",
                sa.Double(),
                nullable=False,
                server_default="1",
                comment="0..1, invoices of the last months paid by their due date",
            )
        )
        batch.add_column(
            sa.Column(
                "expected_value",
                sa.Numeric(precision=12, scale=2),
                nullable=False,
                server_default="0",
                comment="billing x value months x on-time share",
            )
        )
        batch.add_column(
            sa.Column(
                "recovery_cost",
                sa.Numeric(precision=12, scale=2),
                nullable=False,
                server_default="0",
                comment="estimated cost of recovery when scored",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_scores") as batch:
        batch.drop_column("recovery_cost")
        batch.drop_column("expected_value")
        batch.drop_column("on_time_share")
        batch.drop_column("days_past_due")

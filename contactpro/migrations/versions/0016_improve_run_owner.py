"""improve_run_owner: the machine and process running a replay, and its last sign of life

A replay killed outright (``kill -9``, a lost worker or machine) cannot mark itself failed;
with these, a run whose process is gone or silent is shown failed instead of running forever.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("improve_runs") as batch:
        batch.add_column(
            sa.Column("host", sa.String(length=255), nullable=True, comment="machine running it")
        )
        batch.add_column(
            sa.Column(
                "pid", sa.Integer(), nullable=True, comment="process running it, on that machine"
            )
        )
        batch.add_column(
            sa.Column(
                "heartbeat_at",
                sa.DateTime(timezone=True),
                nullable=True,
                comment="last sign of life while running",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("improve_runs") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("pid")
        batch.drop_column("host")

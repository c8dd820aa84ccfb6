"""applied_parts: the approved proposals' templates and articles kept in the database

They lived only in the var dir of the machine that approved them, so a web or worker machine
with its own disk kept answering with the old wording. Each process now mirrors these rows.

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "applied_parts",
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("path", name=op.f("pk_applied_parts")),
    )


def downgrade() -> None:
    op.drop_table("applied_parts")

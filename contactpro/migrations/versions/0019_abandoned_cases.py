"""case_vectors: an abandoned conversation's failure reason is "abandoned"

Indexed with no reason, abandoned conversations could not be picked in the explain filters
(`--failure-reason abandoned`, the console's reason list) though the reports count them.

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE case_vectors SET failure_reason = 'abandoned' "
        "WHERE outcome = 'abandoned' AND failure_reason IS NULL"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE case_vectors SET failure_reason = NULL "
        "WHERE outcome = 'abandoned' AND failure_reason = 'abandoned'"
    )

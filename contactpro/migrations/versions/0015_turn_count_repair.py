"""turn_count_repair: bring each conversation's turn count up to its last turn's sequence

Agent SMS were once stored with a sequence of their own without counting the turn, so the next
customer turn of such a conversation collided with it and was lost. New turns are numbered from
``interactions.turn_count``; this lifts it to the highest stored sequence where it lags.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        UPDATE interactions SET turn_count = (
            SELECT MAX(turns.sequence) FROM turns WHERE turns.interaction_id = interactions.id
        )
        WHERE turn_count < (
            SELECT MAX(turns.sequence) FROM turns WHERE turns.interaction_id = interactions.id
        )
        """
    )


def downgrade() -> None:
    """Nothing to undo: the counts were wrong before."""

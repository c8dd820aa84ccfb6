"""console sessions and log-in attempts

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, comment="sha256 of token"),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_console_sessions_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_console_sessions_token_hash")),
    )
    op.create_index(
        "ix_console_sessions_agent_id_ended_at", "console_sessions", ["agent_id", "ended_at"]
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "account",
            sa.String(length=64),
            nullable=False,
            comment="sha256 of the lower-case e-mail",
        ),
        sa.Column(
            "address", sa.String(length=45), nullable=False, comment="client address; '' for any"
        ),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index(
        "ix_login_attempts_account_created_at", "login_attempts", ["account", "created_at"]
    )
    op.create_index(
        "ix_login_attempts_address_created_at", "login_attempts", ["address", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_login_attempts_address_created_at", table_name="login_attempts")
    op.drop_index("ix_login_attempts_account_created_at", table_name="login_attempts")
    op.drop_table("login_attempts")
    op.drop_index("ix_console_sessions_agent_id_ended_at", table_name="console_sessions")
    op.drop_table("console_sessions")

"""whatsapp_profile: the WhatsApp profile name and WhatsApp ID a customer writes with

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.add_column(
            sa.Column(
                "profile_name",
                sa.String(length=100),
                nullable=True,
                comment="WhatsApp ProfileName of the latest message",
            )
        )
        batch.add_column(
            sa.Column(
                "wa_id", sa.String(length=20), nullable=True, comment="WhatsApp WaId of the sender"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.drop_column("wa_id")
        batch.drop_column("profile_name")

"""local time and contracts: a customer's own time zone and an account's contract number

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(
            sa.Column(
                "timezone",
                sa.String(length=40),
                nullable=True,
                comment="IANA zone; empty: the company's",
            )
        )
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("contract_number", sa.String(length=20), nullable=True))
        batch.create_index("ix_accounts_contract_number", ["contract_number"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_index("ix_accounts_contract_number")
        batch.drop_column("contract_number")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("timezone")

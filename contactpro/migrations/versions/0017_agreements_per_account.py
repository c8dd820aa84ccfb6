"""agreements_per_account: a conversation may book one agreement on each of the customer's accounts

A customer with two overdue accounts who settles both in one conversation had the second booking
refused by the database (one agreement per conversation) and was handed over for a technical
error. An agreement is now unique per conversation and account.

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payment_agreements") as batch:
        batch.drop_constraint("uq_payment_agreements_interaction_id", type_="unique")
        batch.create_unique_constraint(
            "uq_payment_agreements_interaction_id", ["interaction_id", "account_id"]
        )


def downgrade() -> None:
    # Fails while a conversation holds agreements on two accounts: keep one of them first.
    with op.batch_alter_table("payment_agreements") as batch:
        batch.drop_constraint("uq_payment_agreements_interaction_id", type_="unique")
        batch.create_unique_constraint("uq_payment_agreements_interaction_id", ["interaction_id"])

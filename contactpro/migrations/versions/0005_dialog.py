"""resolution dialog: payment agreements, outages, surveys, cancellation requests

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
MONEY = sa.Numeric(precision=12, scale=2)


def upgrade() -> None:
    op.create_table(
        "payment_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind", sa.String(length=12), nullable=False, comment="settlement or instalments"
        ),
        sa.Column("debt_amount", MONEY, nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("discount_pct", MONEY, nullable=False),
        sa.Column("instalments", sa.Integer(), nullable=False),
        sa.Column("instalment_amount", MONEY, nullable=False),
        sa.Column("first_due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            ondelete="CASCADE",
            name=op.f("fk_payment_agreements_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            ondelete="SET NULL",
            name=op.f("fk_payment_agreements_interaction_id_interactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_agreements")),
        sa.UniqueConstraint("interaction_id", name=op.f("uq_payment_agreements_interaction_id")),
    )
    op.create_index("ix_payment_agreements_account_id", "payment_agreements", ["account_id"])
    op.create_table(
        "service_outages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("city", sa.String(length=60), nullable=False),
        sa.Column("description_es", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("expected_end_at", TS, nullable=True),
        sa.Column("resolved_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_outages")),
    )
    op.create_index("ix_service_outages_city_starts_at", "service_outages", ["city", "starts_at"])
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("sent_at", TS, nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("answered_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            ondelete="CASCADE",
            name=op.f("fk_survey_responses_interaction_id_interactions"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            ondelete="SET NULL",
            name=op.f("fk_survey_responses_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint("interaction_id", name=op.f("uq_survey_responses_interaction_id")),
    )
    op.create_index("ix_survey_responses_phone_sent_at", "survey_responses", ["phone", "sent_at"])
    op.create_table(
        "cancellation_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column("quadrant", sa.String(length=10), nullable=False),
        sa.Column("offer", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            ondelete="CASCADE",
            name=op.f("fk_cancellation_requests_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            ondelete="SET NULL",
            name=op.f("fk_cancellation_requests_interaction_id_interactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cancellation_requests")),
    )
    op.create_index(
        "ix_cancellation_requests_outcome", "cancellation_requests", ["outcome", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_cancellation_requests_outcome", table_name="cancellation_requests")
    op.drop_table("cancellation_requests")
    op.drop_index("ix_survey_responses_phone_sent_at", table_name="survey_responses")
    op.drop_table("survey_responses")
    op.drop_index("ix_service_outages_city_starts_at", table_name="service_outages")
    op.drop_table("service_outages")
    op.drop_index("ix_payment_agreements_account_id", table_name="payment_agreements")
    op.drop_table("payment_agreements")

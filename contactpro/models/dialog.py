"""What conversations leave behind: payment agreements, outages, surveys, cancellation requests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from contactpro.models.base import Base, utcnow


class PaymentAgreement(Base):
    """A debt settlement or instalment plan the customer accepted."""

    __tablename__ = "payment_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(12), comment="settlement or instalments")
    debt_amount: Mapped[Decimal]
    total: Mapped[Decimal]
    discount_pct: Mapped[Decimal]
    instalments: Mapped[int]
    instalment_amount: Mapped[Decimal]
    first_due: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_payment_agreements_account_id", "account_id"),
        # A conversation books one agreement per account (two debts may be settled in one).
        UniqueConstraint("interaction_id", "account_id"),
    )


class ServiceOutage(Base):
    """A known service outage in an area, entered by operations."""

    __tablename__ = "service_outages"

    id: Mapped[int] = mapped_column(primary_key=True)
    city: Mapped[str] = mapped_column(String(60))
    description_es: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime]
    expected_end_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_service_outages_city_starts_at", "city", "starts_at"),)


class SurveyResponse(Base):
    """The one-question satisfaction survey (1-5) sent after a resolved interaction."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), unique=True
    )
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    phone: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    score: Mapped[int | None]
    answered_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_survey_responses_phone_sent_at", "phone", "sent_at"),)


class CancellationRequest(Base):
    """A customer's request to cancel, and how retention ended: retained, cancelled, escalated."""

    __tablename__ = "cancellation_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL")
    )
    quadrant: Mapped[str] = mapped_column(String(10))
    offer: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When and by whom the team applied the offer or processed the cancellation.
    processed_at: Mapped[datetime | None]
    processed_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))

    __table_args__ = (Index("ix_cancellation_requests_outcome", "outcome", "created_at"),)

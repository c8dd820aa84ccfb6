"""Stored analysis runs and the scores analytics keeps per interaction and per customer."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from contactpro.models.base import Base, JSONType, utcnow

QUADRANTS = ("let_go", "retain", "care", "monitor")
RUN_KINDS = ("hourly", "daily", "manual")


class AnalysisRun(Base):
    """One analysis of a period: the figures, where its files went and which code made them."""

    __tablename__ = "analysis_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), comment="hourly, daily, manual")
    period_start: Mapped[datetime]
    period_end: Mapped[datetime] = mapped_column(comment="exclusive")
    code_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seconds: Mapped[float | None] = mapped_column(comment="wall time of the run")
    results: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    outputs: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    __table_args__ = (Index("ix_analysis_runs_kind_period_end", "kind", "period_end"),)


class InteractionScore(Base):
    """The conformity of one closed interaction: what the caller said and how it went."""

    __tablename__ = "interaction_scores"

    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    started_at: Mapped[datetime]
    text_score: Mapped[float | None] = mapped_column(comment="0..1 from the language model")
    behaviour_score: Mapped[float] = mapped_column(comment="0..1 from outcome and signals")
    conformity: Mapped[float] = mapped_column(comment="0..100")
    model_version: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_interaction_scores_customer_started_at", "customer_id", "started_at"),
        Index("ix_interaction_scores_started_at", "started_at"),
    )


class CustomerScore(Base):
    """A customer's latest conformity, billing level and priority-matrix quadrant."""

    __tablename__ = "customer_scores"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    conformity: Mapped[float] = mapped_column(comment="0..100")
    billing: Mapped[Decimal] = mapped_column(comment="monthly charge of active accounts")
    quadrant: Mapped[str] = mapped_column(String(10), comment="let_go, retain, care, monitor")
    interactions: Mapped[int]
    days_past_due: Mapped[int] = mapped_column(default=0, comment="oldest unpaid invoice")
    on_time_share: Mapped[float] = mapped_column(
        default=1.0, comment="0..1, invoices of the last months paid by their due date"
    )
    expected_value: Mapped[Decimal] = mapped_column(
        default=Decimal("0"), comment="billing x value months x on-time share"
    )
    recovery_cost: Mapped[Decimal] = mapped_column(
        default=Decimal("0"), comment="estimated cost of recovery when scored"
    )
    run_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_runs.id", ondelete="SET NULL"))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_customer_scores_quadrant", "quadrant"),)

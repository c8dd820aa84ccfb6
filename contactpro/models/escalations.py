"""Escalations to human agents, and the agents themselves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contactpro.models.base import Base, JSONType, utcnow
from contactpro.models.interactions import Interaction

ESCALATION_STATUSES = ("open", "claimed", "resolved", "abandoned")
ROLES = ("agent", "manager", "admin")


class Agent(Base):
    """A person who works escalations (or manages those who do)."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(120), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(10), default="agent")
    languages: Mapped[str] = mapped_column(String(20), default="es,en")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(String(64), comment="base32; None: off")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Escalation(Base):
    """A hand-off to a person, with everything the bot learned in ``context``."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), unique=True
    )
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    priority: Mapped[int] = mapped_column(default=50, comment="0 lowest .. 100 highest")
    reason: Mapped[str] = mapped_column(String(40))
    queue: Mapped[str] = mapped_column(String(40))
    context: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    queue_result: Mapped[str | None] = mapped_column(String(20))
    queue_seconds: Mapped[int | None]
    resolution: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]

    interaction: Mapped[Interaction] = relationship()
    agent: Mapped[Agent | None] = relationship()

    __table_args__ = (
        Index("ix_escalations_status_priority", "status", "priority"),
        Index("ix_escalations_created_at", "created_at"),
        Index("ix_escalations_reason_created_at", "reason", "created_at"),
    )

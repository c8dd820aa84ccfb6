"""What the console stores: configuration set by managers, its audit trail, and call-backs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from contactpro.models.base import Base, JSONType, utcnow

CALLBACK_STATUSES = ("scheduled", "done", "cancelled")


class ConfigEntry(Base):
    """One runtime setting changed from the console (thresholds, hours, offers, templates)."""

    __tablename__ = "config_entries"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))


class AuditLog(Base):
    """Who did what to which object, and what it looked like before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40), comment="config.set, escalation.resolve...")
    target: Mapped[str] = mapped_column(String(120), comment="config:<key>, escalation:<id>")
    before: Mapped[Any | None] = mapped_column(JSONType)
    after: Mapped[Any | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_audit_log_created_at", "created_at"),
        Index("ix_audit_log_target_created_at", "target", "created_at"),
    )


class Callback(Base):
    """A call-back an agent promised a customer."""

    __tablename__ = "callbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id", ondelete="CASCADE"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    phone: Mapped[str] = mapped_column(String(32))
    scheduled_for: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_callbacks_status_scheduled_for", "status", "scheduled_for"),
        Index("ix_callbacks_escalation_id", "escalation_id"),
    )

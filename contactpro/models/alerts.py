"""Operational alerts raised when a watched figure crosses its threshold."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from contactpro.models.base import Base, utcnow


class Alert(Base):
    """One episode of a figure past its threshold: raised, updated while it lasts, cleared."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    value: Mapped[float]
    threshold: Mapped[float]
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    cleared_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_alerts_key_cleared_at", "key", "cleared_at"),)

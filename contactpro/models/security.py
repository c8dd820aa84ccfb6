"""What protects console accounts: server-side sessions and the log-in attempts record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from contactpro.models.base import Base, utcnow

SESSION_END_REASONS = ("logout", "password", "deactivated", "idle", "expired", "admin")
LOGIN_OUTCOMES = ("failure", "success", "unlock")


class ConsoleSession(Base):
    """One log-in of a console user; the cookie carries only a random token for it."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="sha256 of token")
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(12))

    __table_args__ = (Index("ix_console_sessions_agent_id_ended_at", "agent_id", "ended_at"),)


class LoginAttempt(Base):
    """A log-in failure or success, or an admin lifting a lockout, per account and address."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(64), comment="sha256 of the lower-case e-mail")
    address: Mapped[str] = mapped_column(String(45), comment="client address; '' for any")
    outcome: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_login_attempts_account_created_at", "account", "created_at"),
        Index("ix_login_attempts_address_created_at", "address", "created_at"),
    )

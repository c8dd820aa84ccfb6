"""Interactions (one call or SMS conversation) and their turns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contactpro.models.base import Base, JSONType, utcnow
from contactpro.models.customers import Customer

CHANNELS = ("voice", "sms", "whatsapp")
# Channels whose conversations are written messages (inactivity, replies by message).
MESSAGING_CHANNELS = ("sms", "whatsapp")
STATUSES = ("active", "closed")
OUTCOMES = ("auto_resolved", "escalated", "abandoned")
SPEAKERS = ("caller", "bot", "agent")
SOURCES = ("speech", "dtmf", "sms", "recording", "system", "voice_note")


class Interaction(Base):
    """One phone call, or one SMS or WhatsApp conversation, from first contact to close."""

    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    twilio_sid: Mapped[str] = mapped_column(String(64), comment="CallSid, or first MessageSid")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    from_number: Mapped[str] = mapped_column(String(32))
    to_number: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(10), default="active")
    outcome: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(2))
    duration_seconds: Mapped[int | None]
    twilio_status: Mapped[str | None] = mapped_column(String(20), comment="last CallStatus")
    close_reason: Mapped[str | None] = mapped_column(String(40))
    turn_count: Mapped[int] = mapped_column(default=0, comment="turns stored so far")
    state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    profile_name: Mapped[str | None] = mapped_column(
        String(100), comment="WhatsApp ProfileName of the latest message"
    )
    wa_id: Mapped[str | None] = mapped_column(String(20), comment="WhatsApp WaId of the sender")

    customer: Mapped[Customer | None] = relationship()
    turns: Mapped[list[Turn]] = relationship(
        back_populates="interaction", order_by="Turn.sequence", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("channel", "twilio_sid", name="uq_interactions_channel_sid"),
        Index("ix_interactions_started_at", "started_at"),
        Index("ix_interactions_channel_started_at", "channel", "started_at"),
        Index("ix_interactions_customer_started_at", "customer_id", "started_at"),
        Index("ix_interactions_outcome_started_at", "outcome", "started_at"),
        Index("ix_interactions_status_last_activity", "status", "last_activity_at"),
        Index("ix_interactions_from_number_started_at", "from_number", "started_at"),
    )


class Turn(Base):
    """One exchange: what a speaker said, how it was understood and what the bot replied."""

    __tablename__ = "turns"

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    speaker: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(10))
    asr_confidence: Mapped[float | None]
    intent: Mapped[str | None] = mapped_column(String(40))
    confidence: Mapped[float | None]
    tier: Mapped[str | None] = mapped_column(String(8), comment="rules, model, llm, none")
    entities: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    reply: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(String(20), comment="answer, reprompt, escalate...")
    latency_ms: Mapped[float | None]
    twilio_key: Mapped[str | None] = mapped_column(
        String(96), unique=True, comment="MessageSid or CallSid:step; makes retries idempotent"
    )
    delivery_status: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    interaction: Mapped[Interaction] = relationship(back_populates="turns")

    __table_args__ = (
        UniqueConstraint("interaction_id", "sequence", name="uq_turns_interaction_sequence"),
        Index("ix_turns_intent_created_at", "intent", "created_at"),
        Index("ix_turns_tier_created_at", "tier", "created_at"),
    )

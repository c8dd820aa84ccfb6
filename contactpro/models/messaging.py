"""Messaging tables: files customers send with a message, and messages we send them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contactpro.models.base import Base, utcnow
from contactpro.models.interactions import Interaction

MEDIA_KINDS = ("audio", "image", "document", "video", "other")
# received: kept as a reference (images, documents); queued -> transcribed -> answered for voice
# notes; empty (no speech), too_long and failed (fetch or decode) are answered and kept too.
MEDIA_STATUSES = ("received", "queued", "transcribed", "answered", "empty", "too_long", "failed")
OUTBOUND_STATUSES = ("sent", "skipped", "failed")


class MessageMedia(Base):
    """One file attached to an inbound message (MMS or WhatsApp), and what became of it.

    Images and documents are kept as references for the agent; audio (a voice note) is
    transcribed by a worker and its transcript entered as the customer's turn.
    """

    __tablename__ = "message_media"

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"))
    turn_id: Mapped[int | None] = mapped_column(
        ForeignKey("turns.id", ondelete="SET NULL"), comment="the turn that acknowledged it"
    )
    message_sid: Mapped[str] = mapped_column(String(34))
    position: Mapped[int] = mapped_column(comment="N of MediaUrlN")
    url: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10), comment="audio, image, document, video, other")
    status: Mapped[str] = mapped_column(String(12), default="received")
    failure_reason: Mapped[str | None] = mapped_column(String(40))
    transcript: Mapped[str | None] = mapped_column(Text)
    asr_confidence: Mapped[float | None]
    language: Mapped[str | None] = mapped_column(String(2))
    duration_seconds: Mapped[float | None]
    model: Mapped[str | None] = mapped_column(String(80))
    processing_seconds: Mapped[float | None]
    reply_turn_id: Mapped[int | None] = mapped_column(
        ForeignKey("turns.id", ondelete="SET NULL"), comment="the turn answering a voice note"
    )
    reply_sid: Mapped[str | None] = mapped_column(String(34), comment="MessageSid of the answer")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    interaction: Mapped[Interaction] = relationship()

    __table_args__ = (
        UniqueConstraint("message_sid", "position", name="uq_message_media_message_position"),
        Index("ix_message_media_interaction_id", "interaction_id"),
    )


class OutboundMessage(Base):
    """A message we sent (or decided not to send) outside a reply, with the reason.

    WhatsApp lets a business write freely only within 24 hours of the customer's last message;
    outside that window only an approved template (Content SID) may be sent, or nothing.
    """

    __tablename__ = "outbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(8))
    purpose: Mapped[str] = mapped_column(String(30), comment="reply, survey, inactivity_warning...")
    to_number: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(8), comment="sent, skipped or failed")
    reason: Mapped[str | None] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text, default="")
    content_sid: Mapped[str | None] = mapped_column(String(34))
    message_sid: Mapped[str | None] = mapped_column(String(34))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_outbound_messages_interaction_id", "interaction_id"),)

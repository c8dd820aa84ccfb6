"""Voice-only tables: call recordings and the slow work a caller is held for."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contactpro.models.base import Base, JSONType, utcnow
from contactpro.models.interactions import Interaction

RECORDING_KINDS = ("call", "voicemail", "turn")
# Twilio's RecordingStatus values.
RECORDING_STATUSES = ("in-progress", "completed", "absent", "failed")
TRANSCRIPTION_STATUSES = ("pending", "queued", "done", "empty", "failed")
JOB_KINDS = ("turn", "transcribe")
JOB_STATUSES = ("pending", "done", "failed", "expired")


class Recording(Base):
    """One Twilio recording of a call, a voicemail or a recorded turn, and its transcript."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"))
    recording_sid: Mapped[str] = mapped_column(String(34), unique=True)
    call_sid: Mapped[str] = mapped_column(String(34))
    kind: Mapped[str] = mapped_column(String(10), comment="call, voicemail or turn")
    url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), comment="Twilio's RecordingStatus")
    duration_seconds: Mapped[int | None]
    channels: Mapped[int | None]
    source: Mapped[str | None] = mapped_column(String(40), comment="Twilio's RecordingSource")
    error_code: Mapped[str | None] = mapped_column(String(10))
    transcription_status: Mapped[str] = mapped_column(String(10), default="pending")
    failure_reason: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(2))
    transcript: Mapped[str | None] = mapped_column(Text)
    segments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    model: Mapped[str | None] = mapped_column(String(80))
    backend: Mapped[str | None] = mapped_column(String(20))
    processing_seconds: Mapped[float | None]
    transcribed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    interaction: Mapped[Interaction] = relationship()

    __table_args__ = (
        Index("ix_recordings_interaction_id", "interaction_id"),
        Index(
            "ix_recordings_transcription_status_created_at", "transcription_status", "created_at"
        ),
    )


class VoiceJob(Base):
    """Work a caller is held for (an LLM turn, a transcription), polled by the hold loop.

    ``twilio_key`` is the Twilio request that started it, so a retried request finds the same
    job. Exactly one of the worker (``done``/``failed``) and the poll past ``deadline_at``
    (``expired``) moves it out of ``pending``.
    """

    __tablename__ = "voice_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"))
    twilio_key: Mapped[str] = mapped_column(String(96), unique=True)
    kind: Mapped[str] = mapped_column(String(10), comment="turn or transcribe")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    failure_reason: Mapped[str | None] = mapped_column(String(40))
    polls: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]

    interaction: Mapped[Interaction] = relationship()

    __table_args__ = (Index("ix_voice_jobs_interaction_id", "interaction_id"),)

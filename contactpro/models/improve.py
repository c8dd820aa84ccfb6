"""Imported conversation datasets, the similar-case index, replay runs and proposals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from contactpro.models.base import Base, JSONType, utcnow


class DatasetConversation(Base):
    """One imported conversation (JSONL or IVR log), kept apart from live interactions."""

    __tablename__ = "dataset_conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset: Mapped[str] = mapped_column(String(80))
    external_id: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str | None] = mapped_column(String(8))
    language: Mapped[str | None] = mapped_column(String(2))
    started_at: Mapped[datetime | None]
    resolved: Mapped[bool | None]
    duration_seconds: Mapped[float | None]
    csat: Mapped[float | None]
    csat_estimated: Mapped[bool] = mapped_column(default=True)
    call_type: Mapped[str | None] = mapped_column(String(60))
    failure_step: Mapped[str | None] = mapped_column(String(60))
    failure_reason: Mapped[str | None] = mapped_column(String(80))
    segment: Mapped[str | None] = mapped_column(String(40))
    transcript: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    outcomes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("dataset", "external_id", name="uq_dataset_conversations_dataset"),
    )


class CaseVector(Base):
    """One conversation embedded once, with the fields explanations filter on."""

    __tablename__ = "case_vectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(8), comment="live or dataset")
    ref_id: Mapped[int] = mapped_column(comment="interactions.id or dataset_conversations.id")
    encoder: Mapped[str] = mapped_column(String(40))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    text: Mapped[str] = mapped_column(Text, default="")
    call_type: Mapped[str | None] = mapped_column(String(60))
    failure_step: Mapped[str | None] = mapped_column(String(60))
    failure_reason: Mapped[str | None] = mapped_column(String(80))
    segment: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(16))
    intent: Mapped[str | None] = mapped_column(String(40))
    started_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("source", "ref_id", "encoder", name="uq_case_vectors_source"),
        Index("ix_case_vectors_encoder_reason", "encoder", "failure_reason"),
    )


class ImproveRun(Base):
    """One replay (or other long improvement job): its progress and its figures."""

    __tablename__ = "improve_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="replay")
    status: Mapped[str] = mapped_column(String(10), default="queued")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    results: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    host: Mapped[str | None] = mapped_column(String(255), comment="machine running it")
    pid: Mapped[int | None] = mapped_column(comment="process running it, on that machine")
    heartbeat_at: Mapped[datetime | None] = mapped_column(comment="last sign of life while running")


class Proposal(Base):
    """A drafted change (template, article, intent examples, threshold, tool) and its decision."""

    __tablename__ = "improve_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    source: Mapped[str] = mapped_column(String(12), default="rules", comment="rules or llm")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(80))


class AppliedPart(Base):
    """One file of the layer approved proposals put over templates and articles.

    ``path`` is relative to the layer ("templates/es.toml", "kb/es/roaming.md"); the row
    "version" changes with every approval. Every process serving the bot mirrors these rows
    into its var dir (:mod:`contactpro.dialog.applied`), so web and worker machines need no
    shared folder.
    """

    __tablename__ = "applied_parts"

    path: Mapped[str] = mapped_column(String(255), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

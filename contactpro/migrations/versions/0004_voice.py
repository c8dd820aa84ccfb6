"""voice: recordings and held voice work

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("recording_sid", sa.String(length=34), nullable=False),
        sa.Column("call_sid", sa.String(length=34), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False, comment="call, voicemail or turn"),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column(
            "status", sa.String(length=12), nullable=False, comment="Twilio's RecordingStatus"
        ),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("channels", sa.Integer(), nullable=True),
        sa.Column(
            "source", sa.String(length=40), nullable=True, comment="Twilio's RecordingSource"
        ),
        sa.Column("error_code", sa.String(length=10), nullable=True),
        sa.Column("transcription_status", sa.String(length=10), nullable=False),
        sa.Column("failure_reason", sa.String(length=40), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.Column("segments", JSON, nullable=True),
        sa.Column("model", sa.String(length=80), nullable=True),
        sa.Column("backend", sa.String(length=20), nullable=True),
        sa.Column("processing_seconds", sa.Double(), nullable=True),
        sa.Column("transcribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_recordings_interaction_id_interactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recordings")),
        sa.UniqueConstraint("recording_sid", name=op.f("uq_recordings_recording_sid")),
    )
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.create_index("ix_recordings_interaction_id", ["interaction_id"], unique=False)
        batch_op.create_index(
            "ix_recordings_transcription_status_created_at",
            ["transcription_status", "created_at"],
            unique=False,
        )
    op.create_table(
        "voice_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("twilio_key", sa.String(length=96), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False, comment="turn or transcribe"),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("result", JSON, nullable=True),
        sa.Column("failure_reason", sa.String(length=40), nullable=True),
        sa.Column("polls", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_voice_jobs_interaction_id_interactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_jobs")),
        sa.UniqueConstraint("twilio_key", name=op.f("uq_voice_jobs_twilio_key")),
    )
    with op.batch_alter_table("voice_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_voice_jobs_interaction_id", ["interaction_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("voice_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_voice_jobs_interaction_id")
    op.drop_table("voice_jobs")
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.drop_index("ix_recordings_transcription_status_created_at")
        batch_op.drop_index("ix_recordings_interaction_id")
    op.drop_table("recordings")

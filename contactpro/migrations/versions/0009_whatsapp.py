"""whatsapp: media sent with messages (voice notes, images) and outbound messages

The ``whatsapp`` channel and the ``voice_note`` turn source fit the existing columns
(``interactions.channel`` String(8), ``turns.source`` String(10), neither constrained).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("turn_id", sa.Integer(), nullable=True, comment="the turn that acknowledged it"),
        sa.Column("message_sid", sa.String(length=34), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, comment="N of MediaUrlN"),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.String(length=10),
            nullable=False,
            comment="audio, image, document, video, other",
        ),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("failure_reason", sa.String(length=40), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.Column("asr_confidence", sa.Double(), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("duration_seconds", sa.Double(), nullable=True),
        sa.Column("model", sa.String(length=80), nullable=True),
        sa.Column("processing_seconds", sa.Double(), nullable=True),
        sa.Column(
            "reply_turn_id",
            sa.Integer(),
            nullable=True,
            comment="the turn answering a voice note",
        ),
        sa.Column(
            "reply_sid", sa.String(length=34), nullable=True, comment="MessageSid of the answer"
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_message_media_interaction_id_interactions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["turn_id"],
            ["turns.id"],
            name=op.f("fk_message_media_turn_id_turns"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reply_turn_id"],
            ["turns.id"],
            name=op.f("fk_message_media_reply_turn_id_turns"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_media")),
        sa.UniqueConstraint("message_sid", "position", name="uq_message_media_message_position"),
    )
    op.create_index("ix_message_media_interaction_id", "message_media", ["interaction_id"])
    op.create_table(
        "outbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column(
            "purpose",
            sa.String(length=30),
            nullable=False,
            comment="reply, survey, inactivity_warning...",
        ),
        sa.Column("to_number", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False, comment="sent, skipped or failed"),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("content_sid", sa.String(length=34), nullable=True),
        sa.Column("message_sid", sa.String(length=34), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_outbound_messages_interaction_id_interactions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_messages")),
    )
    op.create_index("ix_outbound_messages_interaction_id", "outbound_messages", ["interaction_id"])


def downgrade() -> None:
    op.drop_index("ix_outbound_messages_interaction_id", table_name="outbound_messages")
    op.drop_table("outbound_messages")
    op.drop_index("ix_message_media_interaction_id", table_name="message_media")
    op.drop_table("message_media")

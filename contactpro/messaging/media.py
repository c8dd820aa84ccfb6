"""Files customers send with a message (MMS, WhatsApp): what kind each is, and keeping them.

Every file is stored as a reference (its Twilio URL and content type, never the bytes) on a
:class:`~contactpro.models.MessageMedia` row tied to the turn that acknowledged it. Audio is a
voice note to transcribe; images, documents and videos (a photographed bill, a payment
receipt) go to a person with the escalation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.models import Interaction, MessageMedia, utcnow
from contactpro.providers.twilio_forms import Media
from contactpro.speech import TWILIO_ALLOW_LIST, AllowList

# Twilio's media URLs (api.twilio.com/.../Media/ME...) answer with a redirect to its media CDN;
# the account's credentials still go only to the host the webhook named.
MEDIA_ALLOW_LIST = AllowList(
    hosts=TWILIO_ALLOW_LIST.hosts | frozenset({"mms.twiliocdn.com", "media.twiliocdn.com"}),
    host_pattern=rf"(?:{TWILIO_ALLOW_LIST.host_pattern})|(?:[a-z0-9-]+\.)*twiliocdn\.com",
)
DOCUMENT_TYPES = ("application/", "text/")
# WhatsApp sends stickers as WebP images (``MessageType=sticker``); photos come as JPEG.
STICKER_TYPES = ("image/webp",)


def kind_of(content_type: str) -> str:
    """Return ``audio``, ``image``, ``video``, ``document`` or ``other`` for a content type."""
    media = content_type.split(";", 1)[0].strip().lower()
    for kind in ("audio", "image", "video"):
        if media.startswith(kind + "/"):
            return kind
    return "document" if media.startswith(DOCUMENT_TYPES) else "other"


def are_stickers(files: Sequence[Media], channel: str, message_type: str | None) -> bool:
    """Return True when a WhatsApp message's files are stickers, not documents for an agent."""
    if channel != "whatsapp" or not files:
        return False
    if message_type == "sticker":
        return True
    return all(f.content_type.split(";", 1)[0].strip() in STICKER_TYPES for f in files)


def allow_list(settings: Settings) -> AllowList:
    """Return the hosts media may be downloaded from: Twilio's, plus configured test hosts."""
    if not settings.voice_recording_hosts:
        return MEDIA_ALLOW_LIST
    return AllowList(
        hosts=MEDIA_ALLOW_LIST.hosts | frozenset(settings.voice_recording_hosts),
        host_pattern=MEDIA_ALLOW_LIST.host_pattern,
        schemes=frozenset({"https", "http"}),
    )


def store(
    session: Session, interaction: Interaction, message_sid: str, files: Sequence[Media]
) -> list[MessageMedia]:
    """Keep a reference to each file of a message (once per file: a retry finds them)."""
    existing = {
        m.position: m
        for m in session.scalars(
            select(MessageMedia).where(MessageMedia.message_sid == message_sid)
        )
    }
    rows = []
    for position, file in enumerate(files):
        row = existing.get(position)
        if row is None:
            now = utcnow()
            row = MessageMedia(
                interaction_id=interaction.id,
                message_sid=message_sid,
                position=position,
                url=file.url,
                content_type=file.content_type[:100],
                kind=kind_of(file.content_type),
                status="received",
                created_at=now,
                updated_at=now,
            )
            session.add(row)
        rows.append(row)
    session.flush()
    return rows


def reference(row: MessageMedia) -> dict[str, Any]:
    """Return what an agent needs to open one file: kind, type, URL, and a voice note's words."""
    return {
        "id": row.id,
        "kind": row.kind,
        "content_type": row.content_type,
        "url": row.url,
        "status": row.status,
        "transcript": row.transcript,
    }


def of_interaction(session: Session, interaction_id: int) -> list[dict[str, Any]]:
    """Return references to every file the customer sent in a conversation, oldest first."""
    rows = session.scalars(
        select(MessageMedia)
        .where(MessageMedia.interaction_id == interaction_id)
        .order_by(MessageMedia.id)
    )
    return [reference(row) for row in rows]

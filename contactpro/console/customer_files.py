"""Files customers sent (photos, voice notes, documents), fetched for an agent's browser.

Twilio's media URLs need the account's credentials, so the console serves each file itself:
the agent asks for a stored ``message_media`` id, never a URL, and the file is downloaded from
the address Twilio's signed webhook gave, through the same allow-listed downloader the voice
notes use (Twilio's hosts only, each redirect checked, size and time limits). Nothing a browser
sends chooses where the server connects, and the answer is the file, never a redirect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.errors import NotFoundError
from contactpro.messaging.media import allow_list
from contactpro.models import MessageMedia
from contactpro.speech.fetch import fetch_recording

# Types a browser may show in the page; anything else is offered as a download.
INLINE_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "audio/ogg",
        "audio/mpeg",
        "audio/mp4",
        "audio/aac",
        "audio/amr",
        "audio/wav",
        "audio/x-wav",
        "video/mp4",
        "application/pdf",
    }
)
# An agent waits on the page: one short attempt window, not the worker's patient retries.
FETCH_SECONDS = 10.0
_EXTENSION = {"jpeg": "jpg", "mpeg": "mp3", "x-wav": "wav"}


@dataclass(frozen=True)
class CustomerFile:
    """A fetched file and how to hand it to the browser."""

    data: bytes
    content_type: str
    filename: str
    inline: bool

    def headers(self) -> dict[str, str]:
        """Return headers that keep the file inert: no sniffing, no scripts, no caching."""
        disposition = "inline" if self.inline else "attachment"
        return {
            "Content-Disposition": f'{disposition}; filename="{self.filename}"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        }


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def fetch_customer_file(session: Session, settings: Settings, media_id: int) -> CustomerFile:
    """Download the file stored as ``media_id``.

    Raises NotFoundError for an unknown id and AudioFetchError (with its ``reason``) when
    Twilio's copy cannot be fetched: deleted, refused by the allow-list, too large, failing.
    """
    row = session.get(MessageMedia, media_id)
    if row is None:
        raise NotFoundError(f"no customer file {media_id}")
    fetched = fetch_recording(
        row.url,
        settings=settings,
        allow_list=allow_list(settings),
        backoff_seconds=0.2,
        time_limit=FETCH_SECONDS,
    )
    media_type = _media_type(row.content_type)  # what the signed webhook said, not the server
    inline = media_type in INLINE_TYPES
    subtype = re.sub(r"[^a-z0-9]", "", _EXTENSION.get(media_type.partition("/")[2], ""))
    subtype = subtype or re.sub(r"[^a-z0-9]", "", media_type.partition("/")[2])[:8] or "bin"
    return CustomerFile(
        data=fetched.data,
        content_type=media_type if inline else "application/octet-stream",
        filename=f"{row.kind}-{row.id}.{subtype}",
        inline=inline,
    )

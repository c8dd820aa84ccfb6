"""Retention: personal data past its period is archived, then deleted; figures stay.

Run daily by the beat task ``contactpro.privacy.retention``. Each period is a setting in days
(0 keeps forever; docs/security.md lists the defaults):

* ``retention_transcript_days``: the text of a closed conversation (what the customer and the
  bot said, the escalation's context and notes, the messages sent, the caller's number) is
  archived and blanked. The rows stay, with intent, outcome, times and amounts, so every report
  and figure is unchanged.
* ``retention_recording_days``: the audio is deleted at Twilio and the link forgotten.
* ``retention_transcription_days``: recording and voice-note transcripts are archived and
  cleared.
* ``retention_file_days`` / ``retention_archive_days``: old log files, rejected journal entries
  and old archives are deleted (:func:`contactpro.privacy.files.remove_older_than`).

Archives are written (and fsync'ed) before the database is changed, so a crash between the two
archives a row twice and loses nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.models import (
    CaseVector,
    Escalation,
    Interaction,
    MessageMedia,
    OutboundMessage,
    Recording,
    Turn,
    VoiceJob,
)
from contactpro.phone import mask_phone
from contactpro.privacy import files
from contactpro.providers.telephony import Telephony, TelephonyError

log = logging.getLogger(__name__)

# Rows handled per run and kind: a long backlog is worked off over a few days' runs.
BATCH = 2000


@dataclass
class RetentionResult:
    """What one retention run archived and deleted."""

    transcripts: int = 0
    recordings: int = 0
    transcriptions: int = 0
    files_removed: int = 0
    archives: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the counts for a log line or the CLI."""
        return {
            "transcripts": self.transcripts,
            "recordings": self.recordings,
            "transcriptions": self.transcriptions,
            "files_removed": self.files_removed,
            "archives": self.archives,
        }


def _cutoff(now: datetime, days: int) -> datetime | None:
    return None if days == 0 else now - timedelta(days=days)


def apply_retention(
    session: Session, settings: Settings, telephony: Telephony, now: datetime
) -> RetentionResult:
    """Archive then delete everything past its retention period; return what was done."""
    result = RetentionResult()
    if (cutoff := _cutoff(now, settings.retention_transcript_days)) is not None:
        result.transcripts = _transcripts(session, settings, cutoff, now, result)
    if (cutoff := _cutoff(now, settings.retention_transcription_days)) is not None:
        result.transcriptions = _transcriptions(session, settings, cutoff, now, result)
    if (cutoff := _cutoff(now, settings.retention_recording_days)) is not None:
        result.recordings = _recordings(session, settings, telephony, cutoff, now, result)
    result.files_removed = files.remove_older_than(settings, now.timestamp())
    log.info("retention applied", extra=result.as_dict())
    return result


def transcript_row(interaction: Interaction, turns: list[Turn]) -> dict[str, Any]:
    """Return a conversation as one archive (or export) row."""
    return {
        "interaction_id": interaction.id,
        "customer_id": interaction.customer_id,
        "channel": interaction.channel,
        "from_number": interaction.from_number,
        "started_at": interaction.started_at.isoformat(),
        "outcome": interaction.outcome,
        "turns": [
            {
                "speaker": t.speaker,
                "text": t.text,
                "reply": t.reply,
                "intent": t.intent,
                "at": t.created_at.isoformat(),
            }
            for t in turns
        ],
    }


def blank_conversations(session: Session, ids: list[int]) -> None:
    """Remove the personal text of these conversations, keeping every figure."""
    if not ids:
        return
    session.execute(
        update(Turn).where(Turn.interaction_id.in_(ids)).values(text="", reply=None, entities={})
    )
    session.execute(
        update(Escalation).where(Escalation.interaction_id.in_(ids)).values(context={}, notes=None)
    )
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.interaction_id.in_(ids))
        .values(body="", to_number="")
    )
    session.execute(
        update(VoiceJob).where(VoiceJob.interaction_id.in_(ids)).values(payload={}, result=None)
    )
    # WhatsApp's profile name and WaId are the person's name and phone number.
    session.execute(
        update(Interaction)
        .where(Interaction.id.in_(ids))
        .values(state={}, profile_name=None, wa_id=None)
    )
    for interaction in session.scalars(select(Interaction).where(Interaction.id.in_(ids))):
        interaction.from_number = mask_phone(interaction.from_number)[:32]
    live = CaseVector.source == "live"
    session.execute(update(CaseVector).where(live, CaseVector.ref_id.in_(ids)).values(text=""))


def _transcripts(
    session: Session, settings: Settings, cutoff: datetime, now: datetime, result: RetentionResult
) -> int:
    ids = list(
        session.scalars(
            select(Interaction.id)
            .where(
                Interaction.status == "closed",
                Interaction.last_activity_at < cutoff,
                Interaction.id.in_(
                    select(Turn.interaction_id).where(or_(Turn.text != "", Turn.reply.is_not(None)))
                ),
            )
            .order_by(Interaction.id)
            .limit(BATCH)
        )
    )
    if not ids:
        return 0
    rows = []
    for interaction in session.scalars(select(Interaction).where(Interaction.id.in_(ids))):
        turns = session.scalars(
            select(Turn).where(Turn.interaction_id == interaction.id).order_by(Turn.id)
        ).all()
        rows.append(transcript_row(interaction, list(turns)))
    _archived(result, files.write_archive(settings, "transcripts", rows, now))
    blank_conversations(session, ids)
    return len(ids)


def _transcriptions(
    session: Session, settings: Settings, cutoff: datetime, now: datetime, result: RetentionResult
) -> int:
    recordings = session.scalars(
        select(Recording)
        .where(Recording.transcript.is_not(None), Recording.created_at < cutoff)
        .limit(BATCH)
    ).all()
    notes = session.scalars(
        select(MessageMedia)
        .where(MessageMedia.transcript.is_not(None), MessageMedia.created_at < cutoff)
        .limit(BATCH)
    ).all()
    rows = [
        {"recording_id": r.id, "interaction_id": r.interaction_id, "transcript": r.transcript}
        for r in recordings
    ] + [
        {"media_id": m.id, "interaction_id": m.interaction_id, "transcript": m.transcript}
        for m in notes
    ]
    _archived(result, files.write_archive(settings, "transcriptions", rows, now))
    for recording in recordings:
        recording.transcript, recording.segments = None, None
    for note in notes:
        note.transcript = None
    return len(rows)


def _recordings(
    session: Session,
    settings: Settings,
    telephony: Telephony,
    cutoff: datetime,
    now: datetime,
    result: RetentionResult,
) -> int:
    recordings = session.scalars(
        select(Recording)
        .where(Recording.url.is_not(None), Recording.created_at < cutoff)
        .limit(BATCH)
    ).all()
    deleted = [r for r in recordings if delete_audio(telephony, r)]
    rows = [
        {
            "recording_id": r.id,
            "recording_sid": r.recording_sid,
            "interaction_id": r.interaction_id,
            "duration_seconds": r.duration_seconds,
            "deleted_at": now.isoformat(),
        }
        for r in deleted
    ]
    _archived(result, files.write_archive(settings, "recordings", rows, now))
    for recording in deleted:
        recording.url = None
    return len(deleted)


def delete_audio(telephony: Telephony, recording: Recording) -> bool:
    """Delete a recording's audio; False (logged, tried again next run) when Twilio refused."""
    try:
        telephony.delete_recording(recording.recording_sid)
    except TelephonyError as exc:
        log.warning(
            "recording not deleted; the next run tries again",
            extra={"recording_id": recording.id, "error": str(exc)},
        )
        return False
    return True


def _archived(result: RetentionResult, path: Any) -> None:
    if path is not None and str(path) not in result.archives:
        result.archives.append(str(path))

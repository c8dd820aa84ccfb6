"""Call recordings: what Twilio reports about them, and their transcripts.

A recording is transcribed only once Twilio reports it ``completed``; the transcript, its timed
segments, the model and the backend are kept on the row. Voicemails (what the caller left, or
that they left nothing) go on to :mod:`contactpro.voice.voicemail`.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.conversations import interactions
from contactpro.db import Database
from contactpro.errors import (
    AudioFetchError,
    ConfigError,
    NotFoundError,
    TranscriptionError,
)
from contactpro.models import Recording, utcnow
from contactpro.privacy.redaction import redact_transcript
from contactpro.providers.twilio_forms import RecordingReport, VoicemailLeft
from contactpro.speech import (
    TWILIO_ALLOW_LIST,
    AllowList,
    Transcriber,
    Transcript,
    transcribe_recording_url,
)
from contactpro.voice import handoff, voicemail, waiting

log = logging.getLogger(__name__)

FINISHED = ("done", "empty", "failed")
# A transcription still queued this long after its last change lost its task (a restart with
# the embedded broker): longer than every download retry's back-off together.
STALE_QUEUED = timedelta(minutes=30)


def allow_list(settings: Settings) -> AllowList:
    """Return the hosts recordings may be downloaded from: Twilio's, plus configured test hosts."""
    if not settings.voice_recording_hosts:
        return TWILIO_ALLOW_LIST
    return AllowList(
        hosts=TWILIO_ALLOW_LIST.hosts | frozenset(settings.voice_recording_hosts),
        host_pattern=TWILIO_ALLOW_LIST.host_pattern,
        schemes=frozenset({"https", "http"}),
    )


def record(session: Session, report: RecordingReport, kind: str) -> Recording | None:
    """Create or update the recording Twilio reports; None when the call is unknown."""
    recording = session.scalars(
        select(Recording).where(Recording.recording_sid == report.recording_sid)
    ).first()
    if recording is None:
        interaction = interactions.find_by_sid(session, "voice", report.call_sid)
        if interaction is None:
            log.warning("recording for an unknown call", extra={"call_sid": report.call_sid})
            return None
        recording = Recording(
            interaction_id=interaction.id,
            recording_sid=report.recording_sid,
            call_sid=report.call_sid,
            kind=kind,
            status=report.status or "in-progress",
            transcription_status="pending",
            created_at=utcnow(),
        )
        session.add(recording)
    elif report.status and recording.status != "completed":
        recording.status = report.status
    recording.url = report.url or recording.url
    if report.duration_seconds is not None:
        recording.duration_seconds = report.duration_seconds
    recording.channels = report.channels or recording.channels
    recording.source = report.source or recording.source
    recording.error_code = report.error_code or recording.error_code
    recording.updated_at = utcnow()
    session.flush()
    return recording


def after_report(session: Session, settings: Settings, recording: Recording) -> bool:
    """Act on a recording's new status; True once (and only once) it should be transcribed.

    Only a ``completed`` recording is transcribed; one reported ``absent`` (no audio) or
    ``failed`` is finished here, and a voicemail then becomes a call-back.
    """
    if recording.transcription_status != "pending":
        return False
    if recording.status == "completed" and recording.url and recording.duration_seconds != 0:
        recording.transcription_status = "queued"
        return True
    if recording.status == "completed" or recording.status == "absent":
        recording.transcription_status = "empty"
    elif recording.status == "failed":
        recording.transcription_status = "failed"
        recording.failure_reason = f"twilio_{recording.error_code or 'failed'}"[:40]
    else:
        return False
    if recording.kind == "voicemail":
        voicemail.process(session, settings, recording)
    return False


def receive(
    session: Session, settings: Settings, report: RecordingReport, kind: str
) -> Recording | None:
    """Store what Twilio reports about a recording; return it when it is to be transcribed now
    (once: a repeated or replayed report returns None)."""
    recording = record(session, report, kind)
    if recording is not None and after_report(session, settings, recording):
        return recording
    return None


def receive_voicemail(
    session: Session, settings: Settings, left: VoicemailLeft
) -> Recording | None:
    """Store what the caller left at voicemail (a recording, or nothing: call them back);
    return the recording when it is to be transcribed now."""
    interaction = interactions.find_by_sid(session, "voice", left.report.call_sid)
    if interaction is None:
        log.warning("voicemail for an unknown call", extra={"call_sid": left.report.call_sid})
        return None
    if left.empty:
        voicemail.left_empty(session, settings, interaction)
        return None
    recording = record(session, left.report, "voicemail")
    if recording is None:
        return None
    voicemail.left_message(session, settings, interaction, recording)
    return recording if after_report(session, settings, recording) else None


def voicemail_left(
    session: Session, settings: Settings, left: VoicemailLeft, language: str | None
) -> Recording | None:
    """Store what the caller left at voicemail (:func:`receive_voicemail`) and, as the bot's
    turn, the goodbye they hear in ``language`` (None: the call's own), once; return the
    recording when it is to be transcribed now."""
    queued = receive_voicemail(session, settings, left)
    prompt = handoff.after_voicemail_prompt(left.empty)
    waiting.store_prompt(session, settings, left.report.call_sid, prompt, language)
    return queued


def transcribe(
    session: Session,
    settings: Settings,
    recording: Recording,
    *,
    transcriber: Transcriber | None = None,
    fetch_time_limit: float | None = None,
) -> Transcript:
    """Download and transcribe a recording and store the transcript on it.

    ``fetch_time_limit`` bounds the download for a caller on hold. Raises AudioFetchError /
    AudioDecodeError (``contactpro.errors``) untouched.
    """
    if not recording.url:
        raise NotFoundError(f"recording {recording.id} has no URL", reason="recording_no_url")
    # The call's language is a hint: a caller speaking another one is transcribed in theirs.
    transcript = transcribe_recording_url(
        recording.url,
        settings=settings,
        language_hint=recording.interaction.language,
        allow_list=allow_list(settings),
        transcriber=transcriber,
        fetch_time_limit=fetch_time_limit,
    )
    transcript = redact_transcript(transcript, transcript.language or settings.default_language)
    recording.transcription_status = "empty" if transcript.is_empty else "done"
    recording.transcript = transcript.text
    recording.segments = [asdict(s) for s in transcript.segments]
    recording.language = transcript.language
    recording.model = transcript.model[:80]
    recording.backend = transcript.backend[:20]
    recording.processing_seconds = round(transcript.processing_seconds, 3)
    recording.transcribed_at = recording.updated_at = utcnow()
    if recording.duration_seconds is None:
        recording.duration_seconds = round(transcript.duration)
    log.info(
        "recording transcribed",
        extra={
            "interaction_id": recording.interaction_id,
            "recording_id": recording.id,
            "kind": recording.kind,
            "empty": transcript.is_empty,
        },
    )
    return transcript


def stale_queued(session: Session, now: datetime | None = None) -> list[int]:
    """Return the recordings queued for transcription whose task was lost, marking them as
    queued again now (the caller sends their task once this transaction commits)."""
    now = now or utcnow()
    stale = session.scalars(
        select(Recording).where(
            Recording.transcription_status == "queued", Recording.updated_at < now - STALE_QUEUED
        )
    ).all()
    for recording in stale:
        recording.updated_at = now
        log.warning(
            "transcription queued again",
            extra={"interaction_id": recording.interaction_id, "recording_id": recording.id},
        )
    return [recording.id for recording in stale]


def mark_failed(session: Session, recording_id: int, reason: str) -> Recording:
    """Give up on a recording's transcription, keeping the reason."""
    recording = session.get(Recording, recording_id)
    if recording is None:
        raise NotFoundError(f"no recording {recording_id}")
    recording.transcription_status = "failed"
    recording.failure_reason = reason[:40]
    recording.updated_at = utcnow()
    log.warning(
        "recording not transcribed",
        extra={
            "interaction_id": recording.interaction_id,
            "recording_id": recording_id,
            "reason": reason,
        },
    )
    return recording


def transcribe_and_route(
    session: Session,
    settings: Settings,
    recording_id: int,
    *,
    transcriber: Transcriber | None = None,
) -> str:
    """Transcribe a completed recording once and act on it; return its transcription status.

    Voicemails go on to :func:`contactpro.voice.voicemail.process`. Raises AudioFetchError /
    AudioDecodeError for the task to retry or give up (:func:`give_up`).
    """
    recording = session.get(Recording, recording_id)
    if recording is None:
        raise NotFoundError(f"no recording {recording_id}")
    if recording.transcription_status in FINISHED:
        return recording.transcription_status
    transcribe(session, settings, recording, transcriber=transcriber)
    if recording.kind == "voicemail":
        voicemail.process(session, settings, recording)
    return recording.transcription_status


def give_up(session: Session, settings: Settings, recording_id: int, reason: str) -> None:
    """Mark a recording's transcription failed; a voicemail becomes a call-back."""
    recording = mark_failed(session, recording_id, reason)
    if recording.kind == "voicemail":
        voicemail.process(session, settings, recording)


def transcribe_or_give_up(
    db: Database, settings: Settings, recording_id: int, *, may_retry: bool
) -> str | None:
    """Transcribe a recording and act on it in its own transaction; give up when that fails.

    Returns the transcription status (``failed`` once given up), or None for an unknown
    recording. A download that failed for a reason that may pass is raised (AudioFetchError)
    when ``may_retry``, for the task to retry after :func:`retry_delay`.
    """
    try:
        with db.session() as session:
            return transcribe_and_route(session, settings, recording_id)
    except NotFoundError:
        log.warning("transcribe: no such recording", extra={"recording_id": recording_id})
        return None
    except AudioFetchError as exc:
        if exc.retryable and may_retry:
            raise
        reason = exc.reason
    except (TranscriptionError, ConfigError) as exc:
        reason = exc.reason
    with db.session() as session:
        give_up(session, settings, recording_id, reason)
    return "failed"


def retry_delay(settings: Settings, retries: int) -> int:
    """Seconds before a failed download is tried again (15 s doubling, capped).

    Capped at half the visibility timeout: a Redis broker delivers a retry that waits past it
    twice.
    """
    backoff: int = 15 * 2**retries
    return min(settings.task_visibility_timeout // 2, backoff)

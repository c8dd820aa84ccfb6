"""Voice tasks: held turns, recording transcription, closing finished calls."""

from __future__ import annotations

import logging

from celery import Task, shared_task

from contactpro.errors import (
    AudioFetchError,
    ConfigError,
    NotFoundError,
    TranscriptionError,
    UnderstandingError,
)
from contactpro.voice import hold, outcomes, recordings
from tasks import runtime, send
from tasks.interactions import close_interaction

log = logging.getLogger(__name__)

MAX_TRANSCRIPTION_RETRIES = 5


@shared_task(name="contactpro.voice.run_job", acks_late=True)
def run_voice_job(job_id: int) -> str | None:
    """Do the work a caller is held for; a failure lets the next poll hand the caller over."""
    rt = runtime()
    try:
        with rt.db.session() as session:
            return hold.run_job(session, rt.settings, job_id)
    except NotFoundError:
        log.warning("voice job vanished", extra={"job_id": job_id})
        return None
    except (TranscriptionError, UnderstandingError, ConfigError) as exc:
        reason = exc.reason
    with rt.db.session() as session:
        hold.fail_job(session, job_id, reason)
    return "failed"


@shared_task(
    bind=True,
    name="contactpro.voice.transcribe_recording",
    acks_late=True,
    max_retries=MAX_TRANSCRIPTION_RETRIES,
)
def transcribe_recording(self: Task, recording_id: int) -> str | None:
    """Transcribe a completed recording and act on it; retry downloads with back-off."""
    rt = runtime()
    may_retry = self.request.retries < MAX_TRANSCRIPTION_RETRIES
    try:
        return recordings.transcribe_or_give_up(
            rt.db, rt.settings, recording_id, may_retry=may_retry
        )
    except AudioFetchError as exc:
        countdown = recordings.retry_delay(rt.settings, self.request.retries)
        raise self.retry(exc=exc, countdown=countdown) from None


@shared_task(name="contactpro.voice.requeue_stale_transcriptions", acks_late=True)
def requeue_stale_transcriptions() -> int:
    """Send again the transcriptions whose task was lost (queued too long); return how many."""
    rt = runtime()
    with rt.db.session() as session:
        stale = recordings.stale_queued(session)
    for recording_id in stale:  # committed: the task finds its row
        send(transcribe_recording, recording_id)
    return len(stale)


@shared_task(name="contactpro.voice.close_call", acks_late=True)
def close_call(interaction_id: int, call_status: str) -> str | None:
    """Close a finished call with what happened on it (then as any interaction is closed)."""
    rt = runtime()
    try:
        with rt.db.session() as session:
            reason = outcomes.close_reason(session, interaction_id, call_status)
    except NotFoundError:
        log.warning("close: no such call", extra={"interaction_id": interaction_id})
        return None
    return close_interaction.run(interaction_id, reason)

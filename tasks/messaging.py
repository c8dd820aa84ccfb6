"""Messaging tasks: answering voice notes and audio messages."""

from __future__ import annotations

from celery import Task, shared_task

from contactpro.errors import AudioFetchError
from contactpro.messaging import voice_notes
from contactpro.providers.telephony import TelephonyError, telephony_for
from contactpro.voice import recordings
from tasks import runtime

MAX_VOICE_NOTE_RETRIES = 4


@shared_task(
    bind=True,
    name="contactpro.messaging.answer_voice_note",
    acks_late=True,
    max_retries=MAX_VOICE_NOTE_RETRIES,
)
def answer_voice_note(self: Task, media_id: int) -> str | None:
    """Transcribe a voice note, take it as the customer's turn and message the answer."""
    rt = runtime()
    may_retry = self.request.retries < MAX_VOICE_NOTE_RETRIES
    telephony = telephony_for(rt.settings)
    try:
        return voice_notes.answer(rt.db, rt.settings, telephony, media_id, may_retry=may_retry)
    except (AudioFetchError, TelephonyError) as exc:  # raised only when a retry may help
        countdown = recordings.retry_delay(rt.settings, self.request.retries)
        raise self.retry(exc=exc, countdown=countdown) from None

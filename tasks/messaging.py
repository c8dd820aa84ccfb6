"""Messaging tasks: answering voice notes and audio messages."""

from __future__ import annotations

from celery import Task, shared_task

from contactpro.errors import AudioFetchError
from contactpro.messaging import late_answers, voice_notes
from contactpro.providers.telephony import TelephonyError, telephony_for
from contactpro.voice import recordings
from tasks import runtime

MAX_VOICE_NOTE_RETRIES = 4
MAX_LATE_ANSWER_RETRIES = 6


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


@shared_task(
    bind=True,
    name="contactpro.messaging.send_late_answer",
    acks_late=True,
    max_retries=MAX_LATE_ANSWER_RETRIES,
)
def send_late_answer(self: Task, turn_id: int) -> str | None:
    """Send the answer to a message replayed from the journal; return why it failed, if so."""
    rt = runtime()
    may_retry = self.request.retries < MAX_LATE_ANSWER_RETRIES
    try:
        return late_answers.deliver_once(
            rt.db, rt.settings, telephony_for(rt.settings), turn_id, may_retry=may_retry
        )
    except TelephonyError as exc:  # raised only when a retry may help
        countdown = recordings.retry_delay(rt.settings, self.request.retries)
        raise self.retry(exc=exc, countdown=countdown) from None

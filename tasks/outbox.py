"""Recovery tasks: send what the outbox holds, replay what the journal holds."""

from __future__ import annotations

import logging

from celery import shared_task

from contactpro.observability.metrics import JOURNAL_REPLAYED
from contactpro.providers.telephony import telephony_for
from contactpro.resilience import journal
from tasks import flush_outbox, runtime, send
from tasks.messaging import answer_voice_note, send_late_answer
from tasks.voice import close_call, transcribe_recording

log = logging.getLogger(__name__)


@shared_task(name="contactpro.outbox.flush", acks_late=True)
def flush() -> int:
    """Send the tasks kept while the broker was unreachable; return how many still wait."""
    _sent, waiting = flush_outbox()
    return waiting


@shared_task(name="contactpro.journal.replay", acks_late=True)
def replay_journal() -> int:
    """Replay requests journaled on this machine while the database was down."""
    rt = runtime()
    result = journal.replay(
        journal.Journal.for_settings(rt.settings), rt.db, rt.settings, telephony_for(rt.settings)
    )
    JOURNAL_REPLAYED.inc(result.replayed)
    send_follow_ups(result)
    return result.remaining


def send_follow_ups(result: journal.ReplayResult) -> None:
    """Send the tasks the live webhooks would have sent for what a replay wrote."""
    for interaction_id, status in result.ended_calls:
        send(close_call, interaction_id, status)
    for recording_id in result.transcriptions:
        send(transcribe_recording, recording_id)
    for media_id in result.voice_notes:
        send(answer_voice_note, media_id)
    for turn_id in result.late_answers:
        send(send_late_answer, turn_id)

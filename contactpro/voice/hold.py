"""The hold loop: slow work runs in a worker while the caller hears a filler and we poll.

A webhook that must not wait (Twilio gives up after 15 s, callers after far less) stores a
:class:`~contactpro.models.VoiceJob` and answers at once with a filler and a redirect to the poll
endpoint. A task runs :func:`run_job`; the poll answers with the result when it is ready, asks
Twilio to come back while it is not, and apologises and hands over once the deadline passed or
the work failed. The job row decides the race between the worker finishing and the deadline:
whichever moves it out of ``pending`` first wins, and the other side's work is rolled back.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.conversations import interactions, turn_service
from contactpro.conversations.escalation import escalate
from contactpro.conversations.turn_service import BotReply, Inbound
from contactpro.dialog.engine import ESCALATE
from contactpro.errors import NotFoundError
from contactpro.models import Interaction, Recording, VoiceJob, utcnow
from contactpro.speech import Transcriber
from contactpro.voice import recordings

log = logging.getLogger(__name__)

HOLD_REASON = "technical_error"
# The prompt of the bot's turn holding what a held caller heard: the filler, "still checking".
HOLD_PROMPT = "hold"
# The entity counting how many times the hold loop said "still checking".
STILL_WORKING = "still_working"


def llm_configured(settings: Settings) -> bool:
    """Return True when the understanding cascade has an LLM tier it may call."""
    return bool(settings.anthropic_api_key)


def should_hold(settings: Settings, *, source: str, llm_available: bool) -> bool:
    """Decide whether a turn's work may be slow enough to answer with a filler and poll.

    Recordings always are (a transcription takes seconds). Otherwise ``CONTACTPRO_VOICE_HOLD``
    decides: ``always``, ``never``, or ``auto``: spoken turns when the LLM tier may be asked.
    Keys pressed are decided by rules and never held in ``auto``.
    """
    if source == "recording":
        return True
    if settings.voice_hold != "auto":
        return settings.voice_hold == "always"
    return source == "speech" and llm_available


def find_job(session: Session, twilio_key: str) -> VoiceJob | None:
    """Return the job a Twilio request started, if it started one."""
    return session.scalars(select(VoiceJob).where(VoiceJob.twilio_key == twilio_key)).first()


def start_job(
    session: Session,
    settings: Settings,
    interaction: Interaction,
    *,
    twilio_key: str,
    kind: str,
    payload: dict[str, Any],
    now: datetime | None = None,
) -> tuple[VoiceJob, bool]:
    """Store the work of one Twilio request; a retried request gets the same job back.

    Returns the job and whether it is new (only a new job needs to be sent to a worker).
    """
    job = find_job(session, twilio_key)
    if job is not None:
        return job, False
    now = now or utcnow()
    job = VoiceJob(
        interaction_id=interaction.id,
        twilio_key=twilio_key,
        kind=kind,
        status="pending",
        payload=payload,
        created_at=now,
        deadline_at=now + timedelta(seconds=settings.voice_hold_seconds),
    )
    session.add(job)
    session.flush()
    log.info(
        "voice job started",
        extra={"interaction_id": interaction.id, "job_id": job.id, "kind": kind},
    )
    return job, True


def _hold_key(job: VoiceJob) -> str:
    return f"{job.twilio_key}:hold"


def store_filler(
    session: Session, interaction: Interaction, job: VoiceJob, text: str, language: str
) -> None:
    """Store the filler said as ``job``'s turn was held as the bot's turn, once per job (a
    retried request stores nothing new). Stored before the worker starts, it precedes the held
    turn's answer, as the caller heard it."""
    turn_service.played_on_call(
        session,
        interaction,
        text,
        prompt=HOLD_PROMPT,
        language=language,
        twilio_key=_hold_key(job),
    )


def store_still_working(session: Session, job_id: int, text: str, times: int) -> None:
    """Add ``text`` ("still checking"), said by the hold loop for the ``times``-th time, to the
    hold's stored turn: once however often the loop repeats it, with the count kept on the turn.

    The turn is updated, never added: a worker storing the held turn meanwhile takes the next
    sequence number, which a new row would race it for.
    """
    job = session.get(VoiceJob, job_id)
    held = interactions.find_turn(session, _hold_key(job)) if job is not None else None
    if held is None or not text:
        return
    said = held.reply or ""
    if not said.endswith(text):
        said = f"{said} {text}".strip()
    turn_service.said_on_call(session, held.id, said, **{STILL_WORKING: times})


def _leave_pending(session: Session, job_id: int, **values: Any) -> bool:
    """Move a job out of ``pending`` unless someone else already did; True when we did."""
    result = session.execute(
        update(VoiceJob)
        .where(VoiceJob.id == job_id, VoiceJob.status == "pending")
        .values(finished_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    # An UPDATE's result is a cursor result, which counts the rows it matched.
    return cast("CursorResult[Any]", result).rowcount == 1


def _status(session: Session, job_id: int) -> str:
    """Return a job's status as stored (after a rollback); NotFoundError once it is gone."""
    status = session.scalar(select(VoiceJob.status).where(VoiceJob.id == job_id))
    if status is None:
        raise NotFoundError(f"no voice job {job_id}")
    return status


def run_job(
    session: Session,
    settings: Settings,
    job_id: int,
    *,
    transcriber: Transcriber | None = None,
) -> str:
    """Do a held job's work and store its answer; return the job's status afterwards.

    Idempotent: a job already out of ``pending`` is left alone, and work finished after the
    poll gave up is rolled back. Raises TranscriptionError / UnderstandingError for the task
    to turn into :func:`fail_job`.
    """
    job = session.get(VoiceJob, job_id)
    if job is None:
        raise NotFoundError(f"no voice job {job_id}")
    if job.status != "pending":
        return job.status
    if utcnow() >= job.deadline_at:
        log.warning("voice job started after its deadline", extra={"job_id": job_id})
        return "pending"
    interaction = job.interaction
    try:
        reply = _work(session, settings, job, transcriber)
    except IntegrityError:
        # The poll handed the caller over meanwhile: its turn took the sequence ours needed.
        session.rollback()
        status = _status(session, job_id)
        if status == "pending":
            raise
        return _too_late(job_id, status)
    if not _leave_pending(session, job_id, status="done", result=asdict(reply)):
        session.rollback()
        return _too_late(job_id, _status(session, job_id))
    log.info(
        "voice job done",
        extra={"interaction_id": interaction.id, "job_id": job_id, "action": reply.action},
    )
    return "done"


def _work(
    session: Session, settings: Settings, job: VoiceJob, transcriber: Transcriber | None
) -> BotReply:
    """Transcribe and understand a held turn, or understand it; return the bot's answer."""
    interaction = job.interaction
    payload = job.payload
    if job.kind == "transcribe":
        recording = session.get(Recording, payload["recording_id"])
        if recording is None:
            raise NotFoundError(f"no recording {payload['recording_id']}")
        # The caller is on hold: a download still stalled at the deadline is a failure.
        transcript = recordings.transcribe(
            session,
            settings,
            recording,
            transcriber=transcriber,
            fetch_time_limit=(job.deadline_at - utcnow()).total_seconds(),
        )
        if transcript.is_empty:
            return turn_service.no_input(session, settings, interaction, job.twilio_key)
        inbound = Inbound(transcript.text, "recording", job.twilio_key, None)
    else:
        inbound = Inbound(payload["text"], payload["source"], job.twilio_key, payload.get("asr"))
    return turn_service.take_turn(session, settings, interaction, inbound)


def _too_late(job_id: int, status: str) -> str:
    """Log that a job's work was rolled back because the poll had answered; return its status."""
    log.warning("voice job finished after the caller was handed over", extra={"job_id": job_id})
    return status


def fail_job(session: Session, job_id: int, reason: str) -> bool:
    """Mark a job failed (the next poll apologises and hands over); False if it had finished."""
    failed = _leave_pending(session, job_id, status="failed", failure_reason=reason[:40])
    if failed:
        log.warning("voice job failed", extra={"job_id": job_id, "reason": reason})
        job = session.get(VoiceJob, job_id)
        if job is not None and job.kind == "transcribe":
            recordings.mark_failed(session, job.payload["recording_id"], reason)
    return failed


@dataclass(frozen=True)
class HoldAnswer:
    """What the poll endpoint should do: speak ``reply``, or wait (``polls`` so far)."""

    reply: BotReply | None
    polls: int
    language: str


def poll(
    session: Session,
    settings: Settings,
    job_id: int,
    *,
    call_sid: str,
    now: datetime | None = None,
) -> HoldAnswer:
    """Answer one poll of the hold loop (commits when it expires a job).

    Raises NotFoundError for a job unknown on this call.
    """
    now = now or utcnow()
    job = session.get(VoiceJob, job_id)
    if job is None or job.interaction.twilio_sid != call_sid:
        raise NotFoundError(f"no voice job {job_id} on this call", reason="unknown_voice_job")
    language = job.interaction.language or settings.default_language
    if job.status == "pending" and now < job.deadline_at:
        job.polls += 1
        return HoldAnswer(None, job.polls, language)
    if job.status == "pending":
        # Commit the expiry on its own, so the row lock is never held while writing turns.
        expired = _leave_pending(session, job_id, status="expired", failure_reason="deadline")
        if expired and job.kind == "transcribe":  # its recording is never transcribed now
            recordings.mark_failed(session, job.payload["recording_id"], "deadline")
        session.commit()
        session.refresh(job)
        if expired:
            log.warning(
                "voice job missed its deadline",
                extra={"interaction_id": job.interaction_id, "job_id": job_id},
            )
    if job.status == "done":
        assert job.result is not None
        return HoldAnswer(BotReply(**{**job.result, "replayed": True}), job.polls, language)
    return HoldAnswer(give_up(session, settings, job), job.polls, language)


def give_up(session: Session, settings: Settings, job: VoiceJob) -> BotReply:
    """Apologise and hand the caller over after held work failed or ran late (once per job)."""
    interaction = job.interaction
    key = f"{job.twilio_key}:held"
    stored = interactions.find_turn(session, key)
    language = interaction.language or settings.default_language
    if stored is None:
        escalate(session, settings, interaction, HOLD_REASON)
        state = dict(interaction.state or {})
        state["escalated"] = True
        interaction.state = state
        stored = turn_service.technical_fallback_turn(
            session,
            settings,
            interaction,
            twilio_key=key,
            entities={"held_job": job.id, "job_status": job.status, "reason": job.failure_reason},
        )
    return BotReply(
        text=stored.reply or "",
        action=ESCALATE,
        language=language,
        interaction_id=interaction.id,
        turn_id=stored.id,
        sequence=stored.sequence,
        replayed=False,
    )

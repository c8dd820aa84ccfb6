"""Voice notes and audio messages: transcribed by a worker, answered by message.

The webhook acknowledged the note at once ("listening to your voice note…") and stored it
``queued``. A worker downloads it through the allow-listed fetcher with the account's
credentials, decodes it (WhatsApp sends Ogg/Opus; MMS audio is AMR, MP3, M4A...), transcribes
it with the offline Whisper models, and enters the transcript as the customer's turn (source
``voice_note``, with the ASR confidence). The answer then goes out through Twilio's Messages
API. An empty, silent, too long or undecodable note gets a reply saying so, and stays stored
with the reason.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.conversations import interactions, turn_service
from contactpro.conversations.escalation import hand_over_undelivered
from contactpro.conversations.turn_service import Inbound
from contactpro.db import Database
from contactpro.dialog.context import CONTINUE
from contactpro.dialog.templates import templates_for
from contactpro.errors import AudioFetchError, ConfigError, NotFoundError, TranscriptionError
from contactpro.messaging import media, outbound
from contactpro.models import Interaction, MessageMedia, OutboundMessage, Turn, utcnow
from contactpro.privacy.redaction import redact_transcript
from contactpro.providers.telephony import RETRYABLE_REASONS, Telephony, TelephonyError
from contactpro.speech import Transcriber, Transcript, decode_audio, fetch_recording
from contactpro.speech.pipeline import transcribe_audio

log = logging.getLogger(__name__)

# A note whose answer is still owed (transcribed or given up on, and not yet sent).
ANSWERABLE = ("transcribed", "empty", "too_long", "failed")
REPLY_PURPOSE = "voice_note_reply"
PROBLEM_REPLIES = {
    "empty": "voice_note_empty",
    "too_long": "voice_note_too_long",
    "audio_empty": "voice_note_empty",
    "audio_undecodable": "voice_note_unreadable",
    "audio_no_stream": "voice_note_unreadable",
}


def reply_key(note: MessageMedia) -> str:
    """The idempotency key of the turn that answers a voice note (one per note of a message)."""
    suffix = f":{note.position}" if note.position else ""
    return f"{note.message_sid}:voice_note{suffix}"


def later_notes(session: Session, media_id: int) -> list[int]:
    """Return the ids of the other audio files of the same message after this one (an MMS may
    carry several), each answered in turn by the task of the first."""
    note = _note(session, media_id)
    return list(
        session.scalars(
            select(MessageMedia.id)
            .where(
                MessageMedia.message_sid == note.message_sid,
                MessageMedia.kind == "audio",
                MessageMedia.position > note.position,
            )
            .order_by(MessageMedia.position)
        )
    )


def asr_confidence(transcript: Transcript) -> float | None:
    """Return the transcript's confidence 0-1: exp of the duration-weighted log-probability."""
    weighted = [(max(s.end - s.start, 0.01), s.avg_logprob) for s in transcript.segments]
    if not weighted:
        return None
    total = sum(w for w, _ in weighted)
    return round(min(1.0, math.exp(sum(w * lp for w, lp in weighted) / total)), 4)


def caption(session: Session, note: MessageMedia) -> str:
    """Return the words the customer wrote with a message's first voice note (its caption),
    read for meaning with that note's transcript; empty for the others and without words."""
    written = interactions.find_turn(session, note.message_sid)
    if written is None or written.speaker != "caller":
        return ""
    return written.text if (written.entities or {}).get("voice_note") == note.id else ""


def _note(session: Session, media_id: int) -> MessageMedia:
    note = session.get(MessageMedia, media_id)
    if note is None:
        raise NotFoundError(f"no message media {media_id}")
    return note


def transcribe(
    session: Session,
    settings: Settings,
    media_id: int,
    *,
    transcriber: Transcriber | None = None,
) -> str:
    """Download, decode and transcribe a queued voice note and answer it as the customer's
    turn; return the note's status. Raises AudioFetchError / AudioDecodeError untouched."""
    note = _note(session, media_id)
    if note.status != "queued":
        return note.status
    interaction = note.interaction
    fetched = fetch_recording(note.url, settings=settings, allow_list=media.allow_list(settings))
    audio = decode_audio(fetched.data, content_type=note.content_type or fetched.content_type)
    note.duration_seconds = round(audio.duration, 3)
    if audio.duration > settings.voice_note_max_seconds:
        return _conclude(session, settings, note, "too_long")
    transcript = transcribe_audio(
        audio,
        settings=settings,
        language_hint=interaction.language,
        speakers=("caller",),
        transcriber=transcriber,
    )
    transcript = redact_transcript(transcript, transcript.language or settings.default_language)
    note.language, note.model = transcript.language, transcript.model[:80]
    note.processing_seconds = round(transcript.processing_seconds, 3)
    if transcript.is_empty:
        return _conclude(session, settings, note, "empty")
    note.transcript, note.asr_confidence = transcript.text, asr_confidence(transcript)
    reply = turn_service.take_turn(
        session,
        settings,
        interaction,
        Inbound(
            transcript.text,
            "voice_note",
            reply_key(note),
            note.asr_confidence,
            written=caption(session, note),
        ),
    )
    note.status, note.reply_turn_id, note.updated_at = "transcribed", reply.turn_id, utcnow()
    log.info(
        "voice note transcribed",
        extra={"interaction_id": interaction.id, "media": note.id, "seconds": audio.duration},
    )
    return note.status


def _conclude(session: Session, settings: Settings, note: MessageMedia, reason: str) -> str:
    """Store the reply to a note we could not take as a turn, and why; return its status."""
    status = reason if reason in ("empty", "too_long") else "failed"
    interaction = note.interaction
    written = caption(session, note)
    if written and turn_service.asks_for_something(settings, interaction, written):
        # The note cannot be heard, but the words sent with it say what the customer wants.
        turn_id = _answer_caption(session, settings, note, written, reason, status)
        told = "voice note not transcribed; its caption answered"
    else:
        turn_id = _say_unheard(session, settings, note, reason)
        told = "voice note not transcribed"
    note.status, note.failure_reason = status, None if status == "empty" else reason[:40]
    note.reply_turn_id, note.updated_at = turn_id, utcnow()
    log.warning(told, extra={"interaction_id": interaction.id, "media": note.id, "reason": reason})
    return status


def _say(settings: Settings, interaction: Interaction, key: str, **values: Any) -> str:
    return templates_for(settings).render(
        key,
        interaction.language or settings.default_language,
        channel=interaction.channel,
        **values,
    )


def _say_unheard(session: Session, settings: Settings, note: MessageMedia, reason: str) -> int:
    """Store the bot's turn saying why a note could not be heard (once); return its id."""
    interaction = note.interaction
    text = _say(
        settings,
        interaction,
        PROBLEM_REPLIES.get(reason, "voice_note_failed"),
        minutes=max(1, settings.voice_note_max_seconds // 60),
    )
    turn = interactions.find_turn(session, reply_key(note)) or interactions.add_turn(
        session,
        interaction,
        speaker="bot",
        text="",
        source="system",
        reply=text,
        action=CONTINUE,
        entities={"voice_note": note.id, "problem": reason},
        twilio_key=reply_key(note),
    )
    return turn.id


def _answer_caption(
    session: Session,
    settings: Settings,
    note: MessageMedia,
    written: str,
    reason: str,
    status: str,
) -> int:
    """Answer the caption of a note that could not be heard, saying first that it was not;
    return the turn's id."""
    unheard = _say(settings, note.interaction, "voice_note_unheard_written", problem=status)
    reply = turn_service.take_turn(
        session,
        settings,
        note.interaction,
        Inbound("", "voice_note", reply_key(note), written=written, preface=unheard),
    )
    turn = session.get(Turn, reply.turn_id)
    if turn is not None:
        turn.entities = {**(turn.entities or {}), "voice_note": note.id, "problem": reason}
    return reply.turn_id


def give_up(session: Session, settings: Settings, media_id: int, reason: str) -> str:
    """Answer a note that cannot be transcribed (download or decoding failed) with a reply."""
    note = _note(session, media_id)
    if note.status != "queued":
        return note.status
    return _conclude(session, settings, note, reason)


def deliver(session: Session, settings: Settings, telephony: Telephony, media_id: int) -> str:
    """Send a note's answer by message once (WhatsApp window respected); return its status."""
    note = _note(session, media_id)
    if note.status not in ANSWERABLE or note.reply_sid or note.reply_turn_id is None:
        return note.status
    turn = session.get(Turn, note.reply_turn_id)
    if turn is None or not turn.reply:
        return note.status
    sent = outbound.send(
        session,
        settings,
        telephony,
        note.interaction,
        turn.reply,
        purpose=REPLY_PURPOSE,
        report_to=outbound.status_url(settings, turn.id),
    )
    turn.delivery_status = sent.status if sent.status != "sent" else "queued"
    if sent.status == "sent":
        note.reply_sid = sent.message_sid
        if note.status == "transcribed":
            note.status = "answered"
    note.updated_at = utcnow()
    return note.status


def _unsent(session: Session, media_id: int) -> str | None:
    """Return why the answer's last send failed or was skipped while the answer is still owed;
    else None."""
    note = _note(session, media_id)
    if note.reply_sid or note.status not in ANSWERABLE:
        return None
    last = session.scalars(
        select(OutboundMessage)
        .where(
            OutboundMessage.interaction_id == note.interaction_id,
            OutboundMessage.purpose == REPLY_PURPOSE,
        )
        .order_by(OutboundMessage.id.desc())
        .limit(1)
    ).first()
    if last is None or last.status not in ("failed", "skipped"):
        return None
    return last.reason or last.status


def _hand_over_if_final(
    session: Session, settings: Settings, media_id: int, *, may_retry: bool
) -> str | None:
    """Return the reason the answer may still go out on a retry (Twilio unreachable or briefly
    unavailable, and ``may_retry``); hand the conversation to a person when it cannot."""
    reason = _unsent(session, media_id)
    if reason is None:
        return None
    if may_retry and reason in RETRYABLE_REASONS:
        return reason
    note = _note(session, media_id)
    turn = session.get(Turn, note.reply_turn_id) if note.reply_turn_id else None
    reply = turn.reply if turn is not None and turn.reply else ""
    hand_over_undelivered(session, settings, note.interaction, reply, reason)
    return None


def _transcribe_once(
    db: Database, settings: Settings, media_id: int, transcriber: Transcriber | None
) -> None:
    """Transcribe in its own transaction; once more if a message racing on the same
    conversation took the turn's sequence number (the unique constraint refused ours)."""
    try:
        with db.session() as session:
            transcribe(session, settings, media_id, transcriber=transcriber)
    except IntegrityError:
        log.warning("voice note turn raced another message; again", extra={"media": media_id})
        with db.session() as session:
            transcribe(session, settings, media_id, transcriber=transcriber)


def answer(
    db: Database,
    settings: Settings,
    telephony: Telephony,
    media_id: int,
    *,
    may_retry: bool,
    transcriber: Transcriber | None = None,
) -> str | None:
    """Answer a voice note, then each later audio file of the same message, in order.

    Returns the first note's status, or None for an unknown note; errors as
    :func:`answer_one` (a retry finds the notes already answered and sends nothing twice).
    """
    status = answer_one(
        db, settings, telephony, media_id, may_retry=may_retry, transcriber=transcriber
    )
    if status is None:
        return None
    with db.session() as session:
        others = later_notes(session, media_id)
    for other in others:
        answer_one(db, settings, telephony, other, may_retry=may_retry, transcriber=transcriber)
    return status


def answer_one(
    db: Database,
    settings: Settings,
    telephony: Telephony,
    media_id: int,
    *,
    may_retry: bool,
    transcriber: Transcriber | None = None,
) -> str | None:
    """Transcribe one voice note and send the answer, each step in its own transaction.

    Returns the note's status, or None for an unknown note. A download that failed for a
    reason that may pass is raised (AudioFetchError) when ``may_retry``; any other failure is
    answered with a reply saying the note could not be heard. An answer Twilio could not take
    for a reason that may pass (unreachable, 5xx) is raised as a retryable TelephonyError when
    ``may_retry``: the retry finds the note transcribed and only sends the answer. An answer
    that cannot be sent for good (refused, the last attempt, WhatsApp's window closed) hands
    the conversation to a person.
    """
    try:
        _transcribe_once(db, settings, media_id, transcriber)
    except NotFoundError:
        log.warning("voice note vanished", extra={"media": media_id})
        return None
    except AudioFetchError as exc:
        if exc.retryable and may_retry:
            raise
        reason = exc.reason
        with db.session() as session:
            give_up(session, settings, media_id, reason)
    except (TranscriptionError, ConfigError) as exc:
        reason = exc.reason
        with db.session() as session:
            give_up(session, settings, media_id, reason)
    with db.session() as session:
        status = deliver(session, settings, telephony, media_id)
    with db.session() as session:
        unsent = _hand_over_if_final(session, settings, media_id, may_retry=may_retry)
    if unsent is not None:  # committed: the transcript and the failed send stay recorded
        raise TelephonyError(
            "the voice note's answer could not be sent yet", reason=unsent, retryable=True
        )
    return status

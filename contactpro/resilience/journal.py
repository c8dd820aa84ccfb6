"""A durable local journal of webhook requests the database could not take, replayed later.

When the database is unreachable the webhooks still answer (an acknowledgement for an SMS, an
apology and the agent queue for a call, voicemail or goodbye after the queue or an agent, an
empty answer to a status callback) and append the validated request here, with the query
arguments its route reads: one JSON line per request, written and fsync'ed before the answer
goes out. :func:`replay` feeds every entry, in order, through the same idempotent functions the
webhooks use once the database answers again, so an entry replayed twice, or also retried by
Twilio, writes nothing twice; the tasks the webhooks would have sent (close a call, transcribe
a recording) come back in :class:`ReplayResult` for the caller to send.

Files under ``<var>/journal/``::

    pending.jsonl         appended by every web process of the machine under ``journal.lock``
    claimed-<id>.jsonl    a replay's batch: renamed from pending.jsonl under the same lock, so
                          no append is lost; deleted once replayed
    retry-<time>.jsonl    what a replay could not write (the database went away again); the
                          next replay takes these first, so entries keep their order
    rejected.jsonl        entries that cannot be replayed (kept for an operator, logged)

A claimed file whose replaying process died is reclaimed after :data:`STALE_CLAIM_SECONDS`.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.conversations import interactions, turn_service
from contactpro.conversations.escalation import escalate
from contactpro.conversations.turn_service import Inbound
from contactpro.db import Database, is_database_down, is_schema_behind
from contactpro.dialog.templates import texts
from contactpro.messaging import late_answers
from contactpro.models import Interaction, utcnow
from contactpro.nlu.language import detect_language
from contactpro.providers.telephony import Telephony, TelephonyError
from contactpro.providers.twilio_forms import (
    CallStatus,
    DialResult,
    IncomingCall,
    IncomingSms,
    MessageStatus,
    QueueResult,
    RecordingCallback,
    VoicemailLeft,
    redact_form,
    url_language,
)
from contactpro.resilience.filelock import folder_lock
from contactpro.voice import decide, outcomes, recordings

log = logging.getLogger(__name__)

SMS = "sms"
SMS_STATUS = "sms_status"
VOICE_START = "voice_start"
VOICE_TURN = "voice_turn"
VOICE_STATUS = "voice_status"
QUEUE_RESULT = "queue_result"
DIAL_RESULT = "dial_result"
VOICEMAIL = "voicemail"
RECORDING = "recording"
KINDS = (
    SMS,
    SMS_STATUS,
    VOICE_START,
    VOICE_TURN,
    VOICE_STATUS,
    QUEUE_RESULT,
    DIAL_RESULT,
    VOICEMAIL,
    RECORDING,
)
STALE_CLAIM_SECONDS = 300
ESCALATION_REASON = "technical_error"

# What an SMS sender reads while the database is away; the real answer follows on replay.
SMS_ACKNOWLEDGEMENT = texts("sms_acknowledgement")  # language -> text, from the catalogue


def sms_acknowledgement(body: str, settings: Settings, hint: str | None = None) -> str:
    """Return the acknowledgement in the message's own language when it says it (the sender's
    language is in the database), else in ``hint`` (a URL's ``lang``) or the default."""
    guess = detect_language(body, hint=hint, default=hint or settings.default_language)
    return SMS_ACKNOWLEDGEMENT[guess.language]


@dataclass(frozen=True)
class Entry:
    """One journaled webhook request: its kind, Twilio's parameters and when it arrived."""

    kind: str
    params: dict[str, str]
    received_at: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def line(self) -> bytes:
        """Return the entry as one JSON line."""
        return (json.dumps(asdict(self), ensure_ascii=False) + "\n").encode()

    @classmethod
    def parse(cls, line: str) -> Entry:
        """Parse one JSON line (ValueError/KeyError/TypeError when it is not an entry)."""
        data = json.loads(line)
        if data["kind"] not in KINDS:
            raise ValueError(f"unknown journal entry kind {data['kind']!r}")
        return cls(
            kind=data["kind"],
            params={str(k): str(v) for k, v in data["params"].items()},
            received_at=str(data["received_at"]),
            id=str(data["id"]),
        )


@dataclass
class ReplayResult:
    """What a replay did: entries written to the database, put back, rejected; and the tasks
    the webhooks would have sent: calls to close, recordings and voice notes to transcribe,
    and the turns whose late answer is still owed (to send, or to try again)."""

    replayed: int = 0
    remaining: int = 0
    rejected: int = 0
    ended_calls: list[tuple[int, str]] = field(default_factory=list)
    transcriptions: list[int] = field(default_factory=list)
    voice_notes: list[int] = field(default_factory=list)
    late_answers: list[int] = field(default_factory=list)


class Journal:
    """The append-only journal in one folder, shared by every process of the machine."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.pending = self.folder / "pending.jsonl"
        self.rejected = self.folder / "rejected.jsonl"
        self._lock_name = "journal.lock"

    @classmethod
    def for_settings(cls, settings: Settings) -> Journal:
        """Return the journal under the settings' var folder."""
        return cls(Path(settings.var_dir) / "journal")

    def _locked(self) -> AbstractContextManager[None]:
        return folder_lock(self.folder, self._lock_name)

    def _append(self, path: Path, entries: list[Entry]) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, b"".join(entry.line() for entry in entries))
            os.fsync(fd)
        finally:
            os.close(fd)

    def append(self, kind: str, params: dict[str, str]) -> Entry:
        """Write one request durably (fsync), its free text redacted, and return its entry."""
        if kind not in KINDS:
            raise ValueError(f"unknown journal entry kind {kind!r}")
        entry = Entry(kind=kind, params=redact_form(params), received_at=utcnow().isoformat())
        with self._locked():
            self._append(self.pending, [entry])
        log.warning(
            "journaled request while the database is unreachable",
            extra={"journal_id": entry.id, "kind": kind, "twilio_sid": _sid_of(entry)},
        )
        return entry

    def has_pending(self) -> bool:
        """Return True when entries wait for replay (cheap: a stat and a folder listing)."""
        try:
            if self.pending.stat().st_size > 0:
                return True
        except FileNotFoundError:
            if not self.folder.is_dir():
                return False
        return any(self.folder.glob("retry-*.jsonl")) or any(self.folder.glob("claimed-*.jsonl"))

    def pending_count(self) -> int:
        """Return how many entries wait for replay (pending and claimed)."""
        if not self.folder.is_dir():
            return 0
        files = [
            self.pending,
            *self.folder.glob("claimed-*.jsonl"),
            *self.folder.glob("retry-*.jsonl"),
        ]
        total = 0
        for path in files:
            try:
                with path.open("rb") as handle:
                    total += sum(1 for line in handle if line.strip())
            except FileNotFoundError:
                continue
        return total

    def claim(self, stale_after: float = STALE_CLAIM_SECONDS) -> list[Path]:
        """Take the pending entries, and claims older than ``stale_after`` seconds (abandoned by
        a process that died mid-replay), for this process to replay."""
        if not self.folder.is_dir():
            return []
        claimed: list[Path] = []
        with self._locked():
            now = time.time()
            for stale in self.folder.glob("claimed-*.jsonl"):
                try:
                    if now - stale.stat().st_mtime < stale_after:
                        continue
                    target = self.folder / f"claimed-{uuid.uuid4().hex}.jsonl"
                    os.replace(stale, target)
                except FileNotFoundError:
                    continue
                os.utime(target)
                claimed.append(target)
            for retry in sorted(self.folder.glob("retry-*.jsonl")):
                target = self.folder / f"claimed-{uuid.uuid4().hex}.jsonl"
                os.replace(retry, target)
                claimed.append(target)
            if self.pending.exists() and self.pending.stat().st_size > 0:
                target = self.folder / f"claimed-{uuid.uuid4().hex}.jsonl"
                os.replace(self.pending, target)
                claimed.append(target)
        return claimed

    def read(self, path: Path) -> list[Entry]:
        """Return the entries of one file, skipping (and logging) a torn or foreign line."""
        entries = []
        with path.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    entries.append(Entry.parse(line))
                except (ValueError, KeyError, TypeError, AttributeError):
                    log.error("unreadable journal line", extra={"file": path.name, "line": number})
        return entries

    def release(self, path: Path, unreplayed: list[Entry], rejected: list[Entry]) -> None:
        """Put unreplayed entries back (ahead of newer ones), keep rejected ones aside, and
        drop the claimed file."""
        with self._locked():
            if unreplayed:
                retry = self.folder / f"retry-{time.time_ns():020d}.jsonl"
                partial = retry.with_suffix(".part")
                self._append(partial, unreplayed)
                os.replace(partial, retry)
            if rejected:
                self._append(self.rejected, rejected)
            path.unlink(missing_ok=True)


def _sid_of(entry: Entry) -> str:
    return entry.params.get("MessageSid") or entry.params.get("CallSid") or ""


def _call(session: Session, settings: Settings, call: IncomingCall) -> Interaction:
    """Return the call's interaction, recording the fallback greeting if it never got one."""
    interaction = interactions.find_by_sid(session, "voice", call.call_sid)
    if interaction is None:
        interaction = interactions.open_interaction(
            session,
            settings,
            channel="voice",
            sid=call.call_sid,
            from_number=call.from_number,
            to_number=call.to_number,
        )
        interaction.language = interaction.language or settings.default_language
    key = f"{call.call_sid}:start"
    if interactions.find_turn(session, key) is None:
        turn_service.technical_fallback_turn(session, settings, interaction, twilio_key=key)
    return interaction


def _voice_turn(session: Session, settings: Settings, params: dict[str, str]) -> Interaction:
    """Record what the caller said (they heard the apology and went to the queue)."""
    call = IncomingCall.parse(params)
    interaction = _call(session, settings, call)
    key = params["key"]
    if interactions.find_turn(session, key) is None:
        said = decide.heard(call, key) or Inbound("", "system", key)
        turn_service.technical_fallback_turn(
            session, settings, interaction, twilio_key=key, said=said
        )
    return interaction


def _sms(
    session: Session, settings: Settings, params: dict[str, str], result: ReplayResult
) -> turn_service.BotReply:
    reply = turn_service.receive_message(session, settings, IncomingSms.parse(params))
    if reply.voice_note_id is not None:
        result.voice_notes.append(reply.voice_note_id)
    return reply


def _sms_status(
    session: Session, settings: Settings, params: dict[str, str], result: ReplayResult
) -> None:
    update = MessageStatus.parse(params, params)
    interactions.record_delivery_status(
        session, update.message_sid, update.status, update.error_code, turn_id=update.turn_id
    )


def _voice_start(
    session: Session, settings: Settings, params: dict[str, str], result: ReplayResult
) -> None:
    """The caller heard the apology and went to a person: record the call and the hand-off."""
    interaction = _call(session, settings, IncomingCall.parse(params))
    escalate(session, settings, interaction, ESCALATION_REASON)


def _voice_turn_handed_over(
    session: Session, settings: Settings, params: dict[str, str], result: ReplayResult
) -> None:
    """Record what the caller said before the apology, and the hand-off."""
    escalate(session, settings, _voice_turn(session, settings, params), ESCALATION_REASON)


def _voice_status(
    session: Session, settings: Settings, params: dict[str, str], result: ReplayResult
) -> None:
    update = CallStatus.parse(params)
    ended = interactions.record_call_status(
        session, update.call_sid, update.call_status, update.duration_seconds
    )
    if ended is not None:
        result.ended_calls.append((ended.id, update.call_status))


def _heard_in(settings: Settings, params: dict[str, str]) -> str:
    """The language a journaled callback was answered in: its URL's, else the default."""
    return url_language(params) or settings.default_language


def _queue_result(
    session: Session, settings: Settings, params: dict[str, str], result: ReplayResult
) -> None:
    """Record the queue result and the voicemail invitation the caller heard, if any."""
    queued = QueueResult.parse(params)
    outcomes.queue_left(
        session,
        settings,
        queued.call_sid,
        queued.queue_result,
        queued.queue_time,
        _heard_in(settings, params),
    )


def _dial_result(
    session: Session, settings: Settings, params: dict[str, str], result: ReplayResult
) -> None:
    """Record the agent leg's result and the goodbye or voicemail invitation heard."""
    dialled = DialResult.parse(params)
    outcomes.dial_ended(
        session,
        settings,
        dialled.call_sid,
        dialled.dial_status,
        dialled.dial_seconds,
        _heard_in(settings, params),
    )


def _voicemail(
    session: Session, settings: Settings, params: dict[str, str], result: ReplayResult
) -> None:
    """Record what the caller left at voicemail and the goodbye they heard."""
    left = VoicemailLeft.parse(params, params)
    queued = recordings.voicemail_left(session, settings, left, _heard_in(settings, params))
    if queued is not None:
        result.transcriptions.append(queued.id)


def _recording(
    session: Session, settings: Settings, params: dict[str, str], result: ReplayResult
) -> None:
    callback = RecordingCallback.parse(params, params)
    queued = recordings.receive(session, settings, callback.report, callback.kind)
    if queued is not None:
        result.transcriptions.append(queued.id)


# How each kind of entry is written: the functions the live webhooks call, in the same order.
_APPLY: dict[
    str, Callable[[Session, Settings, dict[str, str], ReplayResult], turn_service.BotReply | None]
] = {
    SMS: _sms,
    SMS_STATUS: _sms_status,
    VOICE_START: _voice_start,
    VOICE_TURN: _voice_turn_handed_over,
    VOICE_STATUS: _voice_status,
    QUEUE_RESULT: _queue_result,
    DIAL_RESULT: _dial_result,
    VOICEMAIL: _voicemail,
    RECORDING: _recording,
}


def apply(
    session: Session, settings: Settings, entry: Entry, result: ReplayResult
) -> turn_service.BotReply | None:
    """Write one entry through the idempotent domain path; return an SMS reply to send.

    The tasks to send once the transaction commits (calls ended, recordings to transcribe) are
    added to ``result``.
    """
    return _APPLY[entry.kind](session, settings, entry.params, result)


def replay(
    journal: Journal,
    db: Database,
    settings: Settings,
    telephony: Telephony | None = None,
    *,
    stale_after: float = STALE_CLAIM_SECONDS,
) -> ReplayResult:
    """Feed journaled requests into the database, oldest first; stop if it is still down.

    An SMS whose sender only got the acknowledgement gets the bot's real answer by ``telephony``
    once its turn is stored (not when Twilio's own retry already stored and answered it), as an
    outbound message; one Twilio could not take yet, or all of them without ``telephony``, stay
    in ``result.late_answers`` for the task that tries again.
    """
    result = ReplayResult()
    paused = False
    for path in journal.claim(stale_after):
        entries = journal.read(path)
        rejected: list[Entry] = []
        done = 0
        for entry in entries if not paused else []:
            try:
                reply = _apply_once(db, settings, entry, result)
            except DBAPIError as exc:
                if is_database_down(exc):
                    log.warning(
                        "journal replay paused: %s",
                        "the database schema is behind this release: run `contactpro init-db`"
                        if is_schema_behind(exc)
                        else "database unreachable",
                    )
                    paused = True
                    break
                log.exception("journal entry rejected", extra={"journal_id": entry.id})
                rejected.append(entry)
            except Exception:  # a poison entry must not block the rest; it is kept aside
                log.exception("journal entry rejected", extra={"journal_id": entry.id})
                rejected.append(entry)
            else:
                result.replayed += 1
                if reply is not None and not reply.replayed and reply.text:
                    _send_late_answer(db, settings, telephony, reply, result)
            done += 1
        unreplayed = entries[done:]
        journal.release(path, unreplayed, rejected)
        result.remaining += len(unreplayed)
        result.rejected += len(rejected)
    if result.replayed or result.remaining or result.rejected:
        log.info("journal replayed", extra=_summary(result))
    return result


def _apply_once(
    db: Database, settings: Settings, entry: Entry, result: ReplayResult
) -> turn_service.BotReply | None:
    """Apply an entry in its own transaction; if Twilio's retry of it won a race, replay."""
    try:
        return _commit(db, settings, entry, result)
    except IntegrityError:
        return _commit(db, settings, entry, result)


def _commit(
    db: Database, settings: Settings, entry: Entry, result: ReplayResult
) -> turn_service.BotReply | None:
    """Apply an entry and commit; only then keep the tasks it asks for (none for a rollback)."""
    tasks = ReplayResult()
    with db.session() as session:
        reply = apply(session, settings, entry, tasks)
    result.ended_calls.extend(tasks.ended_calls)
    result.transcriptions.extend(tasks.transcriptions)
    result.voice_notes.extend(tasks.voice_notes)
    return reply


def _send_late_answer(
    db: Database,
    settings: Settings,
    telephony: Telephony | None,
    reply: turn_service.BotReply,
    result: ReplayResult,
) -> None:
    """Send a stored turn's answer now; keep it for the retrying task when that may help."""
    if telephony is None:
        result.late_answers.append(reply.turn_id)
        return
    try:
        late_answers.deliver_once(db, settings, telephony, reply.turn_id, may_retry=True)
    except TelephonyError:  # retryable: recorded as failed, the task tries again
        result.late_answers.append(reply.turn_id)
    except DBAPIError:  # the database went away again: the task sends it once it is back
        log.warning("late answer deferred", extra={"interaction_id": reply.interaction_id})
        result.late_answers.append(reply.turn_id)


def _summary(result: ReplayResult) -> dict[str, Any]:
    return {
        "replayed": result.replayed,
        "remaining": result.remaining,
        "rejected": result.rejected,
    }

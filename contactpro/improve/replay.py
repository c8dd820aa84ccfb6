"""Replay before deploy: run recorded caller turns through the dialog, current vs proposed.

Each side runs offline against its own throwaway SQLite copy holding only the accounts the
conversations need (copied from the live database by customer id or phone number): no Twilio,
no SMS, no LLM (the cascade's rules and model only, so both sides are judged alike). A replayed
conversation ends when the bot hands over or hangs up, or when the caller's recorded turns run
out. A conversation whose recorded turns ran out while the bot still waited for the caller (not
resolved, not handed over), although the recording did not end abandoned, is *cut short*: the
recording stops where the real conversation went another way, so it says nothing about how the
replayed one would have ended, and it is left out of the resolution and escalation figures
(counted apart, on either side).

A *wrong resolution* is one the bot counted as resolved that the caller then denied, or whose
topic differs from the intent recorded for the conversation.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from statistics import mean
from typing import Any

from sqlalchemy import Table, insert, or_, select, true
from sqlalchemy.orm import Session

from contactpro.config import LANGUAGES, Settings
from contactpro.console.settings import BY_KEY
from contactpro.conversations import interactions
from contactpro.conversations.turn_service import Inbound, greet_call, take_turn
from contactpro.db import Database
from contactpro.dialog.context import ESCALATE, HANGUP, DialogState
from contactpro.dialog.knowledge import DEFAULT_DIR as DEFAULT_KB
from contactpro.improve.dataset import Conversation, Message, outcome_of
from contactpro.improve.metrics import SMALL_TALK, estimate_csat
from contactpro.improve.proposed import Proposed
from contactpro.models import (
    Account,
    Base,
    ConfigEntry,
    Customer,
    Escalation,
    Invoice,
    Payment,
    ServiceOutage,
)

REPLAY_TO = "+15550000000"
Progress = Callable[[int, int], None]
# Packages logging a line per turn (opened, turn, escalated...): live, each line is one caller;
# in a replay of thousands of conversations they are detail, so their INFO lines become DEBUG.
TURN_LOGGERS = (
    "contactpro.conversations",
    "contactpro.dialog",
    "contactpro.nlu",
    "contactpro.voice",
    "contactpro.messaging",
)


class _TurnsAtDebug(logging.Filter):
    """Lower one thread's INFO records, and warnings already said once, to DEBUG (dropped
    unless DEBUG is on for the logger): a template that fails in every reply warns once."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()
        self.warned: set[tuple[str, object, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.thread != self.thread or record.levelno > logging.WARNING:
            return True
        if record.levelno == logging.WARNING:
            said = (record.name, record.msg, repr(record.args))
            if said not in self.warned:
                self.warned.add(said)
                return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


@contextmanager
def turns_at_debug() -> Iterator[None]:
    """Log the replayed turns at DEBUG while the block runs (other threads' turns as they are)."""
    demote = _TurnsAtDebug()
    names = [n for n in list(logging.root.manager.loggerDict) if n.startswith(TURN_LOGGERS)]
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addFilter(demote)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(demote)


@dataclass(frozen=True)
class Replayed:
    """How one conversation went when replayed on one side."""

    conversation_id: str
    outcome: str
    resolved: bool
    escalated: bool
    escalation_reason: str | None
    caller_turns: int
    wrong_resolution: bool
    csat_estimated: float
    intents: list[str]
    transcript: list[Message] = field(repr=False)
    failure_step: str | None = None
    cut_short: bool = False

    def row(self) -> dict[str, Any]:
        """Return one flat CSV row (no transcript)."""
        data = asdict(self)
        data.pop("transcript")
        data["intents"] = ";".join(self.intents)
        return data

    def as_conversation(self, original: Conversation) -> Conversation:
        """Return the regenerated conversation in the dataset format: every outcome field is
        the replayed one (nothing of the recording's own ending is kept)."""
        meta = {**original.extra_meta, "outcome": self.outcome}
        meta.pop("replay_cut_short", None)
        if self.cut_short:
            meta["replay_cut_short"] = True
        return replace(
            original,
            transcript=list(self.transcript),
            resolved=self.resolved,
            escalation_reason=self.escalation_reason if self.escalated else None,
            failure_step=self.failure_step,
            failure_reason=self.escalation_reason if self.escalated else None,
            csat=None,
            csat_estimated=self.csat_estimated,
            intents=list(self.intents),
            bot_latency_ms=None,
            extra_meta=meta,
        )


@dataclass(frozen=True)
class Comparison:
    """Both sides of a replay, their figures, and the conversations whose outcome changed."""

    baseline: list[Replayed]
    proposed: list[Replayed]
    summary: dict[str, dict[str, Any]]
    changed: list[dict[str, Any]]


def _copy_rows(source: Session, target: Session, table: Table, where: Any) -> list[Any]:
    rows = [dict(r) for r in source.execute(select(table).where(where)).mappings()]
    if rows:
        target.execute(insert(table), rows)
    return rows


def copy_accounts(live: Session, target: Session, conversations: Sequence[Conversation]) -> int:
    """Copy the customers (accounts, invoices, payments) the conversations name; return how many."""
    ids = {
        int(c.extra_meta["customer_id"]) for c in conversations if c.extra_meta.get("customer_id")
    }
    phones = {
        str(c.extra_meta["from_number"]) for c in conversations if c.extra_meta.get("from_number")
    }
    if not ids and not phones:
        return 0
    customers = _copy_rows(
        live,
        target,
        Customer.__table__,  # type: ignore[arg-type]
        or_(Customer.id.in_(ids), Customer.phone.in_(phones)),
    )
    owners = [row["id"] for row in customers]
    accounts = _copy_rows(live, target, Account.__table__, Account.customer_id.in_(owners))  # type: ignore[arg-type]
    numbers = [row["id"] for row in accounts]
    _copy_rows(live, target, Invoice.__table__, Invoice.account_id.in_(numbers))  # type: ignore[arg-type]
    _copy_rows(live, target, Payment.__table__, Payment.account_id.in_(numbers))  # type: ignore[arg-type]
    _copy_rows(live, target, ServiceOutage.__table__, ServiceOutage.resolved_at.is_(None))  # type: ignore[arg-type]
    target.commit()
    return len(customers)


def copy_config(live: Session, target: Session, overrides: Mapping[str, Any]) -> None:
    """Copy the settings managers set on the settings page (``config_entries``), so a side
    answers as the product does today; one the proposal changes takes the proposal's value."""
    rows = live.execute(select(ConfigEntry.key, ConfigEntry.value).where(true())).all()
    values = {key: value for key, value in rows if key not in overrides}
    values |= {key: value for key, value in overrides.items() if key in BY_KEY}
    for key, value in values.items():
        target.add(ConfigEntry(key=key, value=value, updated_by=None))
    target.commit()


def _recorded_topic(conv: Conversation) -> str | None:
    return next((i for i in conv.intents if i not in SMALL_TALK), None)


def replay_one(session: Session, settings: Settings, conv: Conversation, index: int) -> Replayed:
    """Replay one conversation's caller turns on ``session``'s database."""
    sid = f"replay-{index}"
    # WhatsApp replays as WhatsApp: whole replies with their accents, not SMS-shortened ones.
    channel = conv.channel if conv.channel in ("voice", "sms", "whatsapp") else "sms"
    number = str(conv.extra_meta.get("from_number") or f"+1999{index:07d}")
    transcript: list[Message] = []
    if channel == "voice":
        # An unknown caller is greeted in the default language: the recorded call's, here.
        language = conv.language if conv.language in LANGUAGES else settings.default_language
        greeter = replace(settings, default_language=language)
        greeting = greet_call(
            session, greeter, call_sid=sid, from_number=number, to_number=REPLAY_TO
        )
        interaction = interactions.get_interaction(session, greeting.interaction_id)
        transcript.append(Message("assistant", greeting.text))
    else:
        interaction = interactions.open_interaction(
            session, settings, channel=channel, sid=sid, from_number=number, to_number=REPLAY_TO
        )
        state = DialogState.load(interaction.state)
        state.customer_id = interaction.customer_id
        interaction.state = state.dump()
    if conv.language and interaction.customer is None:
        interaction.language = conv.language
    intents: list[str] = []
    source = "speech" if channel == "voice" else "sms"
    used: list[str] = []
    ended = False  # the bot handed over or hung up (else the recorded turns ran out)
    for number_, text in enumerate(t for t in conv.user_texts if t.strip()):
        reply = take_turn(session, settings, interaction, Inbound(text, source, f"{sid}:{number_}"))
        used.append(text)
        transcript += [Message("user", text), Message("assistant", reply.text)]
        turn = interactions.find_turn(session, f"{sid}:{number_}")
        if turn is not None and turn.intent and turn.intent not in intents:
            intents.append(turn.intent)
        if reply.action in (ESCALATE, HANGUP):
            ended = True
            break
    state = DialogState.load(interaction.state)
    reason = session.scalar(
        select(Escalation.reason).where(Escalation.interaction_id == interaction.id)
    )
    escalated = state.escalated or reason is not None
    resolved = state.resolved and not escalated
    outcome = "auto_resolved" if resolved else "escalated" if escalated else "abandoned"
    topic = next((i for i in intents if i not in SMALL_TALK), None)
    recorded = _recorded_topic(conv)
    wrong = state.resolved and (
        reason == "not_resolved" or (recorded is not None and topic not in (None, recorded))
    )
    # Ran out of recorded turns with the bot still waiting, where the caller did not abandon.
    cut_short = not ended and outcome == "abandoned" and outcome_of(conv) != "abandoned"
    steps = state.steps
    session.commit()
    return Replayed(
        conversation_id=conv.conversation_id,
        outcome=outcome,
        resolved=resolved,
        escalated=escalated,
        escalation_reason=reason,
        caller_turns=len(used),
        wrong_resolution=bool(wrong),
        csat_estimated=estimate_csat(used, outcome, reason),
        intents=intents,
        transcript=transcript,
        failure_step=str(steps[-1]) if steps and not resolved else None,
        cut_short=cut_short,
    )


def _merged_kb(current: str, proposed: Path, into: Path) -> Path:
    """The current knowledge base with the proposal's articles added (same name: replaced)."""
    shutil.copytree(Path(current) if current else DEFAULT_KB, into)
    shutil.copytree(proposed, into, dirs_exist_ok=True)
    return into


def run_side(
    live: Database,
    settings: Settings,
    conversations: Sequence[Conversation],
    workdir: Path,
    progress: Progress | None = None,
    offset: int = 0,
    total: int = 0,
    overrides: Mapping[str, Any] | None = None,
) -> list[Replayed]:
    """Replay every conversation with ``settings`` on a fresh throwaway database in ``workdir``
    holding the managers' page settings, with the proposal's ``overrides`` over them."""
    url = f"sqlite:///{workdir / 'replay.sqlite3'}"
    side = replace(
        settings,
        database_url=url,
        anthropic_api_key="",
        telephony="fake",
        twilio_account_sid="",
        survey_enabled=False,
    )
    db = Database(url)
    try:
        Base.metadata.create_all(db.engine)
        with live.session() as source, db.session() as target:
            copy_accounts(source, target, conversations)
            copy_config(source, target, overrides or {})
        results: list[Replayed] = []
        for index, conv in enumerate(conversations):
            with db.session() as session:
                results.append(replay_one(session, side, conv, index))
            if progress is not None:
                progress(offset + index + 1, total or len(conversations))
        return results
    finally:
        db.dispose()


def _figures(rows: Sequence[Replayed], apart: set[str]) -> dict[str, Any]:
    """Return one side's figures; the outcome figures leave out the ``apart`` conversations
    (cut short on either side), so both sides count the same conversations."""
    kept = [r for r in rows if r.conversation_id not in apart]
    n = len(kept) or 1
    return {
        "conversations": len(rows),
        "cut_short": sum(r.cut_short for r in rows),
        "compared": len(kept),
        "resolved": sum(r.resolved for r in kept),
        "resolution_rate": round(sum(r.resolved for r in kept) / n, 4),
        "escalated": sum(r.escalated for r in kept),
        "escalation_rate": round(sum(r.escalated for r in kept) / n, 4),
        "caller_turns_mean": round(mean(r.caller_turns for r in kept), 2) if kept else None,
        "wrong_resolutions": sum(r.wrong_resolution for r in kept),
        "csat_estimated_mean": round(mean(r.csat_estimated for r in kept), 2) if kept else None,
    }


def _direction(before: Replayed, after: Replayed) -> str:
    if before.cut_short or after.cut_short:
        return "cut_short"
    good_before = before.resolved and not before.wrong_resolution
    good_after = after.resolved and not after.wrong_resolution
    if good_after and not good_before:
        return "improved"
    if good_before and not good_after:
        return "broke"
    return "changed"


def compare(baseline: Sequence[Replayed], proposed: Sequence[Replayed]) -> Comparison:
    """Put both sides side by side and list the conversations whose outcome changed."""
    changed = [
        {
            "conversation_id": b.conversation_id,
            "baseline": b.outcome,
            "proposed": p.outcome,
            "baseline_wrong": b.wrong_resolution,
            "proposed_wrong": p.wrong_resolution,
            "direction": _direction(b, p),
        }
        for b, p in zip(baseline, proposed, strict=True)
        if (b.outcome, b.wrong_resolution) != (p.outcome, p.wrong_resolution)
    ]
    apart = {r.conversation_id for r in [*baseline, *proposed] if r.cut_short}
    before, after = _figures(baseline, apart), _figures(proposed, apart)
    delta = {
        k: round(after[k] - before[k], 4)
        for k in before
        if isinstance(before[k], (int, float)) and isinstance(after[k], (int, float))
    }
    summary = {"baseline": before, "proposed": after, "delta": delta}
    return Comparison(list(baseline), list(proposed), summary, changed)


def replay(
    live: Database,
    settings: Settings,
    conversations: Sequence[Conversation],
    proposal: Proposed,
    progress: Progress | None = None,
) -> Comparison:
    """Replay ``conversations`` with the current settings and with ``proposal``; compare."""
    total = 2 * len(conversations)
    with turns_at_debug(), tempfile.TemporaryDirectory(prefix="contactpro-replay-") as tmp:
        root = Path(tmp)
        (root / "baseline").mkdir()
        (root / "proposed").mkdir()
        proposed_settings = proposal.apply(settings)
        if proposal.knowledge_dir is not None:
            merged = _merged_kb(settings.knowledge_dir, proposal.knowledge_dir, root / "kb")
            proposed_settings = replace(proposed_settings, knowledge_dir=str(merged))
        before = run_side(live, settings, conversations, root / "baseline", progress, 0, total)
        after = run_side(
            live,
            proposed_settings,
            conversations,
            root / "proposed",
            progress,
            len(before),
            total,
            proposal.overrides,
        )
    return compare(before, after)

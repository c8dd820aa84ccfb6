"""Datasets in the database: imported conversations kept apart, live traffic read the same way."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import mean

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from contactpro.improve.dataset import Conversation, Message
from contactpro.models import DatasetConversation, Escalation, Interaction

# The customer id and caller number go into an export so a replay can copy the account.
LIVE_META = ("customer_id", "from_number", "outcome", "interaction_id")
# The intent of a caller's reply to the satisfaction survey (turn_service).
SURVEY_ANSWER = "survey_answer"


@dataclass(frozen=True)
class LiveFilter:
    """Which live interactions to read."""

    since: datetime | None = None
    until: datetime | None = None
    channel: str | None = None
    outcome: str | None = None


def save(session: Session, dataset: str, conversations: Iterable[Conversation]) -> tuple[int, int]:
    """Store conversations under ``dataset``; a known id is replaced. Return (added, replaced)."""
    existing = {
        row.external_id: row
        for row in session.scalars(
            select(DatasetConversation).where(DatasetConversation.dataset == dataset)
        )
    }
    added = replaced = 0
    for conv in conversations:
        row = existing.get(conv.conversation_id)
        if row is None:
            row = DatasetConversation(dataset=dataset, external_id=conv.conversation_id)
            session.add(row)
            existing[conv.conversation_id] = row
            added += 1
        else:
            replaced += 1
        data = conv.to_json()
        row.channel, row.language = conv.channel, conv.language
        row.started_at, row.resolved = conv.started_at, conv.resolved
        row.duration_seconds = conv.duration_sec
        row.csat = conv.csat if conv.csat is not None else conv.csat_estimated
        row.csat_estimated = conv.csat is None
        row.call_type, row.failure_step = conv.call_type, conv.failure_step
        row.failure_reason, row.segment = conv.failure_reason, conv.segment
        row.transcript, row.meta, row.outcomes = data["transcript"], data["meta"], data["outcomes"]
    session.flush()
    return added, replaced


def from_row(row: DatasetConversation) -> Conversation:
    """Rebuild the in-memory conversation of a stored one."""
    meta, outcomes = row.meta or {}, row.outcomes or {}
    return Conversation(
        conversation_id=row.external_id,
        transcript=[Message(m["role"], m["content"]) for m in row.transcript or []],
        channel=row.channel,
        language=row.language,
        resolved=row.resolved,
        duration_sec=row.duration_seconds,
        started_at=row.started_at,
        context=meta.get("context"),
        call_type=row.call_type,
        failure_step=row.failure_step,
        failure_reason=row.failure_reason,
        segment=row.segment,
        escalation_reason=meta.get("escalation_reason"),
        csat=meta.get("csat"),
        csat_estimated=outcomes.get("csat_estimated_1_5"),
        bot_latency_ms=meta.get("bot_latency_ms"),
        summary=outcomes.get("summary"),
        intents=list(outcomes.get("intent_detected") or []),
        tools_needed=list(outcomes.get("tools_needed") or []),
        extra_meta={k: v for k, v in meta.items() if k in LIVE_META or k.startswith("x_")},
    )


def load(session: Session, dataset: str) -> list[Conversation]:
    """Return every conversation of an imported dataset, in import order."""
    rows = session.scalars(
        select(DatasetConversation)
        .where(DatasetConversation.dataset == dataset)
        .order_by(DatasetConversation.id)
    )
    return [from_row(row) for row in rows]


def has_dataset(session: Session, dataset: str) -> bool:
    """Return True when a dataset of that name holds at least one conversation."""
    found = session.scalar(
        select(DatasetConversation.id).where(DatasetConversation.dataset == dataset).limit(1)
    )
    return found is not None


def datasets(session: Session) -> dict[str, int]:
    """Return each imported dataset's name and size."""
    counts: dict[str, int] = {}
    for name in session.scalars(select(DatasetConversation.dataset)):
        counts[name] = counts.get(name, 0) + 1
    return counts


def _live(interaction: Interaction, reason: str | None) -> Conversation:
    transcript: list[Message] = []
    intents: list[str] = []
    latencies: list[float] = []
    for turn in interaction.turns:
        if turn.intent == SURVEY_ANSWER:
            # The rating sent after the close is the conversation's CSAT (in meta), not a
            # caller turn: replayed, the bot would take "5" for a new request.
            continue
        if turn.speaker == "caller" and turn.text:
            transcript.append(Message("user", turn.text))
        if turn.intent and turn.intent not in intents and turn.speaker == "caller":
            intents.append(turn.intent)
        if turn.latency_ms is not None:
            latencies.append(turn.latency_ms)
        if turn.reply:
            transcript.append(Message("assistant", turn.reply))
    state = interaction.state or {}
    steps = state.get("steps") or []
    customer = interaction.customer
    return Conversation(
        conversation_id=f"live-{interaction.id}",
        transcript=transcript,
        channel=interaction.channel,
        language=interaction.language,
        resolved=interaction.outcome == "auto_resolved",
        duration_sec=interaction.duration_seconds,
        started_at=interaction.started_at,
        call_type=interaction.channel,
        failure_step=steps[-1] if steps and interaction.outcome != "auto_resolved" else None,
        failure_reason=reason,
        segment=customer.segment if customer else None,
        escalation_reason=reason,
        csat=state.get("csat"),
        bot_latency_ms=round(mean(latencies), 2) if latencies else None,
        intents=intents,
        extra_meta={
            "interaction_id": interaction.id,
            "customer_id": interaction.customer_id,
            "from_number": interaction.from_number,
            "outcome": interaction.outcome,
        },
    )


def _matching(live: LiveFilter) -> list[ColumnElement[bool]]:
    """Return the conditions of the live interactions ``live`` names (period, channel, outcome)."""
    conditions: list[ColumnElement[bool]] = []
    if live.since is not None:
        conditions.append(Interaction.started_at >= live.since)
    if live.until is not None:
        conditions.append(Interaction.started_at < live.until)
    if live.channel:
        conditions.append(Interaction.channel == live.channel)
    if live.outcome:
        conditions.append(Interaction.outcome == live.outcome)
    return conditions


def still_open(session: Session, live: LiveFilter) -> int:
    """Return how many live interactions match ``live`` but are not closed yet (an export and
    the figures leave them out: their conversation is not over)."""
    query = select(func.count(Interaction.id)).where(
        Interaction.status != "closed", *_matching(live)
    )
    return int(session.scalar(query) or 0)


def export_live(session: Session, live: LiveFilter, batch: int = 500) -> Iterator[Conversation]:
    """Yield closed live interactions matching ``live`` as dataset conversations, in id order."""
    query = select(Interaction).where(Interaction.status == "closed", *_matching(live))
    query = query.order_by(Interaction.id)
    last = 0
    while True:
        page = list(
            session.scalars(
                query.where(Interaction.id > last)
                .options(selectinload(Interaction.turns), selectinload(Interaction.customer))
                .limit(batch)
            )
        )
        if not page:
            return
        reasons = dict(
            session.execute(
                select(Escalation.interaction_id, Escalation.reason).where(
                    Escalation.interaction_id.in_([i.id for i in page])
                )
            ).all()
        )
        for interaction in page:
            yield _live(interaction, reasons.get(interaction.id))
        last = max(i.id for i in page)


def recent_or_dataset(
    session: Session, dataset: str | None, days: int, now: datetime
) -> list[Conversation]:
    """Return an imported dataset's conversations, or live ones of the last ``days`` days."""
    if dataset:
        return load(session, dataset)
    return list(export_live(session, LiveFilter(since=now - timedelta(days=days))))

"""Pattern analysis: what happens on the lines, aggregated in SQL where the data lives.

One pass copies the period's closed interactions into a narrow temporary table (one row per
interaction: channel, caller, segment, hour, primary intent, outcome, last dialog step, failure
reason, repeat flags computed with window functions). Every figure is then a ``GROUP BY`` over
that table or over the turns joined to it, so memory does not grow with the number of
interactions: pandas only ever holds the grouped rows.

Definitions (see docs/analytics.md):

* primary intent: the intent of the caller's first turn that has one, else ``unrecognised``;
* repeat contact: another contact by the same customer (or number) within
  ``repeat_contact_days``; *contained* means resolved by the bot **and** not followed by a
  contact with the same primary intent inside that window;
* failed: escalated or abandoned; the failing step is the last step the bot completed;
* handling time with an agent: from the contact's start to the later of its end (a bridged
  call's end) and the agent's resolution of its escalation.

Hours, weekdays, days and weeks are the company's (``company_timezone``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import (
    Column,
    Connection,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
)

from contactpro.analytics.sql import day_of, epoch, hour_of, last_step, prepare, week_of, weekday_of
from contactpro.config import Settings, company_timezone
from contactpro.models import Customer, Escalation, Interaction, InteractionScore, Turn

Progress = Callable[[str], None]
UNRECOGNISED = "unrecognised"
NO_STEP = "before_first_step"
FUNNEL_STAGES = (
    ("contacts", "Contacts"),
    ("identified", "Customer identified"),
    ("understood", "Request understood"),
    ("served", "Bot answered"),
    ("resolved", "Resolved by the bot"),
    ("contained", "Contained (no repeat)"),
)


@dataclass(frozen=True)
class Period:
    """A half-open time range ``[start, end)`` in UTC."""

    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        """Return the length of the period in days."""
        return (self.end - self.start).total_seconds() / 86400.0


_scratch_meta = MetaData()
SCRATCH = Table(
    "cp_analysis_scratch",
    _scratch_meta,
    Column("id", Integer, primary_key=True),
    Column("channel", String(8)),
    Column("who", String(40)),
    Column("customer_id", Integer),
    Column("segment", String(16)),
    Column("language", String(2)),
    Column("day", String(10)),
    Column("week", String(10)),
    Column("hour", Integer),
    Column("weekday", Integer),
    Column("outcome", String(16)),
    Column("duration", Integer),
    Column("agent_seconds", Integer),
    Column("intent", String(40)),
    Column("step", String(40)),
    Column("reason", String(40)),
    Column("queue_seconds", Integer),
    Column("queue_result", String(20)),
    Column("csat", Integer),
    Column("offer_accepted", Integer),
    Column("repeat_after", Integer),
    Column("is_repeat", Integer),
    prefixes=["TEMPORARY"],
)


def _primary_intents(lo: datetime, hi: datetime) -> Any:
    """Subquery: (interaction_id, intent) of the first caller turn with an intent."""
    first = (
        select(Turn.interaction_id, func.min(Turn.sequence).label("seq"))
        .join(Interaction, Interaction.id == Turn.interaction_id)
        .where(
            Turn.speaker == "caller",
            Turn.intent.is_not(None),
            Interaction.started_at >= lo,
            Interaction.started_at < hi,
        )
        .group_by(Turn.interaction_id)
        .subquery("first_intent")
    )
    return (
        select(Turn.interaction_id, Turn.intent)
        .join(
            first,
            and_(Turn.interaction_id == first.c.interaction_id, Turn.sequence == first.c.seq),
        )
        .subquery("primary_intent")
    )


def build_scratch(conn: Connection, settings: Settings, period: Period) -> int:
    """Fill the temporary per-interaction table for ``period``; return its row count."""
    window = timedelta(days=settings.repeat_contact_days)
    lo, hi = period.start - window, period.end + window
    primary = _primary_intents(lo, hi)
    who = func.coalesce(cast(Interaction.customer_id, String), Interaction.from_number)
    intent = func.coalesce(primary.c.intent, UNRECOGNISED)
    base = (
        select(
            Interaction.id.label("id"),
            Interaction.channel.label("channel"),
            who.label("who"),
            Interaction.customer_id.label("customer_id"),
            func.coalesce(Customer.segment, "unknown").label("segment"),
            Interaction.language.label("language"),
            Interaction.started_at.label("started_at"),
            epoch(Interaction.started_at).label("ts"),
            Interaction.outcome.label("outcome"),
            Interaction.duration_seconds.label("duration"),
            (epoch(Escalation.resolved_at) - epoch(Interaction.started_at)).label("to_resolution"),
            intent.label("intent"),
            func.coalesce(last_step(Interaction.state), NO_STEP).label("step"),
            case(
                (Interaction.outcome == "escalated", Escalation.reason),
                (Interaction.outcome == "abandoned", literal("abandoned")),
                else_=None,
            ).label("reason"),
            Escalation.queue_seconds.label("queue_seconds"),
            Escalation.queue_result.label("queue_result"),
            Interaction.state["csat"].as_integer().label("csat"),
            case((Interaction.state["offer_accepted"].as_boolean(), 1), else_=0).label(
                "offer_accepted"
            ),
        )
        .select_from(Interaction)
        .outerjoin(primary, primary.c.interaction_id == Interaction.id)
        .outerjoin(Customer, Customer.id == Interaction.customer_id)
        .outerjoin(Escalation, Escalation.interaction_id == Interaction.id)
        .where(
            Interaction.started_at >= lo,
            Interaction.started_at < hi,
            Interaction.status == "closed",
        )
        .subquery("base")
    )
    seconds = window.total_seconds()
    through_resolution = case(
        (base.c.to_resolution > base.c.duration, base.c.to_resolution),
        else_=func.coalesce(base.c.duration, base.c.to_resolution),
    )
    next_same = func.lead(base.c.ts).over(
        partition_by=[base.c.who, base.c.intent], order_by=[base.c.ts, base.c.id]
    )
    prev_any = func.lag(base.c.ts).over(partition_by=base.c.who, order_by=[base.c.ts, base.c.id])
    windowed = select(
        *[c for c in base.c if c.name not in ("ts", "to_resolution")],
        case((base.c.outcome == "escalated", cast(through_resolution, Integer))).label(
            "agent_seconds"
        ),
        case((next_same - base.c.ts <= seconds, 1), else_=0).label("repeat_after"),
        case((base.c.ts - prev_any <= seconds, 1), else_=0).label("is_repeat"),
    ).subquery("windowed")
    started = windowed.c.started_at
    zone = company_timezone(settings)
    rows = select(
        windowed.c.id,
        windowed.c.channel,
        windowed.c.who,
        windowed.c.customer_id,
        windowed.c.segment,
        windowed.c.language,
        day_of(started, zone),
        week_of(started, zone),
        hour_of(started, zone),
        weekday_of(started, zone),
        windowed.c.outcome,
        windowed.c.duration,
        windowed.c.agent_seconds,
        windowed.c.intent,
        windowed.c.step,
        windowed.c.reason,
        windowed.c.queue_seconds,
        windowed.c.queue_result,
        windowed.c.csat,
        windowed.c.offer_accepted,
        windowed.c.repeat_after,
        windowed.c.is_repeat,
    ).where(started >= period.start, started < period.end)
    SCRATCH.drop(conn, checkfirst=True)
    SCRATCH.create(conn)
    conn.execute(SCRATCH.insert().from_select([c.name for c in SCRATCH.c], rows))
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {SCRATCH.name}")
    return int(conn.scalar(select(func.count()).select_from(SCRATCH)) or 0)


def drop_scratch(conn: Connection) -> None:
    """Drop the temporary table (it also disappears with the connection)."""
    SCRATCH.drop(conn, checkfirst=True)


def _frame(conn: Connection, statement: Any) -> pd.DataFrame:
    result = conn.execute(statement)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


S = SCRATCH.c
_resolved = case((S.outcome == "auto_resolved", 1), else_=0)
_escalated = case((S.outcome == "escalated", 1), else_=0)
_abandoned = case((S.outcome == "abandoned", 1), else_=0)
_contained = case((and_(S.outcome == "auto_resolved", S.repeat_after == 0), 1), else_=0)
_failed = case((S.outcome.in_(("escalated", "abandoned")), 1), else_=0)


def _outcome_columns() -> list[Any]:
    return [
        func.count().label("contacts"),
        func.sum(_resolved).label("resolved"),
        func.sum(_contained).label("contained"),
        func.sum(_escalated).label("escalated"),
        func.sum(_abandoned).label("abandoned"),
    ]


def _with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame.assign(resolution_rate=[], containment_rate=[])
    frame = frame.copy()
    for col in ("contacts", "resolved", "contained", "escalated", "abandoned"):
        frame[col] = frame[col].astype("int64")
    frame["resolution_rate"] = frame["resolved"] / frame["contacts"]
    frame["containment_rate"] = frame["contained"] / frame["contacts"]
    return frame


def totals(conn: Connection) -> dict[str, Any]:
    """Return contact, outcome, duration, wait, survey and repeat totals of the period."""
    row = conn.execute(
        select(
            *_outcome_columns(),
            func.sum(case((S.customer_id.is_not(None), 1), else_=0)).label("identified"),
            func.sum(case((S.intent.not_in((UNRECOGNISED, "out_of_scope")), 1), else_=0)).label(
                "understood"
            ),
            func.sum(case((S.step != NO_STEP, 1), else_=0)).label("served"),
            func.sum(S.is_repeat).label("repeat_contacts"),
            func.avg(cast(case((S.outcome == "auto_resolved", S.duration)), Float)).label(
                "automated_seconds"
            ),
            func.avg(cast(S.agent_seconds, Float)).label("agent_seconds"),
            func.count(S.agent_seconds).label("agent_contacts"),
            func.avg(cast(S.queue_seconds, Float)).label("queue_seconds"),
            func.count(S.queue_seconds).label("queue_waits"),
            func.sum(func.coalesce(S.queue_seconds, 0)).label("queue_seconds_total"),
            func.count(S.csat).label("csat_responses"),
            func.avg(cast(S.csat, Float)).label("csat_mean"),
            func.sum(case((S.csat >= 4, 1), else_=0)).label("csat_satisfied"),
            func.sum(S.offer_accepted).label("offers_accepted"),
            func.count(func.distinct(S.who)).label("callers"),
        )
    ).one()
    out = {
        k: (float(v) if isinstance(v, float) else (int(v) if v is not None else None))
        for k, v in row._mapping.items()
    }
    for key in (
        "contacts",
        "resolved",
        "contained",
        "escalated",
        "abandoned",
        "identified",
        "understood",
        "served",
        "repeat_contacts",
        "csat_responses",
        "csat_satisfied",
        "offers_accepted",
        "callers",
        "queue_seconds_total",
        "queue_waits",
        "agent_contacts",
    ):
        out[key] = int(out.get(key) or 0)
    repeaters = select(S.who).group_by(S.who).having(func.count() >= 2).subquery()
    out["repeat_callers"] = int(conn.scalar(select(func.count()).select_from(repeaters)) or 0)
    return out


def funnel(total: dict[str, Any]) -> pd.DataFrame:
    """Return the failure funnel: how many contacts survive each stage."""
    rows = [
        {"stage": key, "label": label, "contacts": int(total[key])} for key, label in FUNNEL_STAGES
    ]
    frame = pd.DataFrame(rows)
    first = frame["contacts"].iloc[0] if len(frame) else 0
    frame["share"] = frame["contacts"] / first if first else 0.0
    return frame


def volume(conn: Connection) -> pd.DataFrame:
    """Return contacts by weekday (0 Monday) and hour of day (company time)."""
    stmt = (
        select(S.weekday, S.hour, func.count().label("contacts"))
        .group_by(S.weekday, S.hour)
        .order_by(S.weekday, S.hour)
    )
    return _frame(conn, stmt)


def by_intent(conn: Connection) -> pd.DataFrame:
    """Return outcomes, containment and handling time per primary intent."""
    stmt = (
        select(
            S.intent,
            *_outcome_columns(),
            func.avg(cast(S.duration, Float)).label("mean_seconds"),
        )
        .group_by(S.intent)
        .order_by(func.count().desc(), S.intent)
    )
    return _with_rates(_frame(conn, stmt))


def by_channel(conn: Connection) -> pd.DataFrame:
    """Return outcomes and containment per channel."""
    stmt = select(S.channel, *_outcome_columns()).group_by(S.channel).order_by(S.channel)
    return _with_rates(_frame(conn, stmt))


def intent_trend(conn: Connection) -> pd.DataFrame:
    """Return contacts per week (its Monday, company time) and primary intent."""
    stmt = (
        select(S.week, S.intent, func.count().label("contacts"))
        .group_by(S.week, S.intent)
        .order_by(S.week, S.intent)
    )
    return _frame(conn, stmt)


def escalation_reasons(conn: Connection) -> pd.DataFrame:
    """Return escalations per reason with their queue wait and how the queue ended."""
    stmt = (
        select(
            S.reason,
            func.count().label("escalations"),
            func.avg(cast(S.queue_seconds, Float)).label("mean_queue_seconds"),
            func.max(S.queue_seconds).label("max_queue_seconds"),
            func.sum(case((S.queue_result.in_(("hangup", "abandoned")), 1), else_=0)).label(
                "queue_abandoned"
            ),
        )
        .where(S.outcome == "escalated")
        .group_by(S.reason)
        .order_by(func.count().desc(), S.reason)
    )
    return _frame(conn, stmt)


def failures(conn: Connection) -> pd.DataFrame:
    """Return failed contacts (escalated or abandoned) by failing step, reason and segment."""
    stmt = (
        select(S.step, S.reason, S.segment, func.count().label("failures"))
        .where(_failed == 1)
        .group_by(S.step, S.reason, S.segment)
        .order_by(func.count().desc(), S.step, S.reason, S.segment)
    )
    return _frame(conn, stmt)


def failures_by_hour(conn: Connection) -> pd.DataFrame:
    """Return contacts, failures and the failure rate per hour of day."""
    stmt = (
        select(S.hour, func.count().label("contacts"), func.sum(_failed).label("failures"))
        .group_by(S.hour)
        .order_by(S.hour)
    )
    frame = _frame(conn, stmt)
    if not frame.empty:
        frame["failures"] = frame["failures"].astype("int64")
        frame["failure_rate"] = frame["failures"] / frame["contacts"]
    return frame


def by_segment(conn: Connection) -> pd.DataFrame:
    """Return outcomes per customer segment."""
    stmt = select(S.segment, *_outcome_columns()).group_by(S.segment).order_by(S.segment)
    return _with_rates(_frame(conn, stmt))


def tiers(conn: Connection, settings: Settings) -> pd.DataFrame:
    """Return caller turns per understanding tier and channel: share, confidence, latency, cost."""
    tier = func.coalesce(Turn.tier, literal_column("'none'"))
    stmt = (
        select(
            S.channel,
            tier.label("tier"),
            func.count().label("turns"),
            func.avg(Turn.confidence).label("mean_confidence"),
            func.sum(case((Turn.confidence < 0.5, 1), else_=0)).label("low_confidence"),
            func.avg(Turn.asr_confidence).label("mean_asr_confidence"),
            func.avg(Turn.latency_ms).label("mean_latency_ms"),
        )
        .select_from(Turn)
        .join(SCRATCH, SCRATCH.c.id == Turn.interaction_id)
        .where(Turn.speaker == "caller")
        .group_by(S.channel, tier)
        .order_by(S.channel, tier)
    )
    frame = _frame(conn, stmt)
    unit = {
        "rules": settings.rules_cost_per_call,
        "model": settings.model_cost_per_call,
        "llm": settings.llm_cost_per_call,
    }
    if not frame.empty:
        frame["turns"] = frame["turns"].astype("int64")
        frame["low_confidence"] = frame["low_confidence"].astype("int64")
        frame["cost"] = frame["tier"].map(unit).fillna(0.0) * frame["turns"]
        frame["share"] = frame["turns"] / frame["turns"].sum()
    return frame


def conformity_trend(conn: Connection, period: Period, zone: str = "UTC") -> pd.DataFrame:
    """Return mean conformity (0-100) per day (in ``zone``), from stored interaction scores."""
    day = day_of(InteractionScore.started_at, zone)
    stmt = (
        select(
            day.label("day"),
            func.count().label("interactions"),
            func.avg(InteractionScore.conformity).label("conformity"),
            func.avg(InteractionScore.text_score).label("text_score"),
        )
        .where(
            InteractionScore.started_at >= period.start,
            InteractionScore.started_at < period.end,
        )
        .group_by(day)
        .order_by(day)
    )
    return _frame(conn, stmt)


def analyse_patterns(
    conn: Connection, settings: Settings, period: Period, progress: Progress | None = None
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Compute every pattern of ``period``; return (totals, tables by name)."""
    say = progress or (lambda _msg: None)
    say("selecting the period's interactions")
    prepare(conn)
    build_scratch(conn, settings, period)
    try:
        say("aggregating outcomes")
        total = totals(conn)
        tables = {"funnel": funnel(total)}
        steps: list[tuple[str, Callable[[], pd.DataFrame]]] = [
            ("volume", lambda: volume(conn)),
            ("by_intent", lambda: by_intent(conn)),
            ("by_channel", lambda: by_channel(conn)),
            ("by_segment", lambda: by_segment(conn)),
            ("intent_trend", lambda: intent_trend(conn)),
            ("escalation_reasons", lambda: escalation_reasons(conn)),
            ("failures", lambda: failures(conn)),
            ("failures_by_hour", lambda: failures_by_hour(conn)),
            ("tiers", lambda: tiers(conn, settings)),
        ]
        for name, compute in steps:
            say(f"aggregating {name.replace('_', ' ')}")
            tables[name] = compute()
    finally:
        drop_scratch(conn)
    tables["conformity_trend"] = conformity_trend(conn, period, company_timezone(settings))
    return total, tables

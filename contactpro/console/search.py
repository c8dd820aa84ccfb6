"""Find conversations by number, customer, intent, outcome and date, for managers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from contactpro.dialog.localtime import midnight
from contactpro.models import Customer, Escalation, Interaction, Turn
from contactpro.nlu.text import fold

# A page shows 50 of them; the CSV carries them all.
MAX_RESULTS = 5000
CSV_COLUMNS = (
    "interaction_id",
    "started",
    "channel",
    "number",
    "customer",
    "outcome",
    "resolution",
    "duration_seconds",
)


@dataclass(frozen=True)
class SearchQuery:
    """What a manager typed; empty fields do not filter."""

    number: str = ""
    customer: str = ""
    intent: str = ""
    outcome: str = ""
    date_from: date | None = None
    date_to: date | None = None
    channel: str = ""
    zone: str = "UTC"  # the dates are days in this time zone (the company's)

    @property
    def empty(self) -> bool:
        """Return True when nothing was asked for."""
        return not any(
            (
                self.number,
                self.customer,
                self.intent,
                self.outcome,
                self.date_from,
                self.date_to,
                self.channel,
            )
        )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def customers_named(session: Session, text: str) -> list[int]:
    """Return the ids of customers whose name holds every word of ``text``, ignoring case and
    accents as people type them ("oscar mejia" finds Óscar Mejía; the database's own
    ``lower()`` leaves "Ó" alone on SQLite and neither database drops accents)."""
    words = fold(text).split()
    return [
        customer_id
        for customer_id, name in session.execute(select(Customer.id, Customer.name))
        if all(word in fold(name) for word in words)
    ]


def search(session: Session, query: SearchQuery, limit: int = MAX_RESULTS) -> list[dict[str, Any]]:
    """Return matching conversations, newest first, with customer and escalation outcome."""
    statement = (
        select(Interaction, Customer.name, Escalation.resolution, Escalation.id)
        .outerjoin(Customer, Customer.id == Interaction.customer_id)
        .outerjoin(Escalation, Escalation.interaction_id == Interaction.id)
        .order_by(Interaction.started_at.desc(), Interaction.id.desc())
        .limit(limit)
    )
    if query.number:
        digits = "".join(ch for ch in query.number if ch.isdigit())
        statement = statement.where(Interaction.from_number.like(_like(digits), escape="\\"))
    if query.channel:
        statement = statement.where(Interaction.channel == query.channel)
    if query.customer:
        statement = statement.where(
            Interaction.customer_id.in_(customers_named(session, query.customer))
        )
    if query.intent:
        statement = statement.where(
            exists().where(Turn.interaction_id == Interaction.id, Turn.intent == query.intent)
        )
    if query.outcome == "escalated":
        # Still-open conversations get their outcome at close; an escalation already says it.
        statement = statement.where(
            or_(Interaction.outcome == "escalated", Escalation.id.is_not(None))
        )
    elif query.outcome:
        statement = statement.where(
            or_(Interaction.outcome == query.outcome, Escalation.resolution == query.outcome)
        )
    if query.date_from:
        start = midnight(query.date_from, ZoneInfo(query.zone))
        statement = statement.where(Interaction.started_at >= start)
    if query.date_to:
        end = midnight(query.date_to + timedelta(days=1), ZoneInfo(query.zone))
        statement = statement.where(Interaction.started_at < end)
    return [
        {
            "interaction": interaction,
            "customer": name,
            "resolution": resolution,
            "escalation_id": escalation_id,
        }
        for interaction, name, resolution, escalation_id in session.execute(statement)
    ]


def csv_rows(results: list[dict[str, Any]], zone: str) -> list[list[Any]]:
    """Return search results as CSV rows (:data:`CSV_COLUMNS`), times in ``zone``."""
    tz = ZoneInfo(zone)
    return [
        [
            r["interaction"].id,
            r["interaction"].started_at.astimezone(tz).isoformat(timespec="seconds"),
            r["interaction"].channel,
            r["interaction"].from_number,
            r["customer"] or "",
            r["interaction"].outcome or r["interaction"].status,
            r["resolution"] or "",
            r["interaction"].duration_seconds if r["interaction"].duration_seconds else "",
        ]
        for r in results
    ]


def intents_seen(session: Session) -> list[str]:
    """Return every intent the bot has recognised, for the search form."""
    return list(
        session.scalars(
            select(Turn.intent).where(Turn.intent.is_not(None)).distinct().order_by(Turn.intent)
        )
    )


def conversation(session: Session, interaction_id: int) -> dict[str, Any] | None:
    """Return one conversation with its turns, escalation and a link to its recording."""
    interaction = session.get(Interaction, interaction_id)
    if interaction is None:
        return None
    escalation = session.scalars(
        select(Escalation).where(Escalation.interaction_id == interaction_id)
    ).first()
    state = interaction.state or {}
    recording = state.get("recording_url")
    if not recording and interaction.channel == "voice":
        # Twilio keeps the call's recordings; its console shows them by call sid.
        recording = f"https://console.twilio.com/us1/monitor/logs/calls/{interaction.twilio_sid}"
    return {
        "interaction": interaction,
        "turns": list(interaction.turns),
        "escalation": escalation,
        "recording_url": recording,
    }

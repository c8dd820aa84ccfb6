"""Conformity: how satisfied a customer sounds and behaves, on a 0-100 scale.

Per interaction::

    text       = P(positive) + 0.5 * P(neutral)      from the caller's words (0..1)
    behaviour  = 1.0
                 - 0.35 if escalated (- 0.50 when the reason is a complaint)
                 - 0.40 if abandoned
                 - 0.20 if it repeats a contact of the last ``repeat_contact_days`` days
                 + 0.20 if a retention offer was accepted          (clipped to 0..1)
                 then, with a survey answer (``state.csat``, 1-5):
                 behaviour = 0.5 * behaviour + 0.5 * (csat - 1) / 4
    conformity = 100 * (0.6 * text + 0.4 * behaviour)   (100 * behaviour without caller text)

Per customer: the mean conformity of their interactions in the last ``conformity_window_days``.

The text model (:mod:`contactpro.analytics.sentiment`) is a bilingual (Spanish, English)
three-class sentiment classifier on multilingual sentence embeddings, trained only on the
call-center utterances written for the project in ``contactpro/data/conformity``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, exists, func, insert, select
from sqlalchemy.orm import aliased

from contactpro.analytics.sentiment import LABELS, SentimentModel, load_model
from contactpro.analytics.sql import epoch
from contactpro.config import Settings
from contactpro.models import Escalation, Interaction, InteractionScore, Turn, utcnow

TEXT_WEIGHT = 0.6
BATCH = 5000


def behaviour_score(
    outcome: str | None,
    reason: str | None,
    repeat: bool,
    offer_accepted: bool,
    csat: int | None,
) -> float:
    """Return the behaviour part of conformity (0..1), as documented in the module."""
    score = 1.0
    if outcome == "escalated":
        score -= 0.5 if reason == "complaint" else 0.35
    elif outcome == "abandoned":
        score -= 0.4
    if repeat:
        score -= 0.2
    if offer_accepted:
        score += 0.2
    score = min(1.0, max(0.0, score))
    if csat is not None and 1 <= csat <= 5:
        score = 0.5 * score + 0.5 * (csat - 1) / 4.0
    return score


def conformity(text_score: float | None, behaviour: float) -> float:
    """Combine the text and behaviour parts into the 0-100 conformity score."""
    if text_score is None:
        return 100.0 * behaviour
    return 100.0 * (TEXT_WEIGHT * text_score + (1.0 - TEXT_WEIGHT) * behaviour)


def _unscored(start: datetime, end: datetime, after: int, repeat_seconds: float) -> Any:
    prev = aliased(Interaction)
    repeat = exists().where(
        prev.from_number == Interaction.from_number,
        prev.id != Interaction.id,
        prev.started_at <= Interaction.started_at,
        epoch(prev.started_at) >= epoch(Interaction.started_at) - repeat_seconds,
    )
    scored = exists().where(InteractionScore.interaction_id == Interaction.id)
    return (
        select(
            Interaction.id,
            Interaction.customer_id,
            Interaction.started_at,
            Interaction.outcome,
            Escalation.reason,
            Interaction.state["csat"].as_integer().label("csat"),
            Interaction.state["offer_accepted"].as_boolean().label("offer_accepted"),
            repeat.label("repeat"),
        )
        .outerjoin(Escalation, Escalation.interaction_id == Interaction.id)
        .where(
            Interaction.status == "closed",
            Interaction.started_at >= start,
            Interaction.started_at < end,
            Interaction.id > after,
            ~scored,
        )
        .order_by(Interaction.id)
        .limit(BATCH)
    )


def caller_texts(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    """Return what the caller said in each interaction, turns joined in order."""
    rows = conn.execute(
        select(Turn.interaction_id, Turn.text)
        .where(Turn.interaction_id.in_(list(ids)), Turn.speaker == "caller", Turn.text != "")
        .order_by(Turn.interaction_id, Turn.sequence)
    )
    texts: dict[int, list[str]] = {}
    for interaction_id, text in rows:
        texts.setdefault(interaction_id, []).append(text)
    return {k: " ".join(v) for k, v in texts.items()}


def score_interactions(
    conn: Connection,
    settings: Settings,
    start: datetime,
    end: datetime,
    model: SentimentModel | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Score the closed, not yet scored interactions started in ``[start, end)``; return count.

    Works in batches of ``BATCH`` interactions (keyset pagination), so memory stays flat.
    """
    model = model or load_model()
    repeat_seconds = timedelta(days=settings.repeat_contact_days).total_seconds()
    after, done = 0, 0
    while True:
        batch = conn.execute(_unscored(start, end, after, repeat_seconds)).all()
        if not batch:
            return done
        ids = [row.id for row in batch]
        texts = caller_texts(conn, ids)
        unique = pd.Series(list(set(texts.values())), dtype=object)
        scores = dict(zip(unique, model.score(unique.tolist()), strict=True))
        now = utcnow()
        rows = []
        for row in batch:
            text = texts.get(row.id)
            text_score = float(scores[text]) if text is not None else None
            behaviour = behaviour_score(
                row.outcome, row.reason, bool(row.repeat), bool(row.offer_accepted), row.csat
            )
            rows.append(
                {
                    "interaction_id": row.id,
                    "customer_id": row.customer_id,
                    "started_at": row.started_at,
                    "text_score": text_score,
                    "behaviour_score": behaviour,
                    "conformity": conformity(text_score, behaviour),
                    "model_version": model.version,
                    "computed_at": now,
                }
            )
        conn.execute(insert(InteractionScore), rows)
        done += len(rows)
        after = ids[-1]
        if progress:
            progress(done)


def mean_conformity(conn: Connection, start: datetime, end: datetime) -> float | None:
    """Return the mean interaction conformity of a period (None when nothing is scored)."""
    value = conn.scalar(
        select(func.avg(InteractionScore.conformity)).where(
            and_(InteractionScore.started_at >= start, InteractionScore.started_at < end)
        )
    )
    return float(value) if value is not None else None


def score_texts(texts: Sequence[str], model: SentimentModel | None = None) -> pd.DataFrame:
    """Score free texts: columns label, p_negative, p_neutral, p_positive, conformity (0-100).

    Without behaviour, a text's conformity is ``100 * text score``.
    """
    model = model or load_model()
    proba = model.predict_proba([str(t) for t in texts])
    frame = pd.DataFrame(proba, columns=[f"p_{label}" for label in LABELS])
    frame.insert(0, "label", [LABELS[i] for i in proba.argmax(axis=1)] if len(proba) else [])
    frame["conformity"] = 100.0 * (frame["p_positive"] + 0.5 * frame["p_neutral"])
    return frame

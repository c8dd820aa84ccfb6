"""Alerts: response time, error rate, classifier confidence and queue wait past their thresholds.

Every few minutes the figures of the last ``CONTACTPRO_ALERT_WINDOW_MINUTES`` are computed in SQL
from what the webhooks recorded; a figure past its threshold raises an alert (logged as a
warning and shown on the managers' dashboard page) that stays open, updated, until a check finds
the figure back within bounds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.console.settings import queue_wait
from contactpro.models import Alert, Escalation, Interaction, Turn

log = logging.getLogger(__name__)

LABELS = {
    "response_p95_ms": ("turn processing time, 95th percentile", "ms"),
    "error_rate": ("share of contacts handed over for a technical error", ""),
    "classifier_confidence": ("mean confidence of the model and LLM tiers", ""),
    "queue_wait_seconds": (
        "wait in the agent queue (mean of those answered, or the longest still waiting)",
        "s",
    ),
}


@dataclass(frozen=True)
class Reading:
    """One watched figure over the window, and whether it is past its threshold."""

    key: str
    value: float | None
    threshold: float
    firing: bool

    @property
    def label(self) -> str:
        """Return what the figure is, in words."""
        return LABELS[self.key][0]


def _p95_latency(session: Session, since: datetime) -> float | None:
    recent = (Turn.created_at >= since, Turn.latency_ms.is_not(None))
    count = session.scalar(select(func.count(Turn.id)).where(*recent)) or 0
    if count == 0:
        return None
    return session.scalar(
        select(Turn.latency_ms)
        .where(*recent)
        .order_by(Turn.latency_ms.desc())
        .offset(int(count * 0.05))
        .limit(1)
    )


def _error_rate(session: Session, since: datetime) -> float | None:
    contacts = (
        session.scalar(select(func.count(Interaction.id)).where(Interaction.started_at >= since))
        or 0
    )
    if contacts == 0:
        return None
    errors = (
        session.scalar(
            select(func.count(Escalation.id)).where(
                Escalation.created_at >= since, Escalation.reason == "technical_error"
            )
        )
        or 0
    )
    return errors / contacts


def _confidence(session: Session, since: datetime) -> float | None:
    value = session.scalar(
        select(func.avg(Turn.confidence)).where(
            Turn.created_at >= since, Turn.tier.in_(("model", "llm"))
        )
    )
    return float(value) if value is not None else None


def _queue_wait(
    session: Session, settings: Settings, since: datetime, now: datetime
) -> float | None:
    answered = session.scalar(
        select(func.avg(Escalation.queue_seconds)).where(
            Escalation.created_at >= since, Escalation.queue_seconds.is_not(None)
        )
    )
    oldest_open = session.scalar(
        select(func.min(Escalation.created_at)).where(
            Escalation.status == "open",
            Escalation.queue_seconds.is_(None),
            Escalation.created_at >= now - timedelta(hours=12),
        )
    )
    waits = [float(answered)] if answered is not None else []
    if oldest_open is not None:
        # Business hours only: a text parked overnight is not late before the opening.
        waits.append(float(queue_wait(session, settings)(oldest_open, now)))
    return max(waits) if waits else None


def readings(session: Session, settings: Settings, now: datetime) -> list[Reading]:
    """Compute the watched figures over the window and compare them with their thresholds."""
    since = now - timedelta(minutes=settings.alert_window_minutes)
    latency = _p95_latency(session, since)
    errors = _error_rate(session, since)
    confidence = _confidence(session, since)
    wait = _queue_wait(session, settings, since, now)
    return [
        Reading(
            "response_p95_ms",
            latency,
            settings.alert_response_p95_ms,
            latency is not None and latency > settings.alert_response_p95_ms,
        ),
        Reading(
            "error_rate",
            errors,
            settings.alert_error_rate,
            errors is not None and errors > settings.alert_error_rate,
        ),
        Reading(
            "classifier_confidence",
            confidence,
            settings.alert_min_confidence,
            confidence is not None and confidence < settings.alert_min_confidence,
        ),
        Reading(
            "queue_wait_seconds",
            wait,
            settings.alert_queue_wait_seconds,
            wait is not None and wait > settings.alert_queue_wait_seconds,
        ),
    ]


def check(session: Session, settings: Settings, now: datetime) -> list[Alert]:
    """Raise, update or clear alerts from the current readings; return the open ones."""
    current = {
        alert.key: alert
        for alert in session.scalars(select(Alert).where(Alert.cleared_at.is_(None)))
    }
    for reading in readings(session, settings, now):
        alert = current.get(reading.key)
        if reading.firing and reading.value is not None:
            if alert is None:
                alert = Alert(
                    key=reading.key,
                    value=reading.value,
                    threshold=reading.threshold,
                    raised_at=now,
                    checked_at=now,
                )
                session.add(alert)
                current[reading.key] = alert
                log.warning(
                    "alert raised: %s %.3f past %.3f",
                    reading.label,
                    reading.value,
                    reading.threshold,
                    extra={
                        "alert": reading.key,
                        "value": reading.value,
                        "threshold": reading.threshold,
                    },
                )
            alert.value, alert.threshold, alert.checked_at = (
                reading.value,
                reading.threshold,
                now,
            )
        elif alert is not None:
            alert.cleared_at = now
            del current[reading.key]
            log.info("alert cleared: %s", reading.label, extra={"alert": reading.key})
    session.flush()
    return sorted(current.values(), key=lambda a: a.raised_at)


def open_alerts(session: Session) -> list[Alert]:
    """Return the alerts still open, oldest first."""
    return list(
        session.scalars(select(Alert).where(Alert.cleared_at.is_(None)).order_by(Alert.raised_at))
    )

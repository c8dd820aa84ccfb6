"""The beat schedule: periodic work, keyed by task name."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from celery.schedules import crontab

from contactpro.config import Settings, company_timezone


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """Return Celery beat entries; later capabilities add their periodic tasks here."""
    return {
        "flush-outbox": {"task": "contactpro.outbox.flush", "schedule": 15.0},
        "replay-journal": {"task": "contactpro.journal.replay", "schedule": 30.0},
        "check-alerts": {"task": "contactpro.alerts.check", "schedule": 300.0},
        "close-idle-interactions": {
            "task": "contactpro.interactions.close_idle",
            "schedule": 60.0,
        },
        "index-conversations": {"task": "contactpro.improve.index_pending", "schedule": 300.0},
        "requeue-stale-transcriptions": {
            "task": "contactpro.voice.requeue_stale_transcriptions",
            "schedule": 600.0,
        },
        "analytics-hourly": {
            "task": "contactpro.analytics.run_scheduled",
            "schedule": float(settings.analytics_hourly_seconds),
            "args": ("hourly",),
        },
        "analytics-daily": {
            "task": "contactpro.analytics.run_scheduled",
            # The hour is the company's: the daily run follows its local midnight.
            "schedule": crontab(
                minute=15,
                hour=settings.analytics_daily_hour,
                nowfun=partial(datetime.now, ZoneInfo(company_timezone(settings))),
            ),
            "args": ("daily",),
        },
        "apply-retention": {
            "task": "contactpro.privacy.retention",
            "schedule": crontab(minute=40, hour=settings.retention_hour),
        },
    }

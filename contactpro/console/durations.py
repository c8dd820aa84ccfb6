"""Waits as a person reads them ("3 min", "2 h", "35 d", never "50664 min") and SLA colours."""

from __future__ import annotations

UNITS = ("min", "h", "d")
HOUR = 3600
DAY = 24 * HOUR


def short_duration(seconds: float) -> tuple[int, str]:
    """Return (value, unit) for a wait: minutes below an hour, hours below a day, else days.

    The value is rounded down, so a wait never looks longer than it was; the unit is one of
    :data:`UNITS`, whose words live in the console catalogue as ``unit_<unit>``.
    """
    seconds = max(0, int(seconds))
    if seconds < HOUR:
        return seconds // 60, "min"
    if seconds < DAY:
        return seconds // HOUR, "h"
    return seconds // DAY, "d"


SLA_LEVELS = ("ok", "warn", "late")
SLA_WARN_SHARE = 0.5


def sla_level(seconds: float, target_seconds: int) -> str:
    """Return ``ok`` below half the target wait, ``warn`` below the target, else ``late``."""
    if seconds >= target_seconds:
        return "late"
    return "warn" if seconds >= target_seconds * SLA_WARN_SHARE else "ok"

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


def figure_duration(seconds: float) -> tuple[float, str]:
    """Return (value, unit) for a duration in a manager's figure: seconds below a minute,
    minutes (one decimal below ten) below an hour, hours (one decimal) below a day, else days
    (one decimal); rounded to the nearest, as a mean is, so 1733 s reads "29 min"."""
    seconds = max(0.0, float(seconds))
    if round(seconds) < 60:
        return float(round(seconds)), "s"
    if round(seconds / 60, 1) < 10:
        return round(seconds / 60, 1), "min"
    if round(seconds / 60) < 60:
        return float(round(seconds / 60)), "min"
    if round(seconds / HOUR, 1) < 24:
        return round(seconds / HOUR, 1), "h"
    return round(seconds / DAY, 1), "d"


SLA_LEVELS = ("ok", "warn", "late")
SLA_WARN_SHARE = 0.5


def sla_level(seconds: float, target_seconds: int) -> str:
    """Return ``ok`` below half the target wait, ``warn`` below the target, else ``late``."""
    if seconds >= target_seconds:
        return "late"
    return "warn" if seconds >= target_seconds * SLA_WARN_SHARE else "ok"

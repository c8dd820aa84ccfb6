"""Business hours: when people answer the phone, in the contact center's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from contactpro.errors import ConfigError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RULE = re.compile(
    r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
    r"(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$"
)


@dataclass(frozen=True)
class OpenHours:
    """One rule: these weekdays (0 = Monday), from ``start`` up to ``end``."""

    days: frozenset[int]
    start: time
    end: time


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return time.max
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ValueError(text)
    return time(hours, minutes)


def parse_business_hours(spec: str) -> tuple[OpenHours, ...]:
    """Parse ``mon-fri 08:00-18:00; sat 09:00-13:00`` (empty: always open)."""
    rules = []
    for part in filter(None, (p.strip().lower() for p in spec.split(";"))):
        match = _RULE.match(part)
        try:
            if match is None:
                raise ValueError(part)
            first = DAYS.index(match["first"])
            last = DAYS.index(match["last"] or match["first"])
            start, end = _clock(match["start"]), _clock(match["end"])
        except ValueError:
            raise ConfigError(
                f"CONTACTPRO_VOICE_BUSINESS_HOURS: cannot read {part!r}; "
                "write rules like 'mon-fri 08:00-18:00; sat 09:00-13:00'"
            ) from None
        if end <= start:
            raise ConfigError(f"CONTACTPRO_VOICE_BUSINESS_HOURS: {part!r} ends before it starts")
        days = range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
        rules.append(OpenHours(frozenset(days), start, end))
    return tuple(rules)


def is_open(rules: tuple[OpenHours, ...], timezone: str, now: datetime) -> bool:
    """Return True when ``now`` (aware) falls inside the business hours (no rules: always)."""
    if not rules:
        return True
    local = now.astimezone(ZoneInfo(timezone))
    moment = local.time()
    return any(local.weekday() in r.days and r.start <= moment < r.end for r in rules)


def next_opening(rules: tuple[OpenHours, ...], timezone: str, now: datetime) -> datetime | None:
    """Return when people next start answering after ``now`` (aware, in ``timezone``); None
    when they answer now or always (no rules)."""
    if is_open(rules, timezone, now):
        return None
    local = now.astimezone(ZoneInfo(timezone))
    for ahead in range(8):  # every weekday comes round within a week
        day = local.date() + timedelta(days=ahead)
        starts = [
            datetime.combine(day, r.start, tzinfo=local.tzinfo)
            for r in rules
            if day.weekday() in r.days
        ]
        later = [start for start in starts if start > local]
        if later:
            return min(later)
    return None


def open_seconds(
    rules: tuple[OpenHours, ...], timezone: str, start: datetime, end: datetime
) -> int:
    """Return the seconds of business hours between ``start`` and ``end`` (aware; no rules:
    all of them), so a wait parked overnight counts from the opening, not from the night."""
    if end <= start:
        return 0
    if not rules:
        return int((end - start).total_seconds())
    zone = ZoneInfo(timezone)
    first, last = start.astimezone(zone), end.astimezone(zone)
    total = 0.0
    day = first.date()
    while day <= last.date():
        for rule in rules:
            if day.weekday() not in rule.days:
                continue
            opens = datetime.combine(day, rule.start, tzinfo=zone)
            closes = (
                datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
                if rule.end == time.max
                else datetime.combine(day, rule.end, tzinfo=zone)
            )
            overlap = min(closes, last).timestamp() - max(opens, first).timestamp()
            total += max(0.0, overlap)
        day += timedelta(days=1)
    return int(total)

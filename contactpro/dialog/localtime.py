"""Local time for the person who reads it: the customer's own time zone, else the company's."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from contactpro.config import Settings, company_timezone
from contactpro.dialog.replies import format_date
from contactpro.markets import MARKET_TIMEZONES, market_of, timezone_of_number
from contactpro.models import Customer

log = logging.getLogger(__name__)


def zone_of(settings: Settings, customer: Customer | None, number: str | None = None) -> ZoneInfo:
    """Return the customer's time zone when they have a valid one, else the one their phone
    number (``number`` for someone unknown) or their account's market says, else the
    company's."""
    if customer is not None and customer.timezone:
        try:
            return ZoneInfo(customer.timezone)
        except (KeyError, ValueError):
            # A bad stored value must not silence the reply: where they live is next best.
            log.warning("customer %s has an unknown time zone %r", customer.id, customer.timezone)
    zone = timezone_of_number(customer.phone if customer is not None else number)
    if zone is None and customer is not None and customer.accounts:
        zone = MARKET_TIMEZONES.get(market_of(customer.accounts[0], None) or "")
    return ZoneInfo(zone or company_timezone(settings))


def local_today(zone: ZoneInfo, now: datetime | None = None) -> date:
    """Return today's date where the customer is."""
    return (now or datetime.now(UTC)).astimezone(zone).date()


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """Return the day a stored (UTC) time falls on where the customer is."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone).date()


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """Return the start of ``day`` in ``zone`` (wall-clock midnight, even across DST), in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def say_clock(local: datetime, language: str) -> str:
    """Read a wall-clock time: ``17:00`` in Spanish, ``5:00 PM`` in English (the clock each
    language's readers and listeners expect)."""
    return f"{local:%H:%M}" if language == "es" else f"{local:%-I:%M %p}"


def say_time(moment: datetime, zone: ZoneInfo, language: str, now: datetime | None = None) -> str:
    """Read a stored (UTC) time on the customer's clock: ``19:30`` / ``7:30 PM``, or with its
    day when not today (``09:00 del 5 de diciembre`` / ``9:00 AM on December 5``)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = aware.astimezone(zone)
    clock = say_clock(local, language)
    if local.date() == local_today(zone, now):
        return clock
    joiner = "del" if language == "es" else "on"
    return f"{clock} {joiner} {format_date(local.date(), language)}"

"""Portable SQL expressions (SQLite and PostgreSQL) the analysis groups by.

Hours, weekdays, days and weeks are read in the company's time zone (the second argument, an
IANA name): PostgreSQL converts with ``AT TIME ZONE``; SQLite, which has no time zones, calls
``cp_local``, a function :func:`prepare` registers on the connection.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Float, Integer, String, cast, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class epoch(FunctionElement[float]):
    """Seconds since 1970-01-01 UTC of a timestamp column."""

    type = Float()
    inherit_cache = True


class _local_part(FunctionElement[Any]):
    """A part of a timestamp read in a time zone: ``part(column, "America/Bogota")``.

    The zone is written into the SQL as a quoted literal, not bound: a ``GROUP BY`` must repeat
    the very same expression, and the statement cache keys on the text, so two zones never
    share a compiled statement. The name was checked against the time-zone database when the
    settings were loaded.
    """

    inherit_cache = True

    def __init__(self, column: Any, zone: str) -> None:
        super().__init__(column, literal_column("'" + zone.replace("'", "''") + "'"))


class hour_of(_local_part):
    """Hour of day, 0-23, in a time zone."""

    type = Integer()
    inherit_cache = True


class weekday_of(_local_part):
    """Day of week, 0 Monday .. 6 Sunday, in a time zone."""

    type = Integer()
    inherit_cache = True


class day_of(_local_part):
    """Calendar day ``YYYY-MM-DD`` in a time zone."""

    type = String()
    inherit_cache = True


class week_of(_local_part):
    """The Monday ``YYYY-MM-DD`` that starts the week, in a time zone."""

    type = String()
    inherit_cache = True


class last_step(FunctionElement[str]):
    """The last entry of the ``steps`` list of an interaction's state (NULL when empty)."""

    type = String()
    inherit_cache = True


def _arg(compiler: Any, element: FunctionElement[Any], **kw: Any) -> str:
    sql: str = compiler.process(list(element.clauses)[0], **kw)
    return sql


def _zone(compiler: Any, element: FunctionElement[Any], **kw: Any) -> str:
    sql: str = compiler.process(list(element.clauses)[1], **kw)
    return sql


def _pg_local(compiler: Any, element: FunctionElement[Any], **kw: Any) -> str:
    return f"({_arg(compiler, element, **kw)} AT TIME ZONE {_zone(compiler, element, **kw)})"


def _sqlite_local(compiler: Any, element: FunctionElement[Any], **kw: Any) -> str:
    return f"cp_local({_arg(compiler, element, **kw)}, {_zone(compiler, element, **kw)})"


@lru_cache(maxsize=8)
def _zoneinfo(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(value: str | None, zone: str) -> str | None:
    """Return a stored UTC timestamp as local ``YYYY-MM-DD HH:MM:SS`` (SQLite's cp_local)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
    return moment.astimezone(_zoneinfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


def prepare(conn: Connection) -> None:
    """Register ``cp_local`` on a SQLite connection (PostgreSQL needs nothing)."""
    if conn.dialect.name == "sqlite":
        raw = conn.connection.driver_connection
        raw.create_function("cp_local", 2, _local, deterministic=True)  # type: ignore[union-attr]


@compiles(epoch, "postgresql")
def _epoch_pg(element: epoch, compiler: Any, **kw: Any) -> str:
    return f"EXTRACT(EPOCH FROM {_arg(compiler, element, **kw)})::float8"


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: Any, **kw: Any) -> str:
    return f"((julianday({_arg(compiler, element, **kw)}) - 2440587.5) * 86400.0)"


@compiles(hour_of, "postgresql")
def _hour_pg(element: hour_of, compiler: Any, **kw: Any) -> str:
    return f"CAST(EXTRACT(HOUR FROM {_pg_local(compiler, element, **kw)}) AS INTEGER)"


@compiles(hour_of, "sqlite")
def _hour_sqlite(element: hour_of, compiler: Any, **kw: Any) -> str:
    return f"CAST(strftime('%H', {_sqlite_local(compiler, element, **kw)}) AS INTEGER)"


@compiles(weekday_of, "postgresql")
def _weekday_pg(element: weekday_of, compiler: Any, **kw: Any) -> str:
    local = _pg_local(compiler, element, **kw)
    return f"(CAST(EXTRACT(ISODOW FROM {local}) AS INTEGER) - 1)"


@compiles(weekday_of, "sqlite")
def _weekday_sqlite(element: weekday_of, compiler: Any, **kw: Any) -> str:
    return f"((CAST(strftime('%w', {_sqlite_local(compiler, element, **kw)}) AS INTEGER) + 6) % 7)"


@compiles(day_of, "postgresql")
def _day_pg(element: day_of, compiler: Any, **kw: Any) -> str:
    return f"to_char({_pg_local(compiler, element, **kw)}, 'YYYY-MM-DD')"


@compiles(day_of, "sqlite")
def _day_sqlite(element: day_of, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m-%d', {_sqlite_local(compiler, element, **kw)})"


@compiles(week_of, "postgresql")
def _week_pg(element: week_of, compiler: Any, **kw: Any) -> str:
    return f"to_char(date_trunc('week', {_pg_local(compiler, element, **kw)}), 'YYYY-MM-DD')"


@compiles(week_of, "sqlite")
def _week_sqlite(element: week_of, compiler: Any, **kw: Any) -> str:
    return f"date({_sqlite_local(compiler, element, **kw)}, '-6 days', 'weekday 1')"


@compiles(last_step, "postgresql")
def _last_step_pg(element: last_step, compiler: Any, **kw: Any) -> str:
    return f"(({_arg(compiler, element, **kw)})::jsonb -> 'steps' ->> -1)"


@compiles(last_step, "sqlite")
def _last_step_sqlite(element: last_step, compiler: Any, **kw: Any) -> str:
    return f"json_extract({_arg(compiler, element, **kw)}, '$.steps[#-1]')"


def ratio(numerator: float | int | None, denominator: float | int | None) -> float | None:
    """Return numerator / denominator, or None when the denominator is zero or missing."""
    if not denominator:
        return None
    return float(numerator or 0) / float(denominator)


def as_float(value: ColumnElement[Any]) -> ColumnElement[float]:
    """Cast an expression to a float so averages of integers stay exact on both backends."""
    return cast(value, Float)

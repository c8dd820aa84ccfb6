"""Portable SQL expressions (SQLite and PostgreSQL) the analysis groups by."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer, String, cast
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class epoch(FunctionElement[float]):
    """Seconds since 1970-01-01 UTC of a timestamp column."""

    type = Float()
    inherit_cache = True


class hour_of(FunctionElement[int]):
    """Hour of day, 0-23, in UTC."""

    type = Integer()
    inherit_cache = True


class weekday_of(FunctionElement[int]):
    """Day of week, 0 Monday .. 6 Sunday, in UTC."""

    type = Integer()
    inherit_cache = True


class day_of(FunctionElement[str]):
    """Calendar day ``YYYY-MM-DD`` in UTC."""

    type = String()
    inherit_cache = True


class last_step(FunctionElement[str]):
    """The last entry of the ``steps`` list of an interaction's state (NULL when empty)."""

    type = String()
    inherit_cache = True


def _arg(compiler: Any, element: FunctionElement[Any], **kw: Any) -> str:
    sql: str = compiler.process(list(element.clauses)[0], **kw)
    return sql


@compiles(epoch, "postgresql")
def _epoch_pg(element: epoch, compiler: Any, **kw: Any) -> str:
    return f"EXTRACT(EPOCH FROM {_arg(compiler, element, **kw)})::float8"


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: Any, **kw: Any) -> str:
    return f"((julianday({_arg(compiler, element, **kw)}) - 2440587.5) * 86400.0)"


@compiles(hour_of, "postgresql")
def _hour_pg(element: hour_of, compiler: Any, **kw: Any) -> str:
    return f"CAST(EXTRACT(HOUR FROM {_arg(compiler, element, **kw)} AT TIME ZONE 'UTC') AS INTEGER)"


@compiles(hour_of, "sqlite")
def _hour_sqlite(element: hour_of, compiler: Any, **kw: Any) -> str:
    return f"CAST(strftime('%H', {_arg(compiler, element, **kw)}) AS INTEGER)"


@compiles(weekday_of, "postgresql")
def _weekday_pg(element: weekday_of, compiler: Any, **kw: Any) -> str:
    arg = _arg(compiler, element, **kw)
    return f"(CAST(EXTRACT(ISODOW FROM {arg} AT TIME ZONE 'UTC') AS INTEGER) - 1)"


@compiles(weekday_of, "sqlite")
def _weekday_sqlite(element: weekday_of, compiler: Any, **kw: Any) -> str:
    return f"((CAST(strftime('%w', {_arg(compiler, element, **kw)}) AS INTEGER) + 6) % 7)"


@compiles(day_of, "postgresql")
def _day_pg(element: day_of, compiler: Any, **kw: Any) -> str:
    return f"to_char({_arg(compiler, element, **kw)} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


@compiles(day_of, "sqlite")
def _day_sqlite(element: day_of, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m-%d', {_arg(compiler, element, **kw)})"


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

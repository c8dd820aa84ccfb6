"""Long console lists a page at a time, and the same rows as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
PAGE_SIZE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its rows, its number (from 1), how many pages and rows in all."""

    items: list[T]
    number: int
    pages: int
    total: int

    @property
    def first_row(self) -> int:
        """Return the position (from 1) of this page's first row; 0 for an empty list."""
        return 0 if not self.total else (self.number - 1) * PAGE_SIZE + 1


def paginate(items: Sequence[T], number: int, size: int = PAGE_SIZE) -> Page[T]:
    """Return page ``number`` of ``items`` (a page past the end gives the last one)."""
    pages = max(1, -(-len(items) // size))
    number = min(max(1, number), pages)
    start = (number - 1) * size
    return Page(list(items[start : start + size]), number, pages, len(items))


def page_number(raw: str | None) -> int:
    """Return the page a request asked for (1 when missing or not a number)."""
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Return ``rows`` under ``header`` as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()

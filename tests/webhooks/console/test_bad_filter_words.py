"""A manager page asked for a filter it does not offer answers 400 in the page's language.

An edited or stale link (``?days=5``, ``?quadrant=x``, a date beyond the years searched, a
status the work list does not know) used to put the developer's English ("days must be one of
7, 30, 90") on a Spanish page.
"""

from __future__ import annotations

import pytest

from tests.webhooks.console.conftest import login

BAD = (
    "/console/manager/agents?days=5",
    "/console/manager/customers?quadrant=x",
    "/console/manager/customers.csv?quadrant=x",
    "/console/manager/conversations?from=3001-01-01",
    "/console/manager/conversations?number=1&to=31-12-2026",
    "/console/manager/requests/?status=lost",
    "/console/manager/requests/?outcome=maybe",
)
WORDS = {
    "es": ("Se pidió a esta página un valor de filtro", "Escriba las fechas como AAAA-MM-DD"),
    "en": ("This page was asked for a filter value", "Write dates as YYYY-MM-DD"),
}
ENGLISH_CODES = ("must be one of", "must be a date", "unknown quadrant")


@pytest.mark.parametrize("language", ["es", "en"])
def test_bad_filters_are_refused_in_the_page_language(client, users, language):
    login(client, "max@example.com")
    client.get(f"/console/queue?lang={language}")
    for path in BAD:
        page = client.get(path)
        assert page.status_code == 400, path
        text = " ".join(page.text.split())
        expected = WORDS[language][1] if "from=" in path or "to=" in path else WORDS[language][0]
        assert expected in text, (path, text[-600:])
        for code in ENGLISH_CODES:
            assert code not in text, (path, code)

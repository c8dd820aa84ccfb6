"""Out-of-range ids and dates in console URLs answer 404 or 400, never 500, on every route."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.webhooks.console.conftest import login

# Past a 32-bit integer column, past a 64-bit one, and far past both.
HUGE_IDS = (2**31, 2**63, 10**23)
BAD_QUERIES = (
    "to=9999-12-31",
    "from=9999-12-31&to=9999-12-31",
    "from=0001-01-01",
    "to=10000-01-01",
    "from=2024-02-30",
    "from=not-a-date",
    "quadrant=" + "x" * 500,
    "number=" + "9" * 40,
    "customer=%00",
    "lang=xx",
)


def console_rules(app: Flask) -> list[tuple[str, str, list[str]]]:
    """(method, rule, int argument names) for every console route."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/console"):
            continue
        ints = re.findall(r"<int:([^>]+)>", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule, ints))
    return found


def concrete(rule: str, value: int) -> str:
    path = re.sub(r"<int:[^>]+>", str(value), rule)
    return re.sub(r"<(?:path:)?[^>]+>", "x", path)


@pytest.fixture
def manager(app: Flask, users):
    client = app.test_client()
    csrf = login(client, "max@example.com")
    return client, csrf


def test_huge_ids_answer_404_on_every_console_route(app: Flask, manager) -> None:
    client, csrf = manager
    routes = [r for r in console_rules(app) if r[2]]
    assert len(routes) >= 9, routes
    for method, rule, _ in routes:
        for value in HUGE_IDS:
            path = concrete(rule, value)
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, data={"csrf_token": csrf})
            assert response.status_code == 404, (method, path, response.status_code)
            api = rule.startswith("/console/api/")
            assert ("error" in response.json) if api else ("Not found." in response.text)


def test_out_of_range_dates_and_odd_queries_never_500(app: Flask, manager) -> None:
    client, _ = manager
    pages = [rule for method, rule, ints in console_rules(app) if method == "GET" and not ints]
    assert "/console/manager/conversations" in pages
    for rule in pages:
        for query in BAD_QUERIES:
            response = client.get(f"{rule}?{query}")
            assert response.status_code < 500, (rule, query, response.status_code)
    for query in BAD_QUERIES[:6]:
        response = client.get(f"/console/manager/conversations?{query}")
        assert response.status_code == 400 and "YYYY-MM-DD" in response.text, query
    nul = client.get("/console/manager/conversations?customer=ana%00")
    assert nul.status_code == 400 and "NUL" in nul.text
    ok = client.get("/console/manager/conversations?from=2024-01-01&to=2024-12-31")
    assert ok.status_code == 200

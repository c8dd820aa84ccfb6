"""A console page while the database is unavailable: one page in the reader's language says so
and that nothing was saved; never a traceback or the plain-text internal error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from tests.webhooks.console.conftest import login

SAID = {
    "es": "La base de datos no está disponible en este momento: no se guardó ni se aplicó nada.",
    "en": "The database is not available right now: nothing was saved or applied.",
}


@contextmanager
def database_down(app: Flask) -> Iterator[None]:
    """Every statement fails as a lost server connection does."""
    engine = app.extensions["contactpro"].db.engine

    def refuse(*_: Any) -> None:
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize(
    "path", ["/console/queue", "/console/manager/config", "/console/manager/improve/"]
)
def test_a_page_says_the_database_is_unavailable_in_the_readers_language(
    app: Flask, client: Any, users: Any, language: str, path: str
) -> None:
    login(client, "max@example.com")
    with database_down(app):
        page = client.get(f"{path}?lang={language}")
    assert page.status_code == 503
    assert page.mimetype == "text/html"
    assert SAID[language] in page.text
    assert "Traceback" not in page.text and "internal error" not in page.text
    if language == "es":
        assert SAID["en"] not in page.text
    # Back as soon as the database answers.
    assert client.get(f"{path}?lang={language}").status_code == 200


def test_the_api_answers_json_while_the_database_is_unavailable(
    app: Flask, client: Any, users: Any
) -> None:
    login(client, "ana@example.com")
    with database_down(app):
        answer = client.get("/console/api/queue")
    assert answer.status_code == 503
    assert answer.get_json() == {"error": "database unreachable"}

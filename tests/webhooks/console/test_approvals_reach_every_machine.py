"""An approval reaches every machine serving the bot: the approved templates and articles are
kept in the database, and a web process with its own var dir (another machine, no shared
folder) answers with them from its next check of the database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from contactpro.db import Database
from contactpro.dialog import applied
from devtools.conversations import SmsThread
from tests.conftest import TwilioClient
from tests.contactpro.improve.test_approved_proposals_apply import STATIC_IP, _draft
from tests.webhooks.console.conftest import login
from webhooks import create_app

# A template the article answers are worded with, changed by a proposal.
KB_ANSWER = {
    "es": "{{ answer }} (respuesta aprobada por la gerencia)",
    "en": "{{ answer }} (answer approved by the managers)",
}
APPROVED_WORDS = {"es": "aprobada por la gerencia", "en": "approved by the managers"}


@pytest.fixture
def other_machine(app: Flask, app_config: dict[str, Any], tmp_path: Any) -> Iterator[Flask]:
    """A second web process on the same database with a var dir of its own."""
    other = create_app({**app_config, "var_dir": str(tmp_path / "other-machine")})
    yield other
    other.extensions["contactpro"].db.dispose()


@pytest.fixture(autouse=True)
def check_every_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ask the database on every use instead of every few seconds."""
    monkeypatch.setattr(applied, "CHECK_SECONDS", 0.0)


def _approve(client: Any, pid: int, language: str) -> str:
    token = login(client, "max@example.com")
    return client.post(
        f"/console/manager/improve/proposals/{pid}?lang={language}",
        data={"decision": "approved", "csrf_token": token},
        follow_redirects=True,
    ).text


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_article_approved_on_one_machine_answers_on_another(
    client: Any, session: Session, users: Any, other_machine: Flask, language: str
) -> None:
    question, name, article, words = STATIC_IP[language]
    elsewhere = TwilioClient(other_machine.test_client())
    assert words not in SmsThread(elsewhere, "+573001140001").send(question)
    pid = _draft(session, {"kb": {name: article}})

    _approve(client, pid, language)

    assert words in SmsThread(elsewhere, "+573001140002").send(question)
    mirror = applied.root(other_machine.extensions["contactpro"].settings.var_dir)
    assert (mirror / "kb" / name).read_text(encoding="utf-8") == article


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_layer_kept_only_on_disk_is_carried_over_by_the_next_approval(
    app: Flask, client: Any, session: Session, users: Any, other_machine: Flask, language: str
) -> None:
    """A layer approved before the database kept it lives in one machine's var dir: the other
    machine cannot see it until the next approval stores it with the new change."""
    question, name, article, words = STATIC_IP[language]
    here = applied.root(app.extensions["contactpro"].settings.var_dir)
    applied.write_file(here / "kb" / name, article)
    applied.write_file(here / applied.VERSION, "before-the-database")
    assert words in SmsThread(TwilioClient(client), "+573001140003").send(question)
    elsewhere = TwilioClient(other_machine.test_client())
    assert words not in SmsThread(elsewhere, "+573001140004").send(question)
    pid = _draft(session, {"templates": {language: {"kb_answer": KB_ANSWER[language]}}}, "template")

    _approve(client, pid, language)

    answer = SmsThread(elsewhere, "+573001140005").send(question)
    assert words in answer and APPROVED_WORDS[language] in answer
    answer_here = SmsThread(TwilioClient(client), "+573001140006").send(question)
    assert words in answer_here and APPROVED_WORDS[language] in answer_here


def test_a_machine_that_cannot_read_the_database_serves_its_mirror(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    var_dir = tmp_path / "var"
    applied.write_file(applied.root(var_dir) / applied.VERSION, "served-before")
    unreachable = Database("postgresql+psycopg://nobody@127.0.0.1:9/unreachable")
    applied.follow(var_dir, unreachable)

    assert applied.version(var_dir) == "served-before"
    assert "database not readable, serving the mirror" in caplog.text

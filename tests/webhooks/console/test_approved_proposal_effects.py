"""What an approval from the console leaves behind: approved articles named by their titles on
the console pages, the approval message in the manager's words, and nothing applied when the
approval could not be saved."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from contactpro.dialog import applied
from contactpro.models import AuditLog, Proposal
from devtools.conversations import SmsThread
from tests.conftest import TwilioClient
from tests.contactpro.improve.test_approved_proposals_apply import STATIC_IP, _cli, _draft
from tests.webhooks.console.conftest import add_customer, login
from tests.webhooks.console.test_agent_fixes import ASK_AGENT, escalation_of

TITLE = {"es": "IP fija", "en": "Static IP"}
APPLIED = {"es": "aplicado: artículo ", "en": "applied: article "}
SAID = {"es": "respondió con el artículo «", "en": "answered with the article “"}
DATABASE_DOWN = {
    "es": "La base de datos no está disponible en este momento: no se guardó ni se aplicó nada.",
    "en": "The database is not available right now: nothing was saved or applied.",
}


def _approve(client: Any, token: str, pid: int, language: str) -> str:
    return client.post(
        f"/console/manager/improve/proposals/{pid}?lang={language}",
        data={"decision": "approved", "csrf_token": token},
        follow_redirects=True,
    ).text


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_approved_article_is_named_by_its_title_on_the_escalation(
    app: Flask, client: Any, session: Session, twilio: TwilioClient, users: Any, language: str
) -> None:
    question, name, article, words = STATIC_IP[language]
    slug = name.split("/")[1].removesuffix(".md")
    pid = _draft(session, {"kb": {name: article}})
    token = login(client, "max@example.com")
    assert APPLIED[language] + name in _approve(client, token, pid, language)
    number = {"es": "+573001130001", "en": "+573001130002"}[language]
    add_customer(session, number, "Camila Rojas")
    thread = SmsThread(twilio, number)
    assert words in thread.send(question)
    thread.send(ASK_AGENT[language])
    esc = escalation_of(session, number)
    assert f"answered_{slug}" in esc.context["steps_tried"]

    page = client.get(f"/console/escalations/{esc.id}?lang={language}").text

    assert SAID[language] + TITLE[language] in page
    assert SAID[language] + slug not in page and f"answered_{slug}" not in page


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_approval_names_templates_by_what_they_are_for(
    app: Flask, client: Any, session: Session, users: Any, language: str
) -> None:
    body = {
        "templates": {
            "es": {"kb_answer": "{{ answer }} Más en «{{ title }}»."},
            "en": {"escalate_sms": "An agent will write to you soon."},
        }
    }
    pid = _draft(session, body, kind="template")
    token = login(client, "max@example.com")

    page = _approve(client, token, pid, language)

    expected = {
        "es": "aplicado: la plantilla en español para las respuestas con un artículo de la base "
        "de conocimiento; la plantilla en inglés para el paso a un agente",
        "en": "applied: the Spanish template for answers from a knowledge-base article; the "
        "English template for handing over to an agent",
    }[language]
    assert expected in page
    assert "es/kb_answer" not in page and "en/escalate_sms" not in page


def test_the_command_names_templates_by_what_they_are_for(
    app: Flask, app_config: dict[str, Any], tmp_path: Any, session: Session
) -> None:
    pid = _draft(session, {"templates": {"en": {"goodbye": "Bye from {{ company }}!"}}})

    approved = _cli(app_config, tmp_path, "approve", str(pid))

    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.splitlines()[-1] == (
        "applied: the English template for greetings and farewells"
    )


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_approval_that_fails_to_save_applies_nothing(
    app: Flask,
    client: Any,
    session: Session,
    twilio: TwilioClient,
    users: Any,
    language: str,
) -> None:
    """The database refuses the commit (disk full, lost connection): the proposal stays a
    draft and the bot does not answer from its article."""
    question, name, article, words = STATIC_IP[language]
    pid = _draft(session, {"kb": {name: article}})
    token = login(client, "max@example.com")

    def refuse(approving: Session) -> None:  # the approval's commit fails, nothing else
        if approving.scalar(select(AuditLog.id).where(AuditLog.action == "proposal.apply")):
            raise OperationalError("COMMIT", {}, Exception("database or disk is full"))

    sessions = app.extensions["contactpro"].db.sessionmaker
    event.listen(sessions, "before_commit", refuse)
    try:
        failed = client.post(
            f"/console/manager/improve/proposals/{pid}?lang={language}",
            data={"decision": "approved", "csrf_token": token},
        )
        # One page in the manager's language says so; no traceback, no English on a Spanish page.
        assert failed.status_code == 503
        assert DATABASE_DOWN[language] in failed.text
        assert "Traceback" not in failed.text and "OperationalError" not in failed.text
        if language == "es":
            assert "nothing was saved" not in failed.text
    finally:
        event.remove(sessions, "before_commit", refuse)

    assert not applied.root(app.extensions["contactpro"].settings.var_dir).exists()
    session.expire_all()
    assert session.get(Proposal, pid).status == "draft"  # type: ignore[union-attr]
    assert session.scalars(select(AuditLog)).all() == []
    assert words not in SmsThread(twilio, "+573001130003").send(question)
    # Approved again once the database takes it: it applies then.
    assert APPLIED[language] + name in _approve(client, token, pid, language)
    assert words in SmsThread(twilio, "+573001130004").send(question)

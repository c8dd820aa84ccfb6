"""Approving a proposal ships it: an approval through ``contactpro improve approve`` (the
installed entry point, another process) or the console's approve button applies the body's
settings, templates and articles, and the bot already serving customers behaves per the
proposal from its next message; a rejection, or a body that cannot be applied, changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.dialog import applied
from contactpro.improve import proposals
from contactpro.models import AuditLog, ConfigEntry, Escalation, Proposal
from devtools.conversations import SmsThread
from tests.cli.test_entry_point import run
from tests.conftest import TwilioClient
from tests.webhooks.console.conftest import (  # noqa: F401 - fixtures
    add_users,
    cheap_password_hashing,
    login,
)

# A question no shipped article answers, in each language, and the article a proposal adds.
STATIC_IP = {
    "es": (
        "¿Tienen IP fija para empresas?",
        "es/ip-fija.md",
        "# IP fija\n\nLa IP fija cuesta 20.000 pesos al mes y se activa en 24 horas.\n",
        "20.000 pesos al mes",
    ),
    "en": (
        "do you offer a static IP?",
        "en/static-ip.md",
        "# Static IP\n\nA static IP costs 5 dollars a month and is active within 24 hours.\n",
        "5 dollars a month",
    ),
}
# A question a shipped article ("changing your plan") answers, in each language.
PLAN_CHANGE = {"es": "información sobre cambio de plan", "en": "information about changing my plan"}


def _draft(session: Session, body: dict[str, Any], kind: str = "kb_article") -> int:
    [pid] = proposals.save(session, [proposals.Draft(kind, "proposal under test", body)])
    session.commit()
    return pid


def _cli(app_config: dict[str, Any], tmp_path: Any, *args: str) -> Any:
    """Run ``contactpro improve ...`` on the served app's database and var dir."""
    return run(
        ["improve", *args, "--by", "ana"],
        tmp_path,
        CONTACTPRO_DATABASE_URL=app_config["database_url"],
        CONTACTPRO_VAR_DIR=app_config["var_dir"],
    )


def _handed_over(session: Session) -> int:
    session.expire_all()
    return len(session.scalars(select(Escalation)).all())


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_approved_article_answers_what_was_handed_over(
    app_config: dict[str, Any], tmp_path: Any, twilio: TwilioClient, session: Session, language: str
) -> None:
    question, name, article, words = STATIC_IP[language]
    before = SmsThread(twilio, "+573001110001").send(question)
    assert words not in before and _handed_over(session) == 1
    pid = _draft(session, {"kb": {name: article}})

    approved = _cli(app_config, tmp_path, "approve", str(pid))

    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.splitlines() == [
        f"proposal #{pid} approved by ana",
        f"applied: article {name}",
    ]
    # The server already running answers from the new article (no restart).
    after = SmsThread(twilio, "+573001110002").send(question)
    assert words in after
    assert ("Fuente: IP fija" if language == "es" else "Source: Static IP") in after
    assert _handed_over(session) == 1
    session.expire_all()
    [audit] = session.scalars(select(AuditLog).where(AuditLog.action == "proposal.apply")).all()
    assert audit.target == f"proposal:{pid}" and audit.after["articles"] == [name]


def test_a_rejected_proposal_changes_nothing(
    app_config: dict[str, Any], tmp_path: Any, twilio: TwilioClient, session: Session
) -> None:
    question, name, article, words = STATIC_IP["es"]
    pid = _draft(session, {"kb": {name: article}, "settings": {"knowledge_min_score": 0.9}})

    rejected = _cli(app_config, tmp_path, "reject", str(pid))

    assert rejected.returncode == 0, rejected.stderr
    assert rejected.stdout.strip() == f"proposal #{pid} rejected by ana"
    assert words not in SmsThread(twilio, "+573001110003").send(question)
    assert "Fuente" in SmsThread(twilio, "+573001110004").send(PLAN_CHANGE["es"])
    assert not applied.root(app_config["var_dir"]).exists()
    assert session.scalars(select(ConfigEntry)).all() == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_approved_threshold_changes_what_the_bot_answers(
    app_config: dict[str, Any], tmp_path: Any, twilio: TwilioClient, session: Session, language: str
) -> None:
    """Raising knowledge_min_score above the article's score hands the question over."""
    answered = SmsThread(twilio, "+573001110005").send(PLAN_CHANGE[language])
    assert ("Fuente" if language == "es" else "Source") in answered
    pid = _draft(session, {"settings": {"knowledge_min_score": 0.95}}, kind="threshold")

    approved = _cli(app_config, tmp_path, "approve", str(pid))

    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.splitlines()[-1] == (
        "applied: Least knowledge-base score to answer from an article (0-1) = 0.95"
    )
    SmsThread(twilio, "+573001110006").send(PLAN_CHANGE[language])
    assert _handed_over(session) == 1
    session.expire_all()
    assert session.get(ConfigEntry, "knowledge_min_score").value == 0.95  # type: ignore[union-attr]
    actions = [a.action for a in session.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert actions == ["proposal.approve", "config.set", "proposal.apply"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"settings": {"intent_threshold": 0.4}},
            "setting intent_threshold cannot be applied by an approval: only the settings of "
            "the managers' settings page change at run time (set it in the environment and "
            "restart)",
        ),
        (
            {"settings": {"knowledge_min_score": 2}, "kb": {"es/ip-fija.md": "# IP fija\n\nx"}},
            "setting knowledge_min_score must be at most 1",
        ),
        (
            {"templates": {"es": {"kb_answr": "{{ answer }}"}}},
            "templates.es: there is no template kb_answr",
        ),
        (
            {"intents": "proposal/intents"},
            "an intent model is not applied by an approval: deploy it with "
            "CONTACTPRO_INTENT_MODEL_DIR and restart",
        ),
    ],
)
def test_a_body_that_cannot_be_applied_is_not_approved(
    app: Flask,
    app_config: dict[str, Any],
    tmp_path: Any,
    session: Session,
    body: dict[str, Any],
    error: str,
) -> None:
    pid = _draft(session, body)

    refused = _cli(app_config, tmp_path, "approve", str(pid))

    assert refused.returncode == 1 and refused.stderr.strip() == f"Error: {error}"
    session.expire_all()
    assert session.get(Proposal, pid).status == "draft"  # type: ignore[union-attr]
    assert session.scalars(select(AuditLog)).all() == []
    assert session.scalars(select(ConfigEntry)).all() == []
    assert not applied.root(app_config["var_dir"]).exists()


def test_the_console_approval_ships_a_template_and_says_so(
    app: Flask, twilio: TwilioClient, session: Session
) -> None:
    """Approved from the Spanish page: the page says what was applied, in Spanish (62,5 written
    the Spanish way); the English and Spanish customers get the reworded article answer."""
    add_users(session)
    client = app.test_client()
    token = login(client, "max@example.com")
    body = {
        "settings": {"conformity_threshold": 62.5},
        "templates": {
            "es": {"kb_answer": "{{ answer }} Lo explica nuestro artículo «{{ title }}»."},
            "en": {"kb_answer": "{{ answer }} Our article “{{ title }}” explains it."},
        },
    }
    pid = _draft(session, body, kind="template")
    url = f"/console/manager/improve/proposals/{pid}"

    page = client.post(
        url + "?lang=es",
        data={"decision": "approved", "csrf_token": token},
        follow_redirects=True,
    ).text

    assert (
        "propuesta aprobada; aplicado: Umbral de conformidad (0-100) = 62,5; "
        "la plantilla en español para las respuestas con un artículo de la base de conocimiento; "
        "la plantilla en inglés para las respuestas con un artículo de la base de conocimiento"
    ) in page
    assert "applied" not in page
    # The history worded the apply step by its audit code on the Spanish page.
    assert "proposal_apply" not in page and "· aplicada ·" in page
    spanish = SmsThread(twilio, "+573001110007").send(PLAN_CHANGE["es"])
    assert (
        "Lo explica nuestro artículo «Cambiar o mejorar el plan»" in spanish
        and "Fuente" not in spanish
    )
    english = SmsThread(twilio, "+573001110008").send(PLAN_CHANGE["en"])
    assert "Our article “" in english and "Source" not in english and "artículo" not in english
    again = client.post(
        url + "?lang=en", data={"decision": "rejected", "csrf_token": token}, follow_redirects=True
    ).text
    assert "the proposal is already approved" in again

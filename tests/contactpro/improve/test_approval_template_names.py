"""A template text naming something the product does not fill would fail every reply using it:
an approval (``contactpro improve approve``, the console's approve button) refuses it with one
line naming it and the names that may be used; and a text already in force that fails to render
gets the customer the shipped text instead of an error."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.dialog import applied
from contactpro.models import AuditLog, Escalation, Interaction, Proposal, Turn
from devtools.conversations import SmsThread
from tests.conftest import TwilioClient
from tests.contactpro.improve.test_approved_proposals_apply import STATIC_IP, _cli, _draft
from tests.webhooks.console.conftest import (  # noqa: F401 - fixtures
    add_users,
    cheap_password_hashing,
    login,
)

UNFILLED = {"templates": {"es": {"escalate_sms": "Hola {{ undefined_thing }} te llamamos"}}}
SHIPPED_ES = "Un asesor revisará tu caso y te contactará pronto."
USABLE = "{{ channel }}, {{ company }}, {{ language }}, {{ market }}"


def _nothing_applied(session: Session, pid: int, var_dir: str) -> None:
    session.expire_all()
    assert session.get(Proposal, pid).status == "draft"  # type: ignore[union-attr]
    assert session.scalars(select(AuditLog)).all() == []
    assert not applied.root(var_dir).exists()


def test_the_cli_refuses_a_template_naming_what_the_product_does_not_fill(
    app: Flask, app_config: dict[str, Any], tmp_path: Any, twilio: TwilioClient, session: Session
) -> None:
    pid = _draft(session, UNFILLED, kind="template")

    refused = _cli(app_config, tmp_path, "approve", str(pid))

    assert refused.returncode != 0
    assert refused.stderr.strip() == (
        "Error: templates.es: escalate_sms cannot fill {{ undefined_thing }}; use " + USABLE
    )
    _nothing_applied(session, pid, app_config["var_dir"])
    reply = SmsThread(twilio, "+573001110011").send(STATIC_IP["es"][0])
    assert SHIPPED_ES in reply and "undefined_thing" not in reply


@pytest.mark.parametrize(
    ("language", "words", "english"),
    [
        (
            "es",
            "la plantilla escalate_sms en templates.es no puede completar {{ undefined_thing }}; "
            "puede usar " + USABLE,
            ("cannot fill", "you may use"),
        ),
        (
            "en",
            "the template escalate_sms in templates.es cannot fill {{ undefined_thing }}; "
            "you may use " + USABLE,
            (),
        ),
    ],
)
def test_the_console_refuses_it_in_the_page_language(
    app: Flask,
    app_config: dict[str, Any],
    session: Session,
    language: str,
    words: str,
    english: tuple[str, ...],
) -> None:
    add_users(session)
    client = app.test_client()
    token = login(client, "max@example.com")
    pid = _draft(session, UNFILLED, kind="template")

    page = client.post(
        f"/console/manager/improve/proposals/{pid}?lang={language}",
        data={"decision": "approved", "csrf_token": token},
        follow_redirects=True,
    ).text

    assert words in page.replace("&#34;", '"').replace("&#39;", "'")
    assert not any(word in page for word in english)
    _nothing_applied(session, pid, app_config["var_dir"])


def test_a_text_in_force_that_fails_to_render_falls_back_to_the_shipped_one(
    app: Flask,
    app_config: dict[str, Any],
    twilio: TwilioClient,
    session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Written straight into the applied layer (as an older approval could have): the caller
    still gets the shipped hand-over text, the conversation is stored, one warning is logged."""
    layer = applied.root(app_config["var_dir"])
    applied.write_file(
        layer / "templates" / "es.toml",
        'escalate_sms = "Hola {{ undefined_thing }} te llamamos"\n',
    )
    applied.write_file(layer / applied.VERSION, "broken-1")

    with caplog.at_level(logging.WARNING, logger="contactpro.dialog.templates"):
        reply = SmsThread(twilio, "+573001110012").send(STATIC_IP["es"][0])

    assert SHIPPED_ES in reply
    assert "te llamamos" not in reply and "undefined" not in reply
    session.expire_all()
    [interaction] = session.scalars(select(Interaction)).all()
    assert interaction.from_number == "+573001110012"
    [turn] = session.scalars(select(Turn)).all()
    assert turn.interaction_id == interaction.id and turn.action == "escalate"
    assert SHIPPED_ES in (turn.reply or "")
    assert len(session.scalars(select(Escalation)).all()) == 1
    warnings = [r.getMessage() for r in caplog.records if "escalate_sms" in r.getMessage()]
    assert warnings and all("using the shipped text" in w for w in warnings)

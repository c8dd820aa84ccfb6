"""Stored messages, audit rows, call-backs and money read in the page's language.

A failed replay and a rule-drafted proposal keep their English text for the CLI, beside a
catalogue key and values that Spanish pages word; the change log lists translated field
changes and who decided; Spanish pages never say "Devoluciones" and show money as the bot says it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from contactpro.console.strings import console_strings
from contactpro.errors import ContactProError
from contactpro.improve import proposals, runs
from contactpro.improve.rank import Candidate
from tests.contactpro.console.test_agent_queue import sms_escalation
from tests.webhooks.console.conftest import add_users, login

IMPROVE = "/console/manager/improve/"
CODE = Path(__file__).resolve().parents[3] / "contactpro"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Replays run inline."""
    return {**app_config, "task_always_eager": True}


def _flow_draft() -> proposals.Draft:
    """The rule draft QA saw: a flow review of an intent with a handler."""
    candidate = Candidate(
        rank=1,
        kind="intent",
        name="connection_problem",
        volume=1,
        unresolved=1,
        unresolved_share=1.0,
        handling_minutes=4.0,
        effort=1,
        cost=1.0,
        score=1.0,
        expected_contained=0.6,
        expected_saving=1.65,
        currency="COP",
    )
    [draft] = proposals.rule_drafts([], [], [candidate])
    return draft


def _failed_run(app: Flask, tmp_path: Path, name: str, settings_toml: str | None) -> int:
    """A replay that fails: a proposal folder changing a fixed setting, or no conversation."""
    runtime = app.extensions["contactpro"]
    folder = tmp_path / name
    folder.mkdir()
    if settings_toml is not None:
        (folder / "settings.toml").write_text(settings_toml, encoding="utf-8")
    data = tmp_path / f"{name}.jsonl"
    data.write_text("", encoding="utf-8")
    run_id = runs.create_run(
        runtime.db,
        runs.ReplayRequest(proposed=str(folder), out_dir=str(tmp_path / "out"), data=str(data)),
    )
    with pytest.raises(ContactProError):
        runs.execute(runtime.db, runtime.settings, run_id)
    return run_id


@pytest.fixture
def manager(app: Flask, session: Session) -> tuple[FlaskClient, str]:
    add_users(session)
    session.commit()
    client = app.test_client()
    return client, login(client, "max@example.com")


def test_the_spanish_improve_page_words_failures_and_rule_drafts(
    app: Flask, session: Session, manager: tuple[FlaskClient, str], tmp_path: Path
) -> None:
    client, _ = manager
    draft = _flow_draft()
    # The CLI keeps the English (neutral) title.
    assert draft.title == "Review the connection_problem flow: 1 of 1 unresolved"
    [pid] = proposals.save(session, [draft])
    session.commit()
    fixed = _failed_run(app, tmp_path, "fixed", 'database_url = "sqlite://"\n')
    empty = _failed_run(app, tmp_path, "empty", None)
    session.expire_all()
    stored = runs.get_run(session, fixed)
    assert stored.error == "settings.toml: database_url cannot be changed by a proposal"

    page = client.get(IMPROVE + "?lang=es").text
    for english in (
        "cannot be changed by a proposal",
        "no conversation to replay",
        "Review the",
        "unresolved",
        "connection_problem",
    ):
        assert english not in page, english
    assert "fallida: settings.toml: una propuesta no puede cambiar database_url" in page
    assert "fallida: no hay conversaciones para repetir" in page
    assert "Revisar el flujo de falla de conexión: 1 de 1 sin resolver" in page

    run_page = client.get(f"{IMPROVE}runs/{empty}?lang=es").text
    assert "no hay conversaciones para repetir" in run_page
    assert "no conversation to replay" not in run_page
    proposal_page = client.get(f"{IMPROVE}proposals/{pid}?lang=es").text
    assert "connection_problem" not in proposal_page.split('id="p-body"')[0]
    assert "Revisar el flujo de falla de conexión" in proposal_page

    english = client.get(IMPROVE + "?lang=en").text
    assert "failed: settings.toml: database_url cannot be changed by a proposal" in english
    assert "Review the connection problem flow: 1 of 1 unresolved" in english


def test_saving_a_rule_draft_unchanged_keeps_its_words_a_new_title_drops_them(
    session: Session, manager: tuple[FlaskClient, str]
) -> None:
    client, token = manager
    [pid] = proposals.save(session, [_flow_draft()])
    session.commit()
    url = f"{IMPROVE}proposals/{pid}"
    body = proposals.get(session, pid).body
    spanish = "Revisar el flujo de falla de conexión: 1 de 1 sin resolver"
    client.post(
        url + "/edit", data={"title": spanish, "body": json.dumps(body), "csrf_token": token}
    )
    session.expire_all()
    kept = proposals.get(session, pid)
    assert kept.title.startswith("Review the") and proposals.TITLE_WORDS in kept.body
    client.post(
        url + "/edit", data={"title": "Mi título", "body": json.dumps(body), "csrf_token": token}
    )
    session.expire_all()
    renamed = proposals.get(session, pid)
    assert renamed.title == "Mi título" and proposals.TITLE_WORDS not in renamed.body
    assert "Mi título" in client.get(url + "?lang=en").text


def test_the_change_log_shows_translated_field_changes_and_who_decided(
    session: Session, manager: tuple[FlaskClient, str]
) -> None:
    client, _ = manager
    [pid] = proposals.save(session, [_flow_draft()])
    proposals.decide(session, pid, "approved", "qa")  # as `contactpro improve approve --by qa`
    session.commit()

    page = client.get("/console/manager/config?lang=es").text
    log = page.split('id="audit"')[1].split("</table>")[0]
    cells = re.findall(r"<td>(.*?)</td>", log.split("<tbody>")[1], flags=re.S)
    assert len(cells) == 5, log
    who, what, before, after = cells[1:]
    assert who == "qa"
    assert what == f"propuesta aprobada: propuesta #{pid}"
    assert (before, after) == ("estado: borrador", "estado: aprobada")
    for raw in ('{"status"', "&#34;status&#34;", "&#34;body", "Reword", "approved"):
        assert raw not in log, raw
    english = client.get("/console/manager/config?lang=en").text
    assert "status: draft" in english and "status: approved" in english


def test_spanish_never_says_devoluciones_for_call_backs(
    session: Session, manager: tuple[FlaskClient, str]
) -> None:
    client, _ = manager
    strings = console_strings()
    said = [k for k, words in strings.items() if "devoluci" in words["es"].lower()]
    assert not said, said
    for path in ("/console/manager/config", "/console/callbacks"):
        page = client.get(path + "?lang=es").text
        assert "Devoluci" not in page and "devoluci" not in page, path
    assert "Devolver llamadas" in client.get("/console/callbacks?lang=es").text


def test_the_spanish_escalation_page_shows_money_as_the_bot_says_it(
    app: Flask, session: Session, twilio: Any, users: Any
) -> None:
    escalation = sms_escalation(twilio, session, "+573001117788", "Marta Monto")
    client = app.test_client()
    login(client, "max@example.com")
    spanish = client.get(f"/console/escalations/{escalation.id}?lang=es").text
    assert "125.000 pesos" in spanish and "125,000.00" not in spanish
    english = client.get(f"/console/escalations/{escalation.id}?lang=en").text
    assert "125,000.00 COP" in english


def test_every_coded_message_in_the_code_has_words_in_both_languages() -> None:
    strings = console_strings()
    keys = set()
    for path in CODE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"""key=["'](perr_\w+)["']""", text))
        keys |= set(re.findall(r"""["'](ptitle_\w+)["']""", text))
    keys.add("perr_bad_toml_at")
    assert len(keys) >= 20, keys
    missing = sorted(k for k in keys if k not in strings)
    assert not missing, missing

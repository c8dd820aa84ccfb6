"""The manager's improvement pages: ranking with weights, explanations, proposals and replays."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.console.wording import number
from contactpro.improve import index, proposals, rank, store
from contactpro.improve.dataset import Conversation, Message
from contactpro.models import AuditLog, ConfigEntry, ImproveRun, Proposal, utcnow
from tests.webhooks.console.conftest import add_users, login

BASE = "/console/manager/improve"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Hashing case vectors (no model to load); replays run inline; a strict knowledge-base
    minimum (0.6) under which some of the month's product questions go to a person today."""
    return {
        **app_config,
        "improve_case_encoder": "hashing",
        "task_always_eager": True,
        "knowledge_min_score": 0.6,
    }


QUESTIONS = [
    "tienen planes con televisión",
    "cuánto cuesta el plan de 300 megas",
    "hay cobertura de fibra en mi barrio",
    "qué es el roaming y cuánto vale",
    "cómo cambio mi plan",
    "what plans do you have",
    "do you have plans with tv",
    "which modem do you lend",
]


def conversations() -> list[Conversation]:
    """A small imported month: many short unresolved billing calls, few long debt ones."""
    rows = []
    started = utcnow() - timedelta(days=3)
    for n in range(12):
        rows.append(
            Conversation(
                conversation_id=f"B{n}",
                transcript=[Message("user", "cuánto debo este mes"), Message("assistant", "…")],
                channel="voice",
                resolved=n % 3 == 0,
                duration_sec=60,
                intents=["billing_inquiry"],
                started_at=started,
                failure_step="menu",
                failure_reason="no_input",
                segment="standard",
            )
        )
    for n in range(3):
        rows.append(
            Conversation(
                conversation_id=f"D{n}",
                transcript=[Message("user", "quiero pagar en cuotas"), Message("assistant", "…")],
                channel="sms",
                resolved=False,
                duration_sec=1800,
                intents=["debt_negotiation"],
                started_at=started,
                failure_step="offered_plans",
                failure_reason="offer_refused",
                segment="premium",
            )
        )
    for n, text in enumerate(QUESTIONS):
        rows.append(
            Conversation(
                conversation_id=f"Q{n}",
                transcript=[Message("user", text), Message("user", "gracias")],
                channel="sms",
                resolved=False,
                duration_sec=240,
                started_at=started,
                segment="standard",
            )
        )
    return rows


@pytest.fixture
def manager(app: Flask, session: Session) -> tuple[FlaskClient, str]:
    """A logged-in manager and the session's CSRF token, with a dataset imported and indexed."""
    add_users(session)
    store.save(session, "month", conversations())
    index.index_pending(session, index.HashingEncoder())
    session.commit()
    client = app.test_client()
    return client, login(client, "max@example.com")


def _order(text: str) -> list[str]:
    table = text.split('id="ranking"')[1].split("</table>")[0]
    return re.findall(r"<tr><td class=\"num\">\d+</td><td>[^<]+</td><td title=\"([^\"]+)\">", table)


def test_weights_change_the_order_of_what_to_automate(
    app: Flask, manager: tuple[FlaskClient, str], session: Session
) -> None:
    """Volume first puts the many billing calls on top; time first, the long debt chats."""
    client, _ = manager
    by_volume = client.get(f"{BASE}/ranking?dataset=month&volume=3&time=0&lang=en")
    assert by_volume.status_code == 200
    assert _order(by_volume.text)[0] == "billing_inquiry"
    by_time = client.get(f"{BASE}/ranking?dataset=month&volume=0&time=3&lang=en")
    assert _order(by_time.text)[0] == "debt_negotiation"
    # The page shows what the CLI's ranking computes, from the same function.
    settings = app.extensions["contactpro"].settings
    expected = rank.rank_conversations(
        store.load(session, "month"), settings, rank.Weights(volume=0, time=3)
    )
    assert _order(by_time.text) == [c.name for c in expected]
    assert number(expected[0].score, 2, "en") in by_time.text  # the page's one formatter
    bad = client.get(f"{BASE}/ranking?dataset=month&volume=lots&lang=es")
    assert "Los pesos deben ser números" in bad.text and bad.status_code == 200


def test_a_failure_is_explained_from_the_index(manager: tuple[FlaskClient, str]) -> None:
    """Fields picked from the index's values; the pattern text in the page's language."""
    client, _ = manager
    form = client.get(f"{BASE}/explain?lang=es")
    assert 'value="offer_refused"' in form.text and 'id="explanation"' not in form.text
    page = client.get(f"{BASE}/explain?failure_reason=offer_refused&text=cuotas&lang=es")
    assert page.status_code == 200
    assert "Casos pasados parecidos: 3." in page.text
    assert "Causa probable: ofreció planes de pago" in page.text
    assert page.text.count("<tr><td>dataset-") == 3


def test_a_proposal_is_edited_decided_and_replayed(
    manager: tuple[FlaskClient, str], session: Session
) -> None:
    """Edit (audited, CSRF-checked), replay on the dataset, see baseline vs proposed, approve."""
    client, token = manager
    [pid] = proposals.save(session, [proposals.Draft("threshold", "Lower the KB threshold")])
    session.commit()
    url = f"{BASE}/proposals/{pid}"
    assert client.get(url + "?lang=en").status_code == 200
    body = {"settings": {"knowledge_min_score": 0.2}, "change": "lower it"}
    refused = client.post(url + "/edit", data={"title": "x", "body": json.dumps(body)})
    assert refused.status_code == 400  # no CSRF token
    broken = client.post(url + "/edit", data={"title": "x", "body": "{", "csrf_token": token})
    assert broken.status_code == 302
    assert "must be a JSON object" in client.get(url + "?lang=en").text
    saved = client.post(
        url + "/edit",
        data={"title": "KB threshold 0.2", "body": json.dumps(body), "csrf_token": token},
    )
    assert saved.status_code == 302
    session.expire_all()
    proposal = session.get(Proposal, pid)
    assert proposal is not None and proposal.body == body and proposal.title == "KB threshold 0.2"

    ran = client.post(url + "/replay", data={"dataset": "month", "csrf_token": token})
    assert ran.status_code == 302 and "/runs/" in ran.headers["location"]
    run = session.scalars(select(ImproveRun).order_by(ImproveRun.id.desc())).first()
    assert run is not None and run.status == "done", run.error if run else None
    page = client.get(ran.headers["location"] + "?lang=en")
    summary = run.results["summary"]
    assert f'<td class="num">{summary["baseline"]["resolved"]}</td>' in page.text
    assert f'<td class="num">{summary["proposed"]["resolved"]}</td>' in page.text
    assert summary["delta"]["resolved"] > 0, "a lower threshold answers more questions"
    improved = [
        c["conversation_id"] for c in run.results["changed"] if c["direction"] == "improved"
    ]
    assert improved and f'<strong id="improved">{len(improved)}</strong>' in page.text
    assert f"<td>{improved[0]}</td>" in page.text and '<strong id="broke">0</strong>' in page.text

    stricter = {"settings": {"knowledge_min_score": 0.95}}
    client.post(
        url + "/edit",
        data={"title": "KB threshold 0.95", "body": json.dumps(stricter), "csrf_token": token},
    )
    again = client.post(url + "/replay", data={"dataset": "month", "csrf_token": token})
    page = client.get(again.headers["location"] + "?lang=es")
    run = session.scalars(select(ImproveRun).order_by(ImproveRun.id.desc())).first()
    assert run is not None and run.params["proposal_id"] == pid
    broke = [c["conversation_id"] for c in run.results["changed"] if c["direction"] == "broke"]
    assert broke, "a stricter threshold stops answering questions answered today"
    assert f'<strong id="broke">{len(broke)}</strong>' in page.text and "se daña" in page.text

    unknown = client.post(url + "/replay", data={"dataset": "nope", "csrf_token": token})
    assert unknown.status_code == 404
    client.post(url, data={"decision": "approved", "csrf_token": token})
    session.expire_all()
    assert session.get(Proposal, pid).status == "approved"  # type: ignore[union-attr]
    late = client.post(url + "/edit", data={"title": "y", "body": "{}", "csrf_token": token})
    assert late.status_code == 302
    # The refusal is worded in the language of the page that posted (Spanish, above).
    assert "la propuesta ya está aprobada" in client.get(url + "?lang=en").text
    client.post(url + "/edit", data={"title": "y", "body": "{}", "csrf_token": token})
    assert "the proposal is already approved" in client.get(url + "?lang=en").text
    actions = session.scalars(
        select(AuditLog.action).where(AuditLog.target == f"proposal:{pid}").order_by(AuditLog.id)
    ).all()
    # The approval applied the threshold (the settings page's path, audited apart too).
    assert actions == ["proposal.edit", "proposal.edit", "proposal.approve", "proposal.apply"]
    assert session.get(ConfigEntry, "knowledge_min_score").value == 0.95  # type: ignore[union-attr]


def test_only_managers_open_the_pages(app: Flask, client: FlaskClient, session: Session) -> None:
    """Agents get 403 on every improvement page; a missing proposal or run is a 404."""
    add_users(session)
    login(client, "ana@example.com")
    for path in ("/", "/ranking", "/explain", "/proposals/1", "/runs/1"):
        assert client.get(BASE + path).status_code == 403, path
    manager = app.test_client()
    login(manager, "max@example.com")
    assert manager.get(f"{BASE}/proposals/999").status_code == 404
    assert manager.get(f"{BASE}/runs/999").status_code == 404

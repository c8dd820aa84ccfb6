"""The manager's improvement page: proposals decided from the console, replay progress shown."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.improve import proposals
from contactpro.models import AuditLog, ImproveRun, Proposal
from tests.webhooks.console.conftest import add_users, login


def test_managers_decide_proposals_and_see_replays(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    """A manager approves a draft (audited with their id); agents cannot open the page."""
    users = add_users(session)
    ids = proposals.save(session, [proposals.Draft("kb_article", "Pet insurance article")])
    session.add(
        ImproveRun(
            status="running",
            done=40,
            total=100,
            results={"summary": {"delta": {"resolved": 7}}},
        )
    )
    session.commit()
    login(client, "ana@example.com")
    assert client.get("/console/manager/improve/").status_code == 403
    client = app.test_client()
    token = login(client, "max@example.com")
    page = client.get("/console/manager/improve/")
    assert page.status_code == 200
    assert "Pet insurance article" in page.text and 'value="40"' in page.text
    assert "+7" in page.text
    refused = client.post(
        f"/console/manager/improve/proposals/{ids[0]}", data={"decision": "approved"}
    )
    assert refused.status_code == 400  # no CSRF token
    done = client.post(
        f"/console/manager/improve/proposals/{ids[0]}",
        data={"decision": "approved", "csrf_token": token},
    )
    assert done.status_code == 302
    missing = client.post(
        "/console/manager/improve/proposals/999",
        data={"decision": "approved", "csrf_token": token},
    )
    assert missing.status_code == 404
    session.expire_all()
    proposal = session.get(Proposal, ids[0])
    assert proposal is not None and proposal.status == "approved"
    assert proposal.decided_by == "max@example.com"
    audit = session.scalars(select(AuditLog).where(AuditLog.target == f"proposal:{ids[0]}")).one()
    assert audit.agent_id == users["manager"].id and audit.action == "proposal.approve"

"""Agents see account numbers masked on the escalation page and in its JSON; managers in full."""

from __future__ import annotations

from tests.contactpro.console.test_agent_queue import sms_escalation
from tests.webhooks.console.conftest import login


def test_agents_see_masked_account_numbers_managers_see_them_whole(app, session, twilio, users):
    esc = sms_escalation(twilio, session, "+573001114455", "Irene Identidad")
    full = "3001114455"  # the test customer's account number: the phone's last ten digits
    agent, manager = app.test_client(), app.test_client()
    login(agent, "ana@example.com")
    login(manager, "max@example.com")

    page = agent.get(f"/console/escalations/{esc.id}").text
    packet = agent.get(f"/console/api/escalations/{esc.id}").json
    assert f"<td>{full}</td>" not in page and "<td>******4455</td>" in page
    assert packet["context"]["customer"]["accounts"][0]["number"] == "******4455"
    assert "+573001114455" in page  # the phone stays: agents call and text it

    assert f"<td>{full}</td>" in manager.get(f"/console/escalations/{esc.id}").text
    whole = manager.get(f"/console/api/escalations/{esc.id}").json
    assert whole["context"]["customer"]["accounts"][0]["number"] == full
    # What is stored is untouched: masking is for display only.
    session.expire_all()
    assert session.get(type(esc), esc.id).context["customer"]["accounts"][0]["number"] == full

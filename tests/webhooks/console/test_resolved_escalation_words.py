"""A resolved escalation's page says who resolved it (not who "holds" it), labels the notes and
no longer shows a queue rank (it is out of the queue; the rank would keep growing with the wait)."""

from __future__ import annotations

import re

import pytest

from devtools.conversations import SmsThread
from tests.webhooks.console.conftest import add_customer, login
from tests.webhooks.console.test_agent_fixes import ASK_AGENT, claim, escalation_of

WORDS = {
    "es": ("Lo atiende", "Lo resolvió", "Notas: Le devolví el cobro"),
    "en": ("Held by", "Resolved by", "Notes: Le devolví el cobro"),
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_resolved_escalation_names_who_resolved_it(client, session, twilio, users, language):
    number = {"es": "+573001110501", "en": "+13055550501"}[language]
    add_customer(session, number, "Camila Rojas", language=language)
    SmsThread(twilio, number).send(ASK_AGENT[language])
    esc = escalation_of(session, number)
    token = login(client, "ana@example.com")
    claim(client, token, esc.id)
    held, resolved, notes = WORDS[language]

    def headline() -> str:
        page = client.get(f"/console/escalations/{esc.id}?lang={language}").text
        found = re.search(r'<span id="held-by">([^<]*)<strong>', page)
        assert found, page
        return found[1]

    assert headline() == f"{held}: "
    assert 'id="rank-badge"' in client.get(f"/console/escalations/{esc.id}").text
    client.post(
        f"/console/escalations/{esc.id}/resolve",
        data={"csrf_token": token, "resolution": "solved", "notes": "Le devolví el cobro"},
    )
    assert headline() == f"{resolved}: "
    page = client.get(f"/console/escalations/{esc.id}?lang={language}").text
    assert f'<p class="notes" id="resolution-notes">{notes}</p>' in page
    assert 'id="rank-badge"' not in page

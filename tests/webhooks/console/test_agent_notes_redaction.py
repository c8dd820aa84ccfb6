"""An agent's notes and call-back notes never store a card number or security code the agent
typed (read aloud by a customer on the phone), like everything the customer sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from contactpro.models import AuditLog, Callback
from devtools.conversations import SmsThread
from tests.webhooks.console.conftest import add_customer, login
from tests.webhooks.console.test_agent_fixes import ASK_AGENT, claim, escalation_of

CARD = "4111 1111 1111 1111"
NOTES = {
    "es": f"Pagó con la tarjeta {CARD}, cvv 123; pide recibo",
    "en": f"Paid with card {CARD}, cvv 123; wants a receipt",
}
SHOWN = {"es": "[tarjeta ****1111]", "en": "[card ****1111]"}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_card_in_the_agents_notes_is_redacted_before_it_is_stored(
    client, session, twilio, users, language
):
    number = {"es": "+573001110401", "en": "+13055550401"}[language]
    add_customer(session, number, "Camila Rojas", language=language)
    SmsThread(twilio, number).send(ASK_AGENT[language])
    esc = escalation_of(session, number)
    token = login(client, "ana@example.com")
    claim(client, token, esc.id)
    when = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        f"/console/escalations/{esc.id}/callback",
        data={"csrf_token": token, "when": when, "tz_offset": "0", "note": NOTES[language]},
    )
    client.post(
        f"/console/escalations/{esc.id}/resolve",
        data={"csrf_token": token, "resolution": "solved", "notes": NOTES[language]},
    )
    session.expire_all()
    esc = escalation_of(session, number)
    callback = session.scalars(select(Callback)).one()
    audits = session.scalars(select(AuditLog)).all()
    for stored in (esc.notes, callback.note, *(str(a.after) for a in audits)):
        assert stored is not None and "4111" not in stored and "123" not in stored
    assert esc.status == "resolved" and SHOWN[language] in esc.notes
    assert SHOWN[language] in callback.note
    page = client.get(f"/console/escalations/{esc.id}?lang={language}").text
    assert SHOWN[language] in page and CARD not in page

"""The escalation packet an agent reads over the API words the bot's summary and the reason in
the console's language, as the escalation page does, never the stored English sentence."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contactpro.models import Escalation
from devtools.conversations import SmsThread
from tests.webhooks.console.conftest import add_customer, login


@pytest.mark.parametrize(
    ("lang", "must", "must_not"),
    [
        (
            "es",
            ["nos contactó por SMS en español", "pidió un asesor"],
            ["contacted us", "They asked"],
        ),
        ("en", ["contacted us by SMS in Spanish"], ["nos contactó"]),
    ],
)
def test_the_packet_summary_follows_the_console_language(
    client, session, twilio, users, lang, must, must_not
):
    add_customer(session, "+573001110152", "Camila Rojas")
    thread = SmsThread(twilio, "+573001110152")
    thread.send("quiero hablar con un asesor")
    session.expire_all()
    esc = session.scalars(select(Escalation)).one()
    login(client, "ana@example.com")

    context = client.get(f"/console/api/escalations/{esc.id}?lang={lang}").get_json()["context"]
    page = client.get(f"/console/escalations/{esc.id}?lang={lang}").text
    for words in must:
        assert words in context["summary"] + " " + context["reason_text"]
    for words in must_not:
        assert words not in context["summary"]
    # The same sentence as the page's summary.
    assert context["summary"].split(".")[0] in page
    # The stored packet is untouched (analytics and history read it).
    session.expire_all()
    assert "contacted us" in session.get(Escalation, esc.id).context["summary"]

"""The bot's summary lists what the customer asked about, not their greetings and answers."""

from __future__ import annotations

import re

import pytest

from contactpro.console import wording
from contactpro.console.strings import translate
from devtools.conversations import SmsThread
from tests.webhooks.console.conftest import add_customer, login
from tests.webhooks.console.test_agent_fixes import ASK_AGENT, escalation_of

HELLO = {"es": "hola", "en": "hello"}
ASKED = {"es": "Preguntó por: pide una persona.", "en": "They asked about: asks for a person."}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_greeting_is_not_something_the_customer_asked_about(
    client, session, twilio, users, language
):
    number = {"es": "+573001110301", "en": "+13055550301"}[language]
    add_customer(session, number, "Camila Rojas", language=language)
    thread = SmsThread(twilio, number)
    thread.send(HELLO[language])
    thread.send(ASK_AGENT[language])
    esc = escalation_of(session, number)
    assert [t["intent"] for t in esc.context["transcript"]] == ["greeting", "agent_request"]
    login(client, "ana@example.com")
    page = client.get(f"/console/escalations/{esc.id}?lang={language}").text
    said = re.search(r'<p id="bot-summary">([^<]*)</p>', page)
    assert said and ASKED[language] in said[1]
    assert translate("intent_greeting", language) not in said[1]
    api = client.get(f"/console/api/escalations/{esc.id}").get_json()["context"]["summary"]
    assert translate("intent_greeting", "es") not in api


@pytest.mark.parametrize("language", ["es", "en"])
def test_answers_to_the_bot_are_left_out_of_what_was_asked(language):
    def say(key: str) -> str:
        return translate(key, language)

    turns = ["billing_inquiry", "identification", "affirm", "deny", "goodbye", "agent_request"]
    context = {
        "customer": {"name": "Linda Davis"},
        "verified": True,
        "channel": "sms",
        "language": "en",
        "reason": "agent_request",
        "transcript": [{"speaker": "caller", "intent": i} for i in turns],
    }
    text = wording.summary(context, say, language)
    asked = ", ".join([say("intent_billing_inquiry"), say("intent_agent_request")])
    assert f"{ASKED[language].split(':')[0]}: {asked}." in text

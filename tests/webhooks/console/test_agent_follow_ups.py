"""What an agent does after taking a phone escalation: texting the customer (whose answer comes
back to the escalation), promising a call-back (told on both clocks), the drafts they start
from in the bot's register, and the summary and manager pages they read."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from contactpro.models import Escalation, Interaction, Turn
from devtools.conversations import ACCOUNT_SID, BUSINESS, PhoneCall, SmsThread
from devtools.simulator import new_sid
from tests.webhooks.console.conftest import add_customer, login

ASK_AGENT = {"es": "quiero hablar con un asesor", "en": "I want to talk to an agent"}


def called_and_claimed(client, session, twilio, phone: str, language: str) -> tuple[int, str]:
    """Call, ask for a person, and have Ana take the escalation; return its id and a token."""
    call = PhoneCall(twilio, phone)
    call.start()
    _, verb = call.say(ASK_AGENT[language])
    assert verb == "Enqueue"
    session.expire_all()
    escalation = session.scalars(select(Escalation)).one()
    token = login(client, "ana@example.com")
    client.post(f"/console/escalations/{escalation.id}/claim", data={"csrf_token": token})
    return escalation.id, token


@pytest.mark.parametrize(
    ("language", "phone", "name", "texted", "answers"),
    [
        (
            "es",
            "+573001110201",
            "Camila Rojas",
            "Hola Camila, ¿a qué hora te puedo llamar?",
            ["a las 3 pm porfa", "mañana en la mañana", "si"],
        ),
        (
            "en",
            "+13055550201",
            "Grace Miller",
            "Hi Grace, when can I call you back?",
            ["after 3pm please", "tomorrow morning", "yes"],
        ),
    ],
)
def test_a_text_answering_the_agent_of_a_call_reaches_the_escalation(
    client, session, twilio, users, telephony, language, phone, name, texted, answers
):
    add_customer(session, phone, name, language=language)
    escalation_id, token = called_and_claimed(client, session, twilio, phone, language)
    client.post(
        f"/console/escalations/{escalation_id}/sms", data={"csrf_token": token, "body": texted}
    )
    assert telephony.sent[-1]["to"] == phone
    thread = SmsThread(twilio, phone)

    replies = [thread.send(answer) for answer in answers]

    # The agent is texting with them: the bot neither asks what they need nor answers.
    assert replies == ["", "", ""]
    session.expire_all()
    escalation = session.get(Escalation, escalation_id)
    assert session.scalars(select(Interaction)).all() == [escalation.interaction]
    turns = session.scalars(
        select(Turn).where(Turn.interaction_id == escalation.interaction_id).order_by(Turn.sequence)
    ).all()
    assert [(t.speaker, t.text, t.source) for t in turns][-4:] == [
        ("agent", texted, "sms"),
        *[("caller", answer, "sms") for answer in answers],
    ]
    assert [t.sequence for t in turns] == list(range(1, len(turns) + 1))
    page = client.get(f"/console/escalations/{escalation_id}?lang={language}").text
    assert all(answer in page for answer in answers) and 'id="new-message"' in page
    [entry] = client.get("/console/api/queue").get_json()["entries"]
    assert entry["new_message"] is True


def test_a_text_after_the_agent_lets_the_call_go_is_a_new_conversation(
    client, session, twilio, users, telephony
):
    add_customer(session, "+573001110202", "Camila Rojas")
    escalation_id, token = called_and_claimed(client, session, twilio, "+573001110202", "es")
    client.post(
        f"/console/escalations/{escalation_id}/sms", data={"csrf_token": token, "body": "Hola"}
    )
    client.post(f"/console/escalations/{escalation_id}/release", data={"csrf_token": token})

    reply = SmsThread(twilio, "+573001110202").send("cuál es mi saldo")

    assert reply
    session.expire_all()
    assert {i.channel for i in session.scalars(select(Interaction))} == {"voice", "sms"}


@pytest.fixture
def agents_line(app_config) -> str:
    """Set the number agents text customers from (before the app is made); return it."""
    app_config["twilio_phone_number"] = BUSINESS
    return BUSINESS


@pytest.mark.parametrize("to", [BUSINESS, "+15550001999"])
def test_only_a_text_to_the_line_the_agent_texted_from_answers_the_agent(
    agents_line, client, session, twilio, users, telephony, to
):
    add_customer(session, "+573001110203", "Camila Rojas")
    escalation_id, token = called_and_claimed(client, session, twilio, "+573001110203", "es")
    client.post(
        f"/console/escalations/{escalation_id}/sms", data={"csrf_token": token, "body": "Hola"}
    )
    params = {
        "MessageSid": new_sid("SM"),
        "AccountSid": ACCOUNT_SID,
        "From": "+573001110203",
        "To": to,
        "Body": "cuál es mi saldo",
        "NumMedia": "0",
    }
    reply = " ".join(el.text or "" for el in ET.fromstring(twilio.post("/twilio/sms", params).data))

    session.expire_all()
    channels = sorted(i.channel for i in session.scalars(select(Interaction)))
    if to == agents_line:  # the agent's line: the agent reads it, the bot stays quiet
        assert reply == "" and channels == ["voice"]
    else:  # another of the company's lines: a conversation of its own, answered
        assert "Por tu seguridad" in reply and channels == ["sms", "voice"]


@pytest.mark.parametrize(
    ("language", "phone", "told", "clock", "places"),
    [
        # Los Angeles: 16:00 UTC is 08:00 there, 11:00 on the company's (Bogotá) clock.
        (
            "en",
            "+12134982675",
            "March 1 at 8:00 AM your time",
            "08:00",
            {"en": "Los Angeles", "es": "Los Ángeles"},
        ),
        # Guadalajara: 10:00 there.
        (
            "es",
            "+5213390836545",
            "1 de marzo a las 10:00, hora de Ciudad de México",
            "10:00",
            {"en": "Mexico City", "es": "Ciudad de México"},
        ),
    ],
)
def test_a_call_back_is_told_and_listed_with_the_customers_clock(
    client, session, twilio, users, telephony, language, phone, told, clock, places
):
    add_customer(session, phone, "Daniela Caller", language=language)
    escalation_id, token = called_and_claimed(client, session, twilio, phone, language)

    client.post(
        f"/console/escalations/{escalation_id}/callback",
        data={"csrf_token": token, "when": "2099-03-01T11:00", "tz_offset": "300", "notify": "1"},
    )

    [sent] = [m for m in telephony.sent if m["to"] == phone]
    assert told in sent["body"]
    for lang, words in (("en", "customer's time: "), ("es", "hora del cliente: ")):
        page = html.unescape(client.get(f"/console/callbacks?lang={lang}").text)
        row = page[page.index('id="callbacks-upcoming"') :].split("</tr>")[1]
        assert "11:00" in row  # the company's clock, as every page shows times
        theirs = row[row.index(words) :]
        assert f"{clock} ({places[lang]})" in theirs


def test_spanish_drafts_speak_to_the_customer_as_the_bot_does(
    client, session, twilio, users, telephony
):
    add_customer(session, "+573001110203", "Camila Rojas")
    escalation_id, token = called_and_claimed(client, session, twilio, "+573001110203", "es")

    page = client.get(f"/console/escalations/{escalation_id}?lang=es").text
    client.post(
        f"/console/escalations/{escalation_id}/callback",
        data={"csrf_token": token, "when": "2099-03-01T11:00", "tz_offset": "300", "notify": "1"},
    )

    assert "Hola Camila, te escribe" in page and "le escribe" not in page
    [sent] = telephony.sent
    assert sent["body"].startswith("Te llamaremos el 1 de marzo a las 11:00, hora de Bogotá.")
    assert "tu paciencia" in sent["body"] and "su paciencia" not in sent["body"]


@pytest.mark.parametrize(
    ("language", "phone", "must", "must_not"),
    [
        ("es", "+573001110204", "Camila Rojas nos llamó en español", "nos contactó por llamada"),
        ("en", "+13055550204", "Grace Miller called us in English", "contacted us by call"),
    ],
)
def test_a_phone_escalation_summary_says_the_customer_called(
    client, session, twilio, users, language, phone, must, must_not
):
    add_customer(
        session, phone, "Camila Rojas" if language == "es" else "Grace Miller", language=language
    )
    escalation_id, _ = called_and_claimed(client, session, twilio, phone, language)

    page = client.get(f"/console/escalations/{escalation_id}?lang={language}").text
    context = client.get(f"/console/api/escalations/{escalation_id}?lang={language}").get_json()

    assert must in page and must in context["context"]["summary"]
    assert must_not not in page
    stored = session.get(Escalation, escalation_id).context["summary"]
    assert "called us" in stored and "contacted us by voice" not in stored


@pytest.mark.parametrize(("lang", "cost"), [("es", "100,00 dólares"), ("en", "100.00 USD")])
def test_the_customers_page_writes_the_cost_of_recovery_as_money(client, users, lang, cost):
    login(client, "max@example.com")

    page = client.get(f"/console/manager/customers?lang={lang}").text

    rule = page[page.index('id="retention-rule"') :].split("</p>")[0]
    assert f"({cost})" in rule and "(100,00)" not in rule and "(100.00)" not in rule

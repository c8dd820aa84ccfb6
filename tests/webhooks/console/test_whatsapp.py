"""WhatsApp in the console: the channel filter, the customer's files, agents writing back."""

from __future__ import annotations

from sqlalchemy import select

from contactpro.models import Escalation
from tests.contactpro.messaging.conftest import BUSINESS, whatsapp_params
from tests.webhooks.console.conftest import add_customer, login
from tests.webhooks.test_sms import sms_params

PHOTO = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM9/Media/ME9"


def test_agent_sees_the_photo_and_answers_on_whatsapp(client, session, twilio, users, telephony):
    add_customer(session, "+573001140001", "Wilson Whats")
    twilio.post(
        "/twilio/sms",
        whatsapp_params("+573001140001", "mi recibo de pago", media=[(PHOTO, "image/jpeg")]),
    )
    esc = session.scalars(select(Escalation)).one()
    token = login(client, "ana@example.com")
    page = client.get(f"/console/escalations/{esc.id}").text
    assert "WhatsApp" in page and "Archivos del cliente" in page
    # The agent's browser gets the photo from the console, which holds Twilio's credentials.
    assert PHOTO not in page and "imagen" in page and 'src="/console/files/' in page
    queue = client.get("/console/api/queue").json["entries"]
    assert [e["channel"] for e in queue] == ["whatsapp"]
    client.post(f"/console/escalations/{esc.id}/claim", data={"csrf_token": token})
    client.post(
        f"/console/escalations/{esc.id}/sms",
        data={"csrf_token": token, "body": "Hola Wilson, ya vimos tu recibo."},
    )
    [sent] = telephony.sent
    assert (sent["to"], sent["from"]) == ("whatsapp:+573001140001", f"whatsapp:{BUSINESS}")
    assert sent["body"] == "Hola Wilson, ya vimos tu recibo."


def test_managers_filter_conversations_by_channel(client, session, twilio, users):
    add_customer(session, "+573001140002", "Sara SMS")
    add_customer(session, "+573001140003", "Walter WhatsApp")
    twilio.post("/twilio/sms", sms_params("+573001140002", "cuánto debo"))
    twilio.post("/twilio/sms", whatsapp_params("+573001140003", "cuánto debo"))
    login(client, "max@example.com")
    page = client.get("/console/manager/conversations?channel=whatsapp").text
    assert "Walter WhatsApp" in page and "Sara SMS" not in page
    page = client.get("/console/manager/conversations?channel=sms").text
    assert "Sara SMS" in page and "Walter WhatsApp" not in page

"""WhatsApp's 24-hour window: free text inside it, an approved template or nothing outside."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from contactpro.dialog import survey, timeline
from contactpro.models import Interaction, OutboundMessage, SurveyResponse, Turn, utcnow
from contactpro.providers.telephony import telephony_for
from tests.contactpro.messaging.conftest import BUSINESS, replies, whatsapp_params

CUSTOMER = "+573019990608"
TEMPLATE = "HX" + "c" * 32


def quiet_whatsapp_conversation(twilio, session: Session, hours: float) -> Interaction:
    """A WhatsApp conversation whose customer last wrote ``hours`` ago."""
    replies(twilio.post("/twilio/sms", whatsapp_params(CUSTOMER, "saldo")))
    then = utcnow() - timedelta(hours=hours)
    session.execute(update(Turn).values(created_at=then))
    session.execute(update(Interaction).values(last_activity_at=then, started_at=then))
    session.commit()
    return session.scalars(select(Interaction)).one()


def warn(app: Flask, session: Session) -> list[bool]:
    settings = app.extensions["contactpro"].settings
    now = utcnow()
    due = timeline.conversations_to_warn(session, settings, now)
    sent = [
        timeline.warn_quiet_conversation(session, settings, telephony_for(settings), i, now)
        for i in due
    ]
    session.commit()
    return sent


def messages(twilio_api) -> list[dict[str, str]]:
    api, _ = twilio_api
    return [r["form"] for r in api.requests if str(r["path"]).endswith("/Messages.json")]


@pytest.mark.messaging_config(twilio_api=True)
def test_inactivity_warning_inside_the_window_is_free_text(
    app, twilio, session, customer_factory, twilio_api
):
    customer_factory(phone=CUSTOMER)  # standard: closes after 12 h, warned an hour before
    quiet_whatsapp_conversation(twilio, session, hours=11.5)
    assert warn(app, session) == [True]
    [message] = messages(twilio_api)
    assert (message["To"], message["From"]) == (f"whatsapp:{CUSTOMER}", f"whatsapp:{BUSINESS}")
    assert "ContentSid" not in message and message["Body"]
    row = session.scalars(select(OutboundMessage)).one()
    assert (row.purpose, row.status, row.reason) == ("inactivity_warning", "sent", None)


@pytest.mark.messaging_config(twilio_api=True)
def test_outside_the_window_without_a_template_nothing_is_sent_and_the_reason_kept(
    app, twilio, session, customer_factory, twilio_api
):
    customer_factory(phone=CUSTOMER, segment="vip")  # closes after 48 h
    interaction = quiet_whatsapp_conversation(twilio, session, hours=47.5)
    assert warn(app, session) == [False]
    assert messages(twilio_api) == []
    row = session.scalars(select(OutboundMessage)).one()
    assert (row.status, row.reason, row.interaction_id) == (
        "skipped",
        "outside_whatsapp_window",
        interaction.id,
    )
    session.refresh(interaction)
    assert interaction.state["warned"] is True  # decided once, not retried every sweep
    assert warn(app, session) == []


@pytest.mark.messaging_config(
    twilio_api=True, whatsapp_content_sids=(f"inactivity_warning:{TEMPLATE}",)
)
def test_outside_the_window_the_approved_template_is_sent(
    app, twilio, session, customer_factory, twilio_api
):
    customer_factory(phone=CUSTOMER, segment="vip")
    quiet_whatsapp_conversation(twilio, session, hours=47.5)
    assert warn(app, session) == [True]
    [message] = messages(twilio_api)
    assert message["ContentSid"] == TEMPLATE and "Body" not in message
    assert json.loads(message["ContentVariables"]) in ({"1": "30"}, {"1": "29"})  # minutes left
    row = session.scalars(select(OutboundMessage)).one()
    assert (row.status, row.content_sid, row.reason) == (
        "sent",
        TEMPLATE,
        "outside_whatsapp_window",
    )


@pytest.mark.messaging_config(twilio_api=True)
def test_survey_after_the_window_is_not_sent_without_a_template(
    app, twilio, session, customer_factory, twilio_api
):
    customer_factory(phone=CUSTOMER)
    interaction = quiet_whatsapp_conversation(twilio, session, hours=30)
    interaction.outcome = "auto_resolved"
    session.commit()
    settings = app.extensions["contactpro"].settings
    assert survey.send_survey(session, settings, telephony_for(settings), interaction.id) is None
    session.commit()
    assert messages(twilio_api) == []
    assert session.scalars(select(SurveyResponse)).all() == []
    row = session.scalars(select(OutboundMessage)).one()
    assert (row.purpose, row.status, row.reason) == (
        "survey",
        "skipped",
        "outside_whatsapp_window",
    )


@pytest.mark.messaging_config(twilio_api=True)
def test_survey_inside_the_window_goes_out_on_whatsapp(
    app, twilio, session, customer_factory, twilio_api
):
    customer_factory(phone=CUSTOMER)
    interaction = quiet_whatsapp_conversation(twilio, session, hours=2)
    interaction.outcome = "auto_resolved"
    session.commit()
    settings = app.extensions["contactpro"].settings
    sent = survey.send_survey(session, settings, telephony_for(settings), interaction.id)
    session.commit()
    assert sent is not None and sent.phone == CUSTOMER
    [message] = messages(twilio_api)
    assert message["To"] == f"whatsapp:{CUSTOMER}" and "del 1 (mala) al 5" in message["Body"]

"""WhatsApp conversations counted on their own channel by the analysis."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from contactpro.analytics import patterns
from contactpro.conversations.interactions import close_interaction
from contactpro.models import Interaction, utcnow
from tests.contactpro.messaging.conftest import replies, whatsapp_params


def test_channels_are_told_apart_in_the_analysis(app, twilio, customer_factory):
    customer_factory(phone="+573019990608")
    replies(twilio.post("/twilio/sms", whatsapp_params("+573019990608", "quiero un asesor")))
    replies(twilio.post("/twilio/sms", whatsapp_params("+573019990608", "gracias")))
    replies(twilio.post("/twilio/sms", whatsapp_params("+573001119999", "saldo", channel="sms")))
    runtime = app.extensions["contactpro"]
    with runtime.db.session() as session:  # the analysis counts closed conversations
        for interaction_id in session.scalars(select(Interaction.id)).all():
            close_interaction(session, interaction_id, "inactive")
    now = utcnow()
    period = patterns.Period(now - timedelta(days=1), now + timedelta(minutes=1))
    with runtime.db.engine.begin() as conn:
        _, tables = patterns.analyse_patterns(conn, runtime.settings, period)
    channels = tables["by_channel"].set_index("channel")
    assert sorted(channels.index) == ["sms", "whatsapp"]
    assert channels.loc["whatsapp", "contacts"] == 1
    assert channels.loc["whatsapp", "escalated"] == 1
    assert channels.loc["sms", "contacts"] == 1

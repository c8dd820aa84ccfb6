"""WhatsApp messages kept in the journal while the database was down, replayed later."""

from __future__ import annotations

from sqlalchemy import select

from contactpro.models import Interaction, MessageMedia
from contactpro.providers.telephony import FakeTelephony
from contactpro.resilience import journal
from tests.contactpro.messaging.conftest import BUSINESS, whatsapp_params

CUSTOMER = "+573019990608"


def replay(app, *params: dict[str, str]) -> tuple[journal.ReplayResult, FakeTelephony]:
    runtime = app.extensions["contactpro"]
    kept = journal.Journal.for_settings(runtime.settings)
    for form in params:
        kept.append(journal.SMS, form)
    telephony = FakeTelephony()
    return journal.replay(kept, runtime.db, runtime.settings, telephony), telephony


def test_replayed_whatsapp_text_is_answered_late_on_whatsapp(app, session, customer_factory):
    customer_factory(phone=CUSTOMER)
    result, telephony = replay(app, whatsapp_params(CUSTOMER, "cuánto debo"))
    assert result.replayed == 1
    [late] = telephony.sent
    assert (late["to"], late["from"]) == (f"whatsapp:{CUSTOMER}", f"whatsapp:{BUSINESS}")
    assert "últimos cuatro dígitos" in late["body"]
    assert session.scalars(select(Interaction.channel)).one() == "whatsapp"


def test_replayed_voice_note_is_queued_for_its_worker(app, session, customer_factory):
    customer_factory(phone=CUSTOMER)
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    result, telephony = replay(app, whatsapp_params(CUSTOMER, media=[(url, "audio/ogg")]))
    note = session.scalars(select(MessageMedia)).one()
    assert (note.status, result.voice_notes) == ("queued", [note.id])
    [late] = telephony.sent
    assert late["body"].startswith("Escuchando tu nota de voz")

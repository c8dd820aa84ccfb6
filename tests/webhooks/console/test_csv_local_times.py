"""Console downloads give times alike: the company's local time with its offset, in every CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from tests.contactpro.console.test_agent_queue import sms_escalation
from tests.webhooks.console.conftest import login

ASK = {"es": "quiero hablar con un asesor", "en": "I want to talk to an agnet"}
PHONES = {"es": "+573001112233", "en": "+13055550123"}


def _rows(client, url: str) -> list[dict[str, str]]:
    answer = client.get(url)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(answer.text)))


@pytest.mark.parametrize("language", ["es", "en"])
def test_queue_and_conversations_csv_give_the_same_local_time(
    client, session, twilio, users, language
):
    escalation = sms_escalation(twilio, session, PHONES[language], "Ana Hora", words=ASK[language])
    login(client, "max@example.com")
    (queued,) = _rows(client, "/console/queue.csv")
    (talked,) = _rows(client, "/console/manager/conversations.csv?customer=Ana")
    assert int(queued["escalation_id"]) == escalation.id
    # Bogotá time (UTC-5), said with its offset, in both files; never UTC nor a bare time.
    created = datetime.fromisoformat(queued["created_at"])
    started = datetime.fromisoformat(talked["started"])
    assert queued["created_at"].endswith("-05:00") and talked["started"].endswith("-05:00")
    assert abs((created - started).total_seconds()) < 60
    assert created.hour == started.hour

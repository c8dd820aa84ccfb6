"""Alerts on the managers' dashboards page read as figures: whole seconds, shares as percentages.

A texter asks for a person and nobody takes the case; ten minutes later the alert check finds
the wait past its threshold. The page says "10 min (umbral 5 min)", not "600,00s (umbral
300,00s)", and a technical-error share of 0.075 reads "7,5 %", not "0,07".
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from contactpro.models import Alert, Escalation
from contactpro.observability import alerts
from devtools.conversations import SmsThread
from tests.webhooks.console.conftest import login

ASK = {"es": "quiero hablar con un asesor", "en": "I want to talk to an agent"}
SHOWN = {
    "es": ("10 min", "umbral 5 min", "7,5 %", "umbral 5,0 %"),
    "en": ("10 min", "threshold 5 min", "7.5 %", "threshold 5.0 %"),
}
NOT_SHOWN = ("600,00", "600.00", "300,00", "300.00", "0,07", "0.07", "0,05", "0.05", "00s")


@pytest.mark.parametrize("language", ["es", "en"])
def test_alert_figures_read_as_the_page_writes_them(
    app, client, session, users, twilio, customer_factory, language
):
    settings = app.extensions["contactpro"].settings
    customer_factory(language=language)
    SmsThread(twilio, "+573001112233").send(ASK[language])
    escalation = session.scalars(select(Escalation)).one()
    assert escalation.status == "open"
    later = escalation.created_at + timedelta(minutes=10)
    assert "queue_wait_seconds" in [a.key for a in alerts.check(session, settings, later)]
    session.add(Alert(key="error_rate", value=0.075, threshold=0.05))
    session.commit()

    login(client, "max@example.com")
    page = client.get(f"/console/manager/?lang={language}")
    assert page.status_code == 200
    section = page.text[page.text.index('id="alerts"') : page.text.index("</section>")]
    text = " ".join(section.split())
    for words in SHOWN[language]:
        assert words in text, (words, text)
    shown = " ".join(re.sub(r"<[^>]*>", " ", section).split())  # what the reader sees
    for wrong in NOT_SHOWN:  # (a timestamp attribute may hold "0.07" in its microseconds)
        assert wrong not in shown, (wrong, shown)

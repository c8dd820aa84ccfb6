"""A rejected signature tells the operator which URL was checked and which settings to fix.

Behind a proxy or a tunnel a wrong ``CONTACTPRO_PUBLIC_URL`` rejects every real request; the
log line alone must say so, without the request's own data.
"""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from devtools.conversations import SignedClient
from devtools.simulator import new_sid
from tests.conftest import AUTH_TOKEN, PUBLIC_URL


@pytest.mark.parametrize(
    ("signed_for", "token"),
    [("http://127.0.0.1:5000", AUTH_TOKEN), (PUBLIC_URL, "another-accounts-token")],
)
def test_a_mismatch_names_the_url_checked_and_the_settings(
    app: Flask, caplog: pytest.LogCaptureFixture, signed_for: str, token: str
) -> None:
    twilio = SignedClient(app.test_client(), token, signed_for)
    body = {"MessageSid": new_sid("SM"), "From": "+573001112233", "To": "+1555", "Body": "hola"}
    with caplog.at_level(logging.WARNING, logger="webhooks.security"):
        answer = twilio.post("/twilio/sms?lang=es", body)
    assert answer.status_code == 403
    (record,) = [r for r in caplog.records if r.name == "webhooks.security"]
    line = record.getMessage()
    assert f"signature mismatch for {PUBLIC_URL}/twilio/sms?lang=es" in line
    assert "CONTACTPRO_PUBLIC_URL" in line and "TWILIO_AUTH_TOKEN" in line
    assert "+573001112233" not in line and "hola" not in line
    assert record.reason == "signature_mismatch"  # type: ignore[attr-defined]

"""Who gets in where: signatures on Twilio routes, login on console routes, limits, headers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from flask import Flask

from devtools.simulator import new_sid
from tests.conftest import TwilioClient
from tests.contactpro.resilience.conftest import migrated, sqlite_config
from webhooks import create_app


def _rules(app: Flask, prefix: str) -> list[tuple[str, str]]:
    """Return (method, concrete path) for every rule under ``prefix``."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix):
            continue
        path = re.sub(r"<int:[^>]+>", "1", rule.rule)
        path = re.sub(r"<[^>]+>", "x", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Flask:
    return migrated(create_app(sqlite_config(tmp_path)))


def test_every_twilio_route_refuses_a_missing_or_wrong_signature(sqlite_app: Flask) -> None:
    routes = _rules(sqlite_app, "/twilio/")
    assert len(routes) >= 15
    twilio = TwilioClient(sqlite_app.test_client())
    params = {"CallSid": new_sid("CA"), "MessageSid": new_sid("SM"), "From": "+573001112233"}
    for method, path in routes:
        assert method == "POST"
        for signature in ("", "bm90IGEgc2lnbmF0dXJl"):
            response = twilio.post(path, params, signature=signature)
            assert response.status_code == 403, (path, signature)
            assert b"Twilio signature" in response.data
        # Signed for another URL (a proxy rewriting the path must not help a forger).
        forged = twilio.signature("/twilio/other", params)
        assert twilio.post(path, params, signature=forged).status_code == 403


def test_signature_checks_the_public_url_behind_a_proxy(sqlite_app: Flask) -> None:
    twilio = TwilioClient(sqlite_app.test_client())
    params = {"MessageSid": new_sid("SM"), "From": "+573001112233", "To": "+1555", "Body": "hola"}
    # The request reaches the app as http://127.0.0.1:8000 with proxy headers; Twilio signed
    # the configured https public URL, which is what is checked.
    response = twilio.post(
        "/twilio/sms", params, headers={"X-Forwarded-Proto": "http", "Host": "10.0.0.5"}
    )
    assert response.status_code == 200


def test_every_console_route_needs_a_login(sqlite_app: Flask) -> None:
    client = sqlite_app.test_client()
    routes = [r for r in _rules(sqlite_app, "/console/") if r[1] != "/console/login"]
    assert len(routes) >= 15
    for method, path in routes:
        response = client.open(path, method=method)
        if response.status_code in (301, 302, 303):
            assert "/console/login" in response.headers["Location"], path
        else:
            assert response.status_code in (400, 401, 403), (method, path, response.status_code)
        assert b"Camila" not in response.data


def test_security_headers_on_every_kind_of_answer(sqlite_app: Flask) -> None:
    client = sqlite_app.test_client()
    twilio = TwilioClient(client)
    params = {"MessageSid": new_sid("SM"), "From": "+573001112233", "To": "+1555", "Body": "hi"}
    for response in (
        client.get("/healthz"),
        client.get("/console/login"),
        client.get("/no-such-page"),
        twilio.post("/twilio/sms", params),
    ):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert (
        "frame-ancestors 'none'" in client.get("/console/login").headers["Content-Security-Policy"]
    )


def test_oversized_request_is_refused_with_a_reason(sqlite_app: Flask) -> None:
    twilio = TwilioClient(sqlite_app.test_client())
    params = {"MessageSid": new_sid("SM"), "From": "+573001112233", "To": "+1", "Body": "x" * 70000}
    response = twilio.post("/twilio/sms", params)
    assert response.status_code == 413
    assert b"exceeds the capacity limit" in response.data


def test_caller_rate_limit_answers_safely_and_counts_only_signed_requests(
    tmp_path: Path,
) -> None:
    app = migrated(create_app(sqlite_config(tmp_path, rate_limit_caller_per_minute=3)))
    twilio = TwilioClient(app.test_client())

    def sms(number: str) -> dict[str, str]:
        return {"MessageSid": new_sid("SM"), "From": number, "To": "+1555", "Body": "hola"}

    for _ in range(5):  # forged requests spend nothing
        assert twilio.post("/twilio/sms", sms("+573001112233"), signature="x").status_code == 403
    answers = [twilio.post("/twilio/sms", sms("+573001112233")) for _ in range(4)]
    assert [len(ET.fromstring(r.data).findall("Message")) for r in answers] == [1, 1, 1, 0]
    assert len(ET.fromstring(twilio.post("/twilio/sms", sms("+573009998877")).data)) == 1
    call = {"CallSid": new_sid("CA"), "From": "+573001112233", "To": "+1555"}
    root = ET.fromstring(twilio.post("/twilio/voice", call).data)
    assert [el.tag for el in root] == ["Say", "Hangup"]


def test_client_address_rate_limit_gives_429_with_retry_after(tmp_path: Path) -> None:
    app = migrated(create_app(sqlite_config(tmp_path, rate_limit_ip_per_minute=2)))
    client = app.test_client()
    codes = [client.get("/openapi.json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = client.get("/openapi.json", headers={"Accept": "application/json"})
    assert limited.status_code == 429 and limited.json == {"error": "too many requests"}
    assert limited.headers["Retry-After"] == "60"
    assert client.get("/healthz").status_code == 200  # probes are never limited
    other = client.get("/openapi.json", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200

"""Bad input: the OpenAPI-described routes fuzzed (schemathesis) and hand-made nasty requests.

Every answer must be a 4xx with a reason or well-formed TwiML; never a 500; nothing valid lost.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from contactpro.models import Turn
from devtools.simulator import new_sid
from tests.conftest import AUTH_TOKEN, PUBLIC_URL, TwilioClient
from tests.contactpro.resilience.conftest import migrated, sqlite_config
from webhooks import create_app
from webhooks.journal import replay_now
from webhooks.ops import openapi_document

NASTY = [
    "'; DROP TABLE turns; --",
    '" OR 1=1 --',
    "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
    "</Message><Redirect>https://evil.example</Redirect><Message>",
    "<script>alert(1)</script>",
    "]]><![CDATA[",
    "😀🔥 ñandú ÅÄÖ 中文 \u202e",
    "\x00\x01\x1b[31m",
    "%FF%FE%00",
    "-1",
    "9" * 400,
]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = migrated(create_app(sqlite_config(tmp_path_factory.mktemp("fuzz"))))
    yield app
    app.extensions["contactpro"].db.dispose()


schema = schemathesis.openapi.from_dict(openapi_document())


def _signed_headers(path: str, query: dict | None, body: object) -> dict[str, str]:
    params = MultiDict()
    if isinstance(body, dict):
        for key, value in body.items():
            for item in value if isinstance(value, list) else [value]:
                params.add(str(key), "" if item is None else str(item))
    url = PUBLIC_URL + path
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query, doseq=True)
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    return {"X-Twilio-Signature": signature}


def _assert_safe(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, response.text[:300]
    if response.status_code == 200 and "xml" in response.headers.get("Content-Type", ""):
        assert ET.fromstring(response.content).tag == "Response"
    if 400 <= response.status_code < 500:
        assert response.text.strip(), "a 4xx carries its reason"


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_described_routes_never_fail(fuzz_app: Flask, case: schemathesis.Case) -> None:
    headers = {}
    if case.path.startswith("/twilio/") and case.media_type == "application/x-www-form-urlencoded":
        headers = _signed_headers(case.formatted_path, case.query, case.body)
    response = case.call(headers=headers, app=fuzz_app)
    _assert_safe(response)


def test_document_covers_every_twilio_route(fuzz_app: Flask) -> None:
    described = set(openapi_document()["paths"])
    routes = {r.rule for r in fuzz_app.url_map.iter_rules() if r.rule.startswith("/twilio/")}
    assert routes <= described
    assert {"/healthz", "/readyz", "/metrics", "/openapi.json"} <= described


@given(
    body=st.sampled_from(NASTY) | st.text(max_size=300),
    field=st.sampled_from(["Body", "From", "To", "MessageSid", "NumMedia"]),
)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_nasty_sms_values_get_safe_answers(fuzz_app: Flask, body: str, field: str) -> None:
    twilio = TwilioClient(fuzz_app.test_client())
    params = {"MessageSid": new_sid("SM"), "From": "+573001112233", "To": "+15550001", "Body": "hi"}
    params[field] = body
    response = twilio.post("/twilio/sms", params)
    assert response.status_code in (200, 400), response.data
    if response.status_code == 200:
        root = ET.fromstring(response.data)  # parses: nothing the sender wrote became markup
        assert {el.tag for el in root} <= {"Message"}
    else:
        # the refusal names the field it could not take
        named = (field, "MessageSid", "From", "To")
        assert any(name.encode() in response.data for name in named), response.data


@given(
    text=st.sampled_from(NASTY),
    path=st.sampled_from(
        [
            "/twilio/voice",
            "/twilio/voice/gather?step=1",
            "/twilio/voice/gather?step=-5",
            "/twilio/voice/status",
            "/twilio/voice/queue-result",
            "/twilio/voice/recording?kind=x",
            "/twilio/voice/hold?job=abc",
        ]
    ),
)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_nasty_voice_values_get_twiml_or_a_reason(fuzz_app: Flask, text: str, path: str) -> None:
    twilio = TwilioClient(fuzz_app.test_client())
    params = {
        "CallSid": new_sid("CA"),
        "From": text,
        "To": "+1555",
        "SpeechResult": text,
        "Digits": text[:5],
        "CallStatus": "completed",
        "CallDuration": "-30",
        "QueueResult": text,
        "QueueTime": "-1",
        "RecordingSid": text,
    }
    response = twilio.post(path, params)
    assert response.status_code in (200, 204, 400), response.data
    if response.status_code == 200:
        assert ET.fromstring(response.data).tag == "Response"
        assert b"evil.example</Redirect>" not in response.data


def test_duplicated_missing_and_wrongly_typed_requests(fuzz_app: Flask) -> None:
    client = fuzz_app.test_client()
    twilio = TwilioClient(client)
    sid = new_sid("SM")
    body = f"MessageSid={sid}&MessageSid={new_sid('SM')}&From=%2B573001112233&To=%2B1&Body=hola"
    params = MultiDict(
        [
            ("MessageSid", sid),
            ("MessageSid", body.split("MessageSid=")[2][:34]),
            ("From", "+573001112233"),
            ("To", "+1"),
            ("Body", "hola"),
        ]
    )
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + "/twilio/sms", params)
    response = client.post(
        "/twilio/sms",
        data=body,
        headers={"X-Twilio-Signature": signature},
        content_type="application/x-www-form-urlencoded",
        base_url="http://127.0.0.1:8000",
    )
    assert response.status_code == 200  # the first value is the message; it is stored once
    session = fuzz_app.extensions["contactpro"].db.sessionmaker()
    assert session.scalars(select(Turn).where(Turn.twilio_key == sid)).one()
    session.close()
    missing = twilio.post("/twilio/sms", {"From": "+573001112233"})
    assert missing.status_code == 400 and b"missing parameter MessageSid" in missing.data
    as_json = client.post(
        "/twilio/sms", json={"MessageSid": sid}, headers={"X-Twilio-Signature": "x"}
    )
    assert as_json.status_code == 403
    invalid_utf8 = b"MessageSid=" + new_sid("SM").encode() + b"&From=%2B57300&To=%2B1&Body=%FF%FE"
    params = {
        "MessageSid": invalid_utf8.split(b"=")[1].split(b"&")[0].decode(),
        "From": "+57300",
        "To": "+1",
        "Body": "\ufffd\ufffd",
    }
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + "/twilio/sms", params)
    response = client.post(
        "/twilio/sms",
        data=invalid_utf8,
        headers={"X-Twilio-Signature": signature},
        content_type="application/x-www-form-urlencoded",
        base_url="http://127.0.0.1:8000",
    )
    assert response.status_code == 200 and ET.fromstring(response.data).find("Message") is not None


def test_health_and_metrics_report_state(fuzz_app: Flask) -> None:
    client = fuzz_app.test_client()
    TwilioClient(client).post(
        "/twilio/sms", {"MessageSid": new_sid("SM"), "From": "+5730011", "To": "+1", "Body": "hola"}
    )
    replay_now(fuzz_app)  # what the fuzzed fallback requests journaled
    # A replay a fuzzed request started in the background may still hold some entries.
    deadline = time.monotonic() + 30
    while (health := client.get("/healthz").json)["journal_pending"]:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert health["database"] == "ok" and health["broker"] == "embedded"
    assert health["journal_pending"] == 0 and health["outbox_pending"] == 0
    assert client.get("/readyz").status_code == 200
    text = client.get("/metrics").get_data(as_text=True)
    assert 'contactpro_http_requests_total{method="POST",route="/twilio/sms",status="200"}' in text
    assert 'contactpro_http_request_duration_seconds_bucket{le="0.25",route="/twilio/sms"}' in text
    assert "contactpro_nlu_turns{tier=" in text and "contactpro_task_queue_depth" in text
    assert "contactpro_journal_pending 0.0" in text


def test_readyz_is_503_and_healthz_degraded_with_the_database_down(tmp_path: Path) -> None:
    from tests.contactpro.resilience.conftest import DEAD_POSTGRES

    app = create_app(sqlite_config(tmp_path, database_url=DEAD_POSTGRES))
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["database"] == "OperationalError"
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json["status"] == "degraded"

"""The answer to an SMS kept in the journal while the database was down, sent after the replay.

It goes out as an outbound message (recorded, with a delivery report) and, when Twilio cannot
take it yet, a task tries again until it is sent, once.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.messaging import late_answers
from contactpro.models import OutboundMessage, Turn
from contactpro.resilience import journal
from tasks.messaging import send_late_answer
from tests.conftest import FakeTwilioApi, TwilioClient
from tests.contactpro.messaging.conftest import replies, whatsapp_params
from tests.contactpro.resilience.conftest import DEAD_POSTGRES
from webhooks import create_app
from webhooks.journal import replay_now

PHONES = {"es": "+573019990611", "en": "+13055550177"}
ASKED = {"es": "cuánto debo", "en": "how much do I owe"}
WORDS = {"es": "últimos cuatro dígitos", "en": "last four digits"}


@pytest.fixture
def twilio_down_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make the local Twilio REST server answer 503 while the list holds a 1."""
    down = [1]
    answer = FakeTwilioApi.__call__

    def maybe_unavailable(self, environ, start_response):  # noqa: ANN001, ANN202
        if down:
            self.requests.append({"path": environ["PATH_INFO"], "form": {}, "auth": None})
            body = b'{"code": 20500, "message": "Service unavailable", "status": 503}'
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            start_response("503 Service Unavailable", headers)
            return [body]
        return answer(self, environ, start_response)

    monkeypatch.setattr(FakeTwilioApi, "__call__", maybe_unavailable)
    return down


@pytest.mark.messaging_config(twilio_api=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_late_answer_twilio_refused_is_recorded_retried_and_sent_once(
    app,
    app_config,
    backend,
    session: Session,
    customer_factory,
    twilio_api,
    twilio_down_once,
    monkeypatch: pytest.MonkeyPatch,
    language,
):
    if backend is not None:
        pytest.skip("the outage is simulated with an unreachable PostgreSQL on SQLite runs")
    monkeypatch.setattr("webhooks.journal.replay_soon", lambda app: None)
    customer_factory(phone=PHONES[language], language=language)
    down = TwilioClient(create_app(dict(app_config, database_url=DEAD_POSTGRES)).test_client())
    sms = whatsapp_params(PHONES[language], ASKED[language], channel="sms")
    assert replies(down.post("/twilio/sms", sms)) == [journal.SMS_ACKNOWLEDGEMENT[language]]
    app = create_app(app_config)  # the database is back (tasks run in the app created last)
    queued: list[tuple[int, ...]] = []
    monkeypatch.setattr(send_late_answer, "apply_async", lambda args: queued.append(tuple(args)))

    result = replay_now(app)  # Twilio answers 503 to the real answer
    turn = session.scalars(select(Turn).where(Turn.twilio_key == sms["MessageSid"])).one()
    assert (result.replayed, result.late_answers, queued) == (1, [turn.id], [(turn.id,)])
    [failed] = session.scalars(select(OutboundMessage)).all()
    assert (failed.purpose, failed.status, failed.reason) == (
        late_answers.PURPOSE,
        "failed",
        "telephony_unavailable",
    )
    assert turn.delivery_status == "failed"

    twilio_down_once.clear()  # Twilio is back: the task sends it, once
    api, _ = twilio_api
    with app.app_context():
        assert send_late_answer.run(turn.id) is None
        assert send_late_answer.run(turn.id) is None
    sent = [r["form"] for r in api.requests if r["form"]]
    assert len(sent) == 1
    [message] = sent
    assert message["To"] == PHONES[language]
    assert WORDS[language] in message["Body"] and message["Body"] == turn.reply
    assert WORDS["en" if language == "es" else "es"] not in message["Body"]
    assert message["StatusCallback"].endswith(f"/twilio/sms/status?turn={turn.id}")
    session.expire_all()
    rows = session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
    assert [(r.status, r.purpose) for r in rows] == [
        ("failed", late_answers.PURPOSE),
        ("sent", late_answers.PURPOSE),
    ]
    assert turn.delivery_status == "queued"

    status = {"MessageSid": rows[1].message_sid or "", "MessageStatus": "delivered"}
    twilio = TwilioClient(app.test_client())
    assert twilio.post(f"/twilio/sms/status?turn={turn.id}", status).status_code == 204
    session.expire_all()
    assert session.get(Turn, turn.id).delivery_status == "delivered"  # type: ignore[union-attr]

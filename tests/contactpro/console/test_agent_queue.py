"""The agents' queue: ranking, claim races, release, resolve, SMS, call-backs, taking a call."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from contactpro.console import agent_queue
from contactpro.console.agent_queue import QueueError
from contactpro.console.settings import update_config
from contactpro.models import AuditLog, Callback, Escalation, Turn, utcnow
from devtools.simulator import new_sid
from tests.webhooks.console.conftest import add_customer, add_score, csrf_of, login
from tests.webhooks.test_sms import sms_params


def sms_escalation(
    twilio,
    session,
    phone: str,
    name: str,
    *,
    segment: str = "standard",
    words: str = "quiero un asesor",
) -> Escalation:
    add_customer(session, phone, name, segment=segment)
    assert twilio.post("/twilio/sms", sms_params(phone, words)).status_code == 200
    session.expire_all()
    return session.scalars(
        select(Escalation).where(Escalation.context["from_number"].as_string() == phone)
    ).one()


def voice_escalation(twilio, session, phone: str) -> Escalation:
    """A caller asks for a person and waits in the Twilio queue."""
    add_customer(session, phone, "Lucía Caller")
    call = {
        "CallSid": new_sid("CA"),
        "AccountSid": "AC" + "1" * 32,
        "From": phone,
        "To": "+15550001000",
        "CallStatus": "in-progress",
        "Direction": "inbound",
    }
    assert twilio.post("/twilio/voice", call).status_code == 200
    answer = twilio.post(
        "/twilio/voice/gather?step=1",
        {**call, "SpeechResult": "quiero hablar con un asesor", "Confidence": "0.9"},
    )
    assert "<Enqueue" in answer.text
    session.expire_all()
    return session.scalars(select(Escalation)).one()


def test_queue_ranks_by_quadrant_conformity_and_wait(app, session, twilio):
    first = sms_escalation(twilio, session, "+573001110010", "Ana Let-go")
    second = sms_escalation(twilio, session, "+573001110011", "Beto Retain")
    third = sms_escalation(twilio, session, "+573001110012", "Caro Unscored")
    add_score(session, first.customer_id, "let_go", 20.0, "10", interactions=3)
    add_score(session, second.customer_id, "retain", 30.0, "900", interactions=3)
    # The unscored one has waited 40 minutes: that is worth the wait cap (15 points).
    session.get(Escalation, third.id).created_at = utcnow() - timedelta(minutes=40)
    session.commit()
    entries = agent_queue.queue_entries(session, app.extensions["contactpro"].settings)
    assert [e.id for e in entries] == [second.id, third.id, first.id]
    by_id = {e.id: e for e in entries}
    # 55 (agent request) + 15 (retain) + (50 - 30) * 0.3
    assert by_id[second.id].rank == pytest.approx(76.0, abs=0.2)
    assert by_id[third.id].rank == pytest.approx(70.0, abs=0.2)
    assert by_id[first.id].rank == pytest.approx(64.0, abs=0.2)
    assert by_id[second.id].quadrant == "retain" and by_id[third.id].quadrant is None


def test_queue_threshold_comes_from_the_configuration_page(app, session, twilio):
    esc = sms_escalation(twilio, session, "+573001110013", "Dora")
    add_score(session, esc.customer_id, "care", 40.0, "1", interactions=1)
    settings = app.extensions["contactpro"].settings
    before = agent_queue.queue_entries(session, settings)[0].rank
    update_config(session, settings, {"conformity_threshold": "80"}, None)
    session.commit()
    assert agent_queue.queue_entries(session, settings)[0].rank == pytest.approx(before + 9.0)


def test_claim_is_exclusive_and_release_returns_it(app, client, session, twilio, users):
    esc = sms_escalation(twilio, session, "+573001110014", "Eva")
    ana, max_ = users["agent"], users["manager"]
    agent_queue.claim(session, esc.id, ana)
    session.commit()
    assert agent_queue.claim(session, esc.id, ana).agent_id == ana.id  # idempotent for her
    other = create_agent(session)
    with pytest.raises(QueueError) as caught:
        agent_queue.claim(session, esc.id, other)
    assert caught.value.reason == "taken"
    with pytest.raises(QueueError):
        agent_queue.release(session, esc.id, other)
    agent_queue.release(session, esc.id, max_)  # managers may release anyone's
    session.commit()
    assert (esc.status, esc.agent_id) == ("open", None)
    actions = session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["escalation.claim", "escalation.release"]


def create_agent(session):
    from contactpro.console.users import create_user

    return create_user(session, email="otro@example.com", name="Otro", password="otra clave segura")


def test_claim_and_resolve_through_the_pages(client, session, twilio, users):
    esc = sms_escalation(twilio, session, "+573001110015", "Fabio")
    token = login(client, "ana@example.com")
    queue = client.get("/console/api/queue").json
    assert [e["id"] for e in queue["entries"]] == [esc.id]
    assert queue["entries"][0]["reason"] == esc.reason
    page = client.get(f"/console/escalations/{esc.id}").text
    assert "Fabio" in page and 'id="claim"' in page and 'id="resolve"' not in page
    assert (
        client.post(
            f"/console/escalations/{esc.id}/resolve",
            data={"csrf_token": token, "resolution": "solved"},
        ).status_code
        == 302
    )
    session.expire_all()
    assert session.get(Escalation, esc.id).status == "open"  # must claim first
    client.post(f"/console/escalations/{esc.id}/claim", data={"csrf_token": token})
    response = client.post(
        f"/console/escalations/{esc.id}/resolve",
        data={"csrf_token": token, "resolution": "offer_accepted", "notes": "  aceptó 10 %  "},
    )
    assert response.status_code == 302
    session.expire_all()
    stored = session.get(Escalation, esc.id)
    assert (stored.status, stored.resolution, stored.notes) == (
        "resolved",
        "offer_accepted",
        "aceptó 10 %",
    )
    assert stored.agent_id == users["agent"].id and stored.resolved_at is not None
    packet = client.get(f"/console/api/escalations/{esc.id}").json
    assert packet["resolution"] == "offer_accepted"
    assert packet["context"]["customer"]["name"] == "Fabio"
    assert client.get("/console/api/queue").json["entries"] == []
    assert client.get("/console/escalations/999").status_code == 404


def test_bad_outcome_is_refused_with_a_message(client, session, twilio, users):
    esc = sms_escalation(twilio, session, "+573001110016", "Gina")
    token = login(client, "ana@example.com")
    client.post(f"/console/escalations/{esc.id}/claim", data={"csrf_token": token})
    client.post(
        f"/console/escalations/{esc.id}/resolve", data={"csrf_token": token, "resolution": "magic"}
    )
    page = client.get(f"/console/escalations/{esc.id}").text
    assert "Elija un resultado de la lista." in page  # the reason, in the page's language
    session.expire_all()
    assert session.get(Escalation, esc.id).status == "claimed"


def test_sms_and_callback_reach_the_customer_and_the_transcript(
    client, session, twilio, users, telephony
):
    esc = sms_escalation(twilio, session, "+573001110017", "Hugo")
    token = login(client, "ana@example.com")
    client.post(f"/console/escalations/{esc.id}/claim", data={"csrf_token": token})
    client.post(
        f"/console/escalations/{esc.id}/sms",
        data={"csrf_token": token, "body": "Hola Hugo, ya quedó."},
    )
    # 10:00 local time in a browser at UTC-5 (getTimezoneOffset() = 300).
    client.post(
        f"/console/escalations/{esc.id}/callback",
        data={
            "csrf_token": token,
            "when": "2099-03-01T10:00",
            "tz_offset": "300",
            "notify": "1",
            "note": "después de las 10",
        },
    )
    assert [m["to"] for m in telephony.sent] == ["+573001110017", "+573001110017"]
    assert telephony.sent[1]["body"] == (
        "Te llamaremos el 1 de marzo a las 10:00, hora de Bogotá. Gracias por tu paciencia."
    )
    session.expire_all()
    callback = session.scalars(select(Callback)).one()
    assert callback.scheduled_for == datetime(2099, 3, 1, 15, 0, tzinfo=UTC)
    assert callback.note == "después de las 10" and callback.agent_id == users["agent"].id
    turns = session.scalars(select(Turn).where(Turn.speaker == "agent")).all()
    assert [t.text for t in turns][0] == "Hola Hugo, ya quedó."
    assert turns[0].twilio_key == telephony.sent[0]["sid"]
    past = client.post(
        f"/console/escalations/{esc.id}/callback",
        data={"csrf_token": token, "when": "2001-01-01T10:00", "tz_offset": "0"},
    )
    assert past.status_code == 302
    assert "Indique una fecha y hora futuras" in client.get(f"/console/escalations/{esc.id}").text


def test_an_agent_takes_a_waiting_voice_caller(client, session, twilio, users, telephony):
    esc = voice_escalation(twilio, session, "+573001110018")
    token = login(client, "ana@example.com")
    assert client.get("/console/api/queue").json["entries"][0]["caller_waiting"] is True
    client.post(f"/console/escalations/{esc.id}/claim", data={"csrf_token": token})
    assert 'id="take-call"' in client.get(f"/console/escalations/{esc.id}").text
    client.post(f"/console/escalations/{esc.id}/take-call", data={"csrf_token": token})
    assert telephony.bridged == [
        {"call_sid": esc.interaction.twilio_sid, "agent_phone": "+573109998877"}
    ]
    session.expire_all()
    stored = session.get(Escalation, esc.id)
    assert stored.queue_result == "redirected" and stored.queue_seconds is not None
    # Twilio then reports how the caller left the queue; the result stays recorded.
    twilio.post(
        "/twilio/voice/queue-result",
        {
            "CallSid": esc.interaction.twilio_sid,
            "AccountSid": "AC" + "1" * 32,
            "QueueResult": "redirected",
            "QueueTime": "42",
            "QueueSid": "QU" + "1" * 32,
        },
    )
    session.expire_all()
    assert session.get(Escalation, esc.id).queue_result == "redirected"
    # Nobody is waiting any more: a second attempt is refused.
    client.post(f"/console/escalations/{esc.id}/take-call", data={"csrf_token": token})
    assert len(telephony.bridged) == 1


def test_top_priority_escalation_texts_the_on_duty_agent_once(
    app, session, twilio, users, telephony
):
    settings = app.extensions["contactpro"].settings
    update_config(
        session, settings, {"on_duty_agent": "ana@example.com", "notify_priority": "80"}, None
    )
    session.commit()
    sms_escalation(twilio, session, "+573001110019", "Irene Normal")
    assert telephony.sent == []  # priority 55: no alert
    vip = sms_escalation(twilio, session, "+573001110020", "Julia VIP", segment="vip")
    assert vip.priority == 80
    assert [m["to"] for m in telephony.sent] == ["+573109998877"]
    assert f"#{vip.id}" in telephony.sent[0]["body"]
    assert agent_queue.notify_on_duty(session, settings, telephony, vip.id) is False
    assert len(telephony.sent) == 1


@pytest.mark.parametrize(
    ("languages", "expected", "unexpected"),
    [
        (
            "es,en",
            "escalamiento #{id}, prioridad del bot 80, pidió un asesor, Julia VIP.",
            "escalation",
        ),
        ("en", "escalation #{id}, bot priority 80, asked for a person, Julia VIP.", "escalamiento"),
    ],
)
def test_on_duty_text_is_in_the_agents_language_with_the_company_and_reason_worded(
    app, session, twilio, users, telephony, languages, expected, unexpected
):
    settings = app.extensions["contactpro"].settings
    users["agent"].languages = languages
    update_config(
        session, settings, {"on_duty_agent": "ana@example.com", "notify_priority": "80"}, None
    )
    session.commit()
    vip = sms_escalation(twilio, session, "+573001110021", "Julia VIP", segment="vip")
    [sent] = telephony.sent
    assert sent["body"].startswith(f"{settings.company_name}: ")
    assert expected.format(id=vip.id) in sent["body"]
    assert unexpected not in sent["body"] and "agent_request" not in sent["body"]
    renamed = dataclasses.replace(settings, company_name="Telco Andina")
    text = agent_queue.on_duty_message(vip, users["agent"], renamed)
    assert text == "Telco Andina: " + expected.format(id=vip.id)


def test_queue_page_renders_rows_and_live_update_settings(client, session, twilio, users):
    sms_escalation(twilio, session, "+573001110021", "Karla")
    login(client, "ana@example.com")
    page = client.get("/console/queue").text
    assert re.search(r'data-poll="\d+"', page) and "Karla" in page
    assert 'src="/static/console/queue.js"' in page
    with client.get("/static/console/queue.js") as script:
        assert script.status_code == 200 and b"fetch(" in script.get_data()
    assert csrf_of(client)

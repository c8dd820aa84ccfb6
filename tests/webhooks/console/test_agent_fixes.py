"""The agent console as agents work it: replies and the customer's next message, voicemails and
promised call-backs, senders who failed verification, steps, dates and words in both languages."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from contactpro.console import wording
from contactpro.console.strings import translate
from contactpro.console.users import create_user
from contactpro.models import (
    AuditLog,
    Callback,
    CancellationRequest,
    Escalation,
    Recording,
    Turn,
    utcnow,
)
from devtools.conversations import SmsThread
from devtools.simulator import new_sid
from tasks.voice import requeue_stale_transcriptions, transcribe_recording
from tests.webhooks.console.conftest import (
    LAPTOP,
    PASSWORD,
    TABLET,
    add_customer,
    browser_login,
    login,
    shoot,
)

ROOT = Path(__file__).resolve().parents[3]
ASK_AGENT = {"es": "quiero hablar con un asesor", "en": "I want to talk to an agent"}
# What the bot answers a message on a conversation already with a person.
NOTED = {"es": "Tu caso ya est", "en": "Your case is already with an agent"}
HOW_TO_PAY = {"es": "cómo puedo pagar la factura", "en": "how can I pay my bill"}


def escalation_of(session, number: str) -> Escalation:
    session.expire_all()
    return session.scalars(
        select(Escalation).where(Escalation.context["from_number"].as_string() == number)
    ).one()


def claim(client, token: str, escalation_id: int) -> None:
    response = client.post(
        f"/console/escalations/{escalation_id}/claim", data={"csrf_token": token}
    )
    assert response.status_code == 302


# -- 1. the customer's next message after an agent's SMS ---------------------------------------


@pytest.mark.parametrize(
    ("language", "number", "agent_words", "again"),
    [
        ("es", "+573001110101", "Hola Camila, ya revisamos tu caso.", "gracias, sigo sin internet"),
        ("en", "+13055550101", "Hi Grace, we are on it.", "thanks, my internet is still down"),
    ],
)
def test_the_customer_writes_again_after_an_agent_sms_and_the_agent_sees_it(
    client, session, twilio, users, telephony, language, number, agent_words, again
):
    add_customer(
        session, number, "Camila Rojas" if language == "es" else "Grace Miller", language=language
    )
    thread = SmsThread(twilio, number)
    thread.send(ASK_AGENT[language])
    esc = escalation_of(session, number)
    token = login(client, "ana@example.com")
    claim(client, token, esc.id)
    # Taken but not yet answered: the bot says the case is with a person.
    assert NOTED[language] in thread.send(again)
    client.post(
        f"/console/escalations/{esc.id}/sms", data={"csrf_token": token, "body": agent_words}
    )
    assert telephony.sent[-1]["to"] == number

    reply = thread.send(again)

    # The agent is texting with them: no bot promising that someone will contact them.
    assert reply == ""
    session.expire_all()
    turns = session.scalars(
        select(Turn).where(Turn.interaction_id == esc.interaction_id).order_by(Turn.sequence)
    ).all()
    assert [(t.speaker, t.text) for t in turns][-2:] == [("agent", agent_words), ("caller", again)]
    assert [t.sequence for t in turns] == list(range(1, len(turns) + 1))
    assert turns[-1].interaction.turn_count == len(turns)
    [entry] = client.get("/console/api/queue").get_json()["entries"]
    assert entry["new_message"] is True and entry["last_customer_at"]
    page = client.get(f"/console/escalations/{esc.id}?lang={language}").text
    assert again in page and 'id="new-message"' in page
    queue = client.get(f"/console/queue?lang={language}").text
    assert ("mensaje nuevo" if language == "es" else "new message") in queue
    # The agent answers: nothing new any more until the customer writes again.
    client.post(f"/console/escalations/{esc.id}/sms", data={"csrf_token": token, "body": "ok"})
    [entry] = client.get("/console/api/queue").get_json()["entries"]
    assert entry["new_message"] is False and entry["last_customer_at"]
    # Even a question the bot answers while a case waits is the agent's now.
    assert thread.send(HOW_TO_PAY[language]) == ""
    [entry] = client.get("/console/api/queue").get_json()["entries"]
    assert entry["new_message"] is True
    # Released to the queue: the bot answers again until someone takes it.
    client.post(f"/console/escalations/{esc.id}/release", data={"csrf_token": token})
    assert NOTED[language] in thread.send(again)


@pytest.mark.parametrize(
    ("language", "number", "expected", "unexpected"),
    [
        ("en", "+13055550102", "An agent will review", "Un asesor"),
        ("es", "+573001110102", "Un asesor revisar", "An agent"),
    ],
)
def test_a_failed_sms_is_answered_in_the_senders_language(
    client, session, twilio, monkeypatch, language, number, expected, unexpected
):
    add_customer(session, number, "Grace Miller", language=language)

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("webhooks.sms.turn_service.receive_sms", broken)
    monkeypatch.setattr("webhooks._handed_over_message", lambda: None)
    reply = SmsThread(twilio, number).send("hello" if language == "en" else "hola")
    assert expected in reply and unexpected not in reply


# -- 2. voicemails and promised call-backs -----------------------------------------------------


def queued_call(twilio, session, number: str, language: str = "es") -> dict[str, str]:
    add_customer(session, number, "Lucía Caller", language=language)
    call = {
        "CallSid": new_sid("CA"),
        "AccountSid": "AC" + "1" * 32,
        "From": number,
        "To": "+15550001000",
        "CallStatus": "in-progress",
        "Direction": "inbound",
    }
    assert twilio.post("/twilio/voice", call).status_code == 200
    answer = twilio.post(
        "/twilio/voice/gather?step=1",
        {**call, "SpeechResult": ASK_AGENT[language], "Confidence": "0.9"},
    )
    assert "<Enqueue" in answer.text
    return call


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "es",
            [
                "buzón de voz sin mensaje",
                "pide que le devuelvan la llamada",
                "El cliente no dejó mensaje",
                "Piden que les devuelvan la llamada",
            ],
        ),
        (
            "en",
            [
                "voicemail, no message",
                "wants a call back",
                "The caller left no message",
                "Asked to be called back",
            ],
        ),
    ],
)
def test_an_empty_voicemail_shows_as_a_call_back_where_agents_look(
    client, session, twilio, users, language, words
):
    call = queued_call(twilio, session, "+573001110103")
    twilio.post("/twilio/voice/queue-result", {**call, "QueueResult": "leave", "QueueTime": "40"})
    assert twilio.post("/twilio/voice/voicemail?empty=1", call).status_code == 200
    esc = escalation_of(session, "+573001110103")
    assert esc.context["voicemail"]["callback"] is True
    login(client, "ana@example.com")
    [entry] = client.get("/console/api/queue").get_json()["entries"]
    assert (entry["voicemail"], entry["callback_requested"]) == ("empty", True)
    assert entry["caller_waiting"] is False
    queue = client.get(f"/console/queue?lang={language}").text
    page = client.get(f"/console/escalations/{esc.id}?lang={language}").text
    callbacks = client.get(f"/console/callbacks?lang={language}").text
    assert words[0] in queue and words[1] in queue
    assert words[0] in page and words[1] in page and words[2] in page
    assert words[3] in callbacks and "+573001110103" in callbacks
    assert 'id="callbacks-due-count">1<' in callbacks


def test_a_voicemail_whose_transcription_failed_says_why_and_links_the_recording(
    client, session, twilio, users
):
    call = queued_call(twilio, session, "+573001110104")
    twilio.post("/twilio/voice/queue-result", {**call, "QueueResult": "leave", "QueueTime": "40"})
    sid = "RE" + "e" * 32
    url = f"https://api.twilio.com/2010-04-01/Accounts/AC{'1' * 32}/Recordings/{sid}"
    left = {**call, "RecordingUrl": url, "RecordingSid": sid, "RecordingDuration": "9"}
    assert twilio.post("/twilio/voice/voicemail", left).status_code == 200
    failed = {
        **call,
        "RecordingSid": sid,
        "RecordingUrl": url,
        "RecordingStatus": "failed",
        "ErrorCode": "13227",
        "RecordingDuration": "9",
    }
    assert twilio.post("/twilio/voice/recording?kind=voicemail", failed).status_code == 204
    esc = escalation_of(session, "+573001110104")
    assert esc.context["voicemail"]["transcription_status"] == "failed"
    login(client, "ana@example.com")
    page = client.get(f"/console/escalations/{esc.id}?lang=es").text
    assert "La transcripción falló" in page and "twilio_13227" in page
    assert f"/console/escalations/{esc.id}/voicemail/" in page
    assert "Escuchar la grabación" in page
    other = client.get(f"/console/escalations/{esc.id}/voicemail/999")
    assert other.status_code == 404


def test_a_scheduled_call_back_replaces_the_request_and_the_reminder_counts_it_once(
    client, session, twilio, users
):
    call = queued_call(twilio, session, "+573001110105")
    twilio.post("/twilio/voice/voicemail?empty=1", call)  # hung up in line, then voicemail
    esc = escalation_of(session, "+573001110105")
    token = login(client, "ana@example.com")
    claim(client, token, esc.id)
    when = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        f"/console/escalations/{esc.id}/callback",
        data={"csrf_token": token, "when": when, "tz_offset": "0"},
    )
    callbacks = client.get("/console/callbacks?lang=es").text
    assert "Piden que les devuelvan la llamada" not in callbacks
    assert "Próximas (1)" in callbacks


# -- 3. a sender who failed verification -------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words", "warning", "hidden"),
    [
        (
            "es",
            [
                "hola, mi cédula es 1019673750, quiero saber mi saldo",
                "1985",
                "quiero hablar con un asesor",
            ],
            "Identidad no verificada",
            "Cuentas y saldos ocultos",
        ),
        (
            "en",
            [
                "hi, my id is 1019673750, I want to know my balance",
                "1985",
                "I want to talk to an agent",
            ],
            "Identity not verified",
            "Accounts and balances hidden",
        ),
    ],
)
def test_a_sender_who_failed_verification_is_not_shown_as_the_account_holder(
    client, session, twilio, users, telephony, language, words, warning, hidden
):
    holder = add_customer(session, "+573001110106", "Camila Rojas", balance="540000")
    holder.national_id, holder.birth_year = "1019673750", 1990
    session.commit()
    stranger = "+573009990106"
    thread = SmsThread(twilio, stranger)
    for text in words:
        thread.send(text)
    esc = escalation_of(session, stranger)
    assert esc.customer_id == holder.id and esc.context["verified"] is False
    token = login(client, "ana@example.com")
    [entry] = client.get("/console/api/queue").get_json()["entries"]
    assert entry["unverified"] is True and entry["phone"] == stranger
    claim(client, token, esc.id)
    page = client.get(f"/console/escalations/{esc.id}?lang={language}").text
    assert warning in page and hidden in page and stranger in page
    assert (
        "Alguien que dijo ser Camila" if language == "es" else "Someone claiming to be Camila"
    ) in page
    assert "+573001110106" not in page  # the phone on file
    assert "540.000" not in page and "540,000" not in page  # no balance
    draft = re.search(r'<textarea id="sms-body"[^>]*>([^<]*)<', page)[1]
    assert "Camila" not in draft and draft.startswith(("Hola,", "Hello,"))
    assert 'id="sms-to"' in page
    client.post(f"/console/escalations/{esc.id}/sms", data={"csrf_token": token, "body": "Hola"})
    assert telephony.sent[-1]["to"] == stranger
    when = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        f"/console/escalations/{esc.id}/callback",
        data={"csrf_token": token, "when": when, "tz_offset": "0"},
    )
    session.expire_all()
    assert session.scalars(select(Callback)).one().phone == stranger


def test_the_holder_writing_from_the_number_on_file_is_shown_in_full(
    client, session, twilio, users
):
    add_customer(session, "+573001110107", "Camila Rojas")
    SmsThread(twilio, "+573001110107").send(ASK_AGENT["es"])
    esc = escalation_of(session, "+573001110107")
    login(client, "ana@example.com")
    page = client.get(f"/console/escalations/{esc.id}?lang=es").text
    assert "Identidad no verificada" not in page and "Hogar Internet" in page


# -- 4. steps in words -------------------------------------------------------------------------


def _patterned_steps() -> set[str]:
    """Return an example of every step the dialog records from an f-string (``troubleshoot_1``)."""
    found = set()
    for path in (ROOT / "contactpro").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "step":
                if isinstance(node.value, ast.JoinedStr):
                    found.add(
                        "".join(
                            str(part.value) if isinstance(part, ast.Constant) else "1"
                            for part in node.value.values
                        )
                    )
    return found


def test_every_numbered_or_coded_step_has_words_in_both_languages():
    steps = _patterned_steps()
    assert {"troubleshoot_1", "troubleshoot_1_done", "accepted_1"} <= steps
    for language in ("es", "en"):

        def say(key: str, language: str = language) -> str:
            return translate(key, language)

        for step in steps:
            text = wording.step(say, step)
            assert text != step.replace("_", " "), (language, step)
    assert wording.step(lambda k: translate(k, "es"), "troubleshoot_4") == (
        "paso 4 de la guía de conexión"
    )
    assert wording.step(lambda k: translate(k, "en"), "troubleshoot_12_done") == (
        "the customer did step 12 of the connection guide"
    )
    assert wording.step(lambda k: translate(k, "es"), "offered_plans") == "ofreció planes de pago"


def test_troubleshooting_steps_read_as_words_on_the_page(client, session, twilio, users):
    add_customer(session, "+573001110108", "Camila Rojas")
    SmsThread(twilio, "+573001110108").send(ASK_AGENT["es"])
    esc = escalation_of(session, "+573001110108")
    esc.context = {
        **esc.context,
        "steps_tried": ["troubleshoot_1", "troubleshoot_1_done", "cancelled"],
    }
    session.commit()
    login(client, "ana@example.com")
    es = client.get(f"/console/escalations/{esc.id}?lang=es").text
    en = client.get(f"/console/escalations/{esc.id}?lang=en").text
    assert "troubleshoot" not in es and "troubleshoot" not in en
    assert "paso 1 de la guía de conexión" in es and "step 1 of the connection guide" in en
    assert "registró la solicitud de cancelación" in es and "canceló el servicio" not in es
    assert "recorded the cancellation request" in en


# -- 5. dates in the page's language -----------------------------------------------------------


def test_dates_are_written_the_languages_way(client, session, twilio, users):
    add_customer(session, "+573001110109", "Camila Rojas")
    SmsThread(twilio, "+573001110109").send(ASK_AGENT["es"])
    esc = escalation_of(session, "+573001110109")
    token = login(client, "ana@example.com")
    claim(client, token, esc.id)
    client.post(
        f"/console/escalations/{esc.id}/callback",
        data={"csrf_token": token, "when": "2099-03-01T10:00", "tz_offset": "300"},
    )
    due = esc.interaction.customer.accounts[0].due_date
    for language in ("es", "en"):
        page = client.get(f"/console/escalations/{esc.id}?lang={language}").text
        callbacks = client.get(f"/console/callbacks?lang={language}").text
        assert due.isoformat() not in page
        assert wording.long_date(due, language) in page
        assert not re.search(r">\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page + callbacks)
        expected = "1 de marzo de 2099, 10:00" if language == "es" else "March 1, 2099, 10:00"
        assert expected in page and expected in callbacks
    assert wording.date_time(
        datetime(2026, 12, 5, 23, 9), "es", today=datetime(2026, 12, 6).date()
    ) == ("5 de diciembre, 23:09")
    assert wording.day_text("2026-12-15", "en") == "December 15, 2026"


# -- 6. rank and priority, 10. brand, plurals, audit -------------------------------------------


def test_rank_and_priority_have_distinct_words_and_the_brand_reads_once(
    client, session, twilio, users
):
    add_customer(session, "+573001110110", "Camila Rojas")
    SmsThread(twilio, "+573001110110").send(ASK_AGENT["es"])
    esc = escalation_of(session, "+573001110110")
    login(client, "ana@example.com")
    queue = client.get("/console/queue?lang=es").text
    page = client.get(f"/console/escalations/{esc.id}?lang=es").text
    assert '<th scope="col">Orden</th>' in queue and "Prioridad" not in queue
    assert f"prioridad del bot {esc.priority}" in page and ">Orden " in page
    assert "ContactPro ContactPro" not in queue
    assert re.search(r'class="brand">ContactPro <span>consola</span>', queue)


def test_the_call_back_reminder_has_a_proper_singular(client, session, twilio, users):
    add_customer(session, "+573001110111", "Camila Rojas")
    SmsThread(twilio, "+573001110111").send(ASK_AGENT["es"])
    esc = escalation_of(session, "+573001110111")
    session.add(
        Callback(
            escalation_id=esc.id,
            agent_id=users["agent"].id,
            phone="+573001110111",
            scheduled_for=utcnow() - timedelta(minutes=5),
            status="scheduled",
        )
    )
    session.commit()
    login(client, "ana@example.com")
    assert "1 llamada de vuelta vencida o para" in client.get("/console/queue?lang=es").text
    assert "1 call-back due in" in client.get("/console/queue?lang=en").text
    assert "(s)" not in client.get("/console/queue?lang=es").text


def test_claim_and_release_are_audited_with_before_and_after(app, client, session, twilio, users):
    add_customer(session, "+573001110112", "Camila Rojas")
    SmsThread(twilio, "+573001110112").send(ASK_AGENT["es"])
    esc = escalation_of(session, "+573001110112")
    token = login(client, "ana@example.com")
    claim(client, token, esc.id)
    client.post(f"/console/escalations/{esc.id}/release", data={"csrf_token": token})
    session.expire_all()
    rows = {row.action: row for row in session.scalars(select(AuditLog))}
    assert rows["escalation.claim"].before == {"status": "open", "agent": None}
    assert rows["escalation.claim"].after == {"status": "claimed", "agent": "Ana Agente"}
    assert rows["escalation.release"].before == {"status": "claimed", "agent": "Ana Agente"}
    manager = app.test_client()
    login(manager, "max@example.com")
    log = manager.get("/console/manager/config?lang=es").text
    assert "estado: abierto; asesor: —" in log and "estado: tomado; asesor: Ana Agente" in log


# -- 8. only the holder marks a call-back done -------------------------------------------------


@pytest.mark.parametrize(
    ("language", "refusal"),
    [("es", "Solo el asesor que tiene el escalamiento"), ("en", "Only the agent holding")],
)
def test_only_the_holder_or_a_manager_marks_a_call_back_done(
    app, client, session, twilio, users, language, refusal
):
    create_user(
        session, email="bea@example.com", name="Bea Agente", password=PASSWORD, role="agent"
    )
    session.commit()
    add_customer(session, "+573001110113", "Camila Rojas")
    SmsThread(twilio, "+573001110113").send(ASK_AGENT["es"])
    esc = escalation_of(session, "+573001110113")
    token = login(client, "ana@example.com")
    claim(client, token, esc.id)
    client.post(
        f"/console/escalations/{esc.id}/callback",
        data={"csrf_token": token, "when": "2099-03-01T10:00", "tz_offset": "0"},
    )
    callback = session.scalars(select(Callback)).one()

    other = app.test_client()
    other_token = login(other, "bea@example.com")
    other.get(f"/console/callbacks?lang={language}")
    other.post(f"/console/callbacks/{callback.id}/done", data={"csrf_token": other_token})
    assert refusal in other.get(f"/console/callbacks?lang={language}").text
    session.expire_all()
    assert session.get(Callback, callback.id).status == "scheduled"

    manager = app.test_client()
    manager_token = login(manager, "max@example.com")
    manager.post(f"/console/callbacks/{callback.id}/done", data={"csrf_token": manager_token})
    session.expire_all()
    assert session.get(Callback, callback.id).status == "done"


# -- 7. a cancellation request pending -------------------------------------------------------


def test_a_pending_cancellation_request_is_shown_as_pending(client, session, twilio, users):
    customer = add_customer(session, "+573001110114", "Camila Rojas")
    SmsThread(twilio, "+573001110114").send(ASK_AGENT["es"])
    esc = escalation_of(session, "+573001110114")
    session.add(
        CancellationRequest(
            account_id=customer.accounts[0].id,
            interaction_id=esc.interaction_id,
            quadrant="let_go",
            outcome="cancelled",
        )
    )
    session.commit()
    login(client, "ana@example.com")
    es = client.get(f"/console/escalations/{esc.id}?lang=es").text
    en = client.get(f"/console/escalations/{esc.id}?lang=en").text
    assert "Solicitud de cancelación registrada para la cuenta ******0114" in es
    assert "the service is still active" in en


# -- 2b. a transcription whose task was lost is sent again ---------------------------------------


def test_a_transcription_left_queued_by_a_restart_is_sent_again(app, session, twilio, monkeypatch):
    call = queued_call(twilio, session, "+573001110115")
    sid = "RE" + "f" * 32
    url = f"https://api.twilio.com/2010-04-01/Accounts/AC{'1' * 32}/Recordings/{sid}"
    monkeypatch.setattr(transcribe_recording, "apply_async", lambda args: None)  # lost task
    left = {**call, "RecordingUrl": url, "RecordingSid": sid, "RecordingDuration": "9"}
    twilio.post("/twilio/voice/voicemail", left)
    done = {**left, "RecordingStatus": "completed"}
    assert twilio.post("/twilio/voice/recording?kind=voicemail", done).status_code == 204
    session.expire_all()
    recording = session.scalars(select(Recording)).one()
    assert recording.transcription_status == "queued"
    sent: list[tuple] = []
    monkeypatch.setattr(transcribe_recording, "apply_async", lambda args: sent.append(args))
    with app.app_context():
        assert requeue_stale_transcriptions.run() == 0  # queued a moment ago: still in flight
        recording.updated_at = utcnow() - timedelta(hours=1)
        session.commit()
        assert requeue_stale_transcriptions.run() == 1
        assert requeue_stale_transcriptions.run() == 0  # once per sweep window
    assert sent == [(recording.id,)]


# -- in a real browser: the new flags on laptop and tablet, both languages -------------------


def test_browser_flags_fit_laptop_and_tablet_and_a_new_message_arrives_live(
    live_server, page_factory
):
    twilio = live_server.twilio()
    with live_server.session() as session:
        holder = add_customer(session, "+573001110120", "Camila Rojas", balance="540000")
        holder.national_id, holder.birth_year = "1019673750", 1990
        session.commit()
        call = queued_call(twilio, session, "+573001110121")
    stranger = SmsThread(twilio, "+573009990120")
    stranger.send_all(
        "hola, mi cédula es 1019673750, quiero saber mi saldo", "1985", ASK_AGENT["es"]
    )
    twilio.post("/twilio/voice/queue-result", {**call, "QueueResult": "leave", "QueueTime": "40"})
    twilio.post("/twilio/voice/voicemail?empty=1", call)
    with live_server.session() as session:
        unverified = escalation_of(session, "+573009990120").id
        voicemail = escalation_of(session, "+573001110121").id
    for viewport, size in ((LAPTOP, "laptop"), (TABLET, "tablet")):
        for language in ("es", "en"):
            say = {
                key: translate(key, language)
                for key in ("identity_unverified", "wants_callback", "voicemail_empty")
            }
            page = page_factory(viewport, locale="es-CO" if language == "es" else "en-US")
            browser_login(page, "ana@example.com")
            page.goto(f"/console/queue?lang={language}")
            expect(page.locator(f'#queue tr[data-id="{unverified}"]')).to_contain_text(
                say["identity_unverified"]
            )
            row = page.locator(f'#queue tr[data-id="{voicemail}"]')
            expect(row).to_contain_text(say["wants_callback"])
            expect(row).to_contain_text(say["voicemail_empty"])
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            shoot(page, f"agent-fixes-queue-{size}-{language}")
            page.goto(f"/console/escalations/{unverified}?lang={language}")
            expect(page.locator("#identity-warning")).to_be_visible()
            expect(page.locator("#contacted-from")).to_have_text("+573009990120")
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            shoot(page, f"agent-fixes-unverified-{size}-{language}")
            page.goto(f"/console/escalations/{voicemail}?lang={language}")
            expect(page.locator("#voicemail")).to_contain_text(say["wants_callback"])
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            shoot(page, f"agent-fixes-voicemail-{size}-{language}")
    page = page_factory(LAPTOP)
    browser_login(page, "ana@example.com")
    page.goto("/console/queue?lang=es")
    row = page.locator(f'#queue tr[data-id="{unverified}"]')
    expect(row).not_to_contain_text("mensaje nuevo")
    stranger.send("¿hay alguien?")
    expect(row).to_contain_text("mensaje nuevo", timeout=8_000)  # the queue's polling
    expect(page.locator("#queue-announcer")).to_contain_text("mensaje nuevo")

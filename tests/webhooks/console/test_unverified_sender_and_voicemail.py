"""The agent console as agents work it: an unverified sender's packet carries none of
the claimed customer's figures, and a voicemail shows in the queue as soon as it is left."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from contactpro.console.settings import update_config
from contactpro.models import Escalation, Interaction, Recording, utcnow
from devtools.conversations import SmsThread
from devtools.simulator import new_sid
from tests.webhooks.console.conftest import add_customer, add_score, login

ASK_AGENT = {"es": "quiero hablar con un asesor", "en": "I want to talk to an agent"}


def escalation_of(session, number: str) -> Escalation:
    session.expire_all()
    return session.scalars(
        select(Escalation).where(Escalation.context["from_number"].as_string() == number)
    ).one()


# -- 1. a sender who failed verification --------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words", "hidden", "quadrant"),
    [
        (
            "es",
            ["hola, mi cédula es 1019673750, quiero saber mi saldo", "1985", ASK_AGENT["es"]],
            "Puntuación oculta: la identidad no está verificada.",
            "dejar ir",
        ),
        (
            "en",
            ["hi, my id is 1019673750, I want to know my balance", "1985", ASK_AGENT["en"]],
            "Score hidden: the identity is not verified.",
            "let go",
        ),
    ],
)
def test_an_unverified_sender_is_not_scored_or_ranked_as_the_claimed_customer(
    client, session, twilio, users, language, words, hidden, quadrant
):
    holder = add_customer(session, "+573001110151", "Camila Rojas", balance="540000")
    holder.national_id, holder.birth_year, holder.segment = "1019673750", 1990, "vip"
    add_score(
        session,
        holder.id,
        "let_go",
        31.5,
        "89900",
        interactions=4,
        days_past_due=47,
        on_time_share=0.4,
        expected_value=Decimal("120500.50"),
        recovery_cost=Decimal("80000"),
        computed_at=utcnow(),
    )
    stranger = "+573009990151"
    thread = SmsThread(twilio, stranger)
    for text in words:
        thread.send(text)
    esc = escalation_of(session, stranger)
    assert esc.customer_id == holder.id and esc.context["verified"] is False
    login(client, "ana@example.com")

    [entry] = client.get("/console/api/queue").get_json()["entries"]
    assert entry["unverified"] is True and entry["segment"] is None
    # The bot's priority has no VIP points either: the sender only claimed to be the VIP.
    assert (esc.reason, esc.priority) == ("agent_request", 55)
    assert (entry["quadrant"], entry["conformity"]) == (None, None)
    # Ranked on the bot's priority and the wait alone: no "let go" or low-conformity points.
    assert entry["rank"] == esc.priority + min(entry["waiting_seconds"] // 120, 15)

    page = client.get(f"/console/escalations/{esc.id}?lang={language}").text
    scores = page.split('id="h-scores"', 1)[1].split("</section>", 1)[0]
    assert hidden in scores
    assert "31,5" not in scores and "31.5" not in scores and quadrant not in scores
    assert "120.500" not in page and "120,500" not in page and "47" not in scores

    packet = client.get(f"/console/api/escalations/{esc.id}").get_json()
    assert (packet["quadrant"], packet["conformity"]) == (None, None)
    claimed = packet["context"]["customer"]
    assert claimed["name"] == "Camila Rojas" and not claimed.get("accounts")
    assert "phone" not in claimed and "segment" not in claimed
    assert "540000" not in str(packet) and "+573001110151" not in str(packet)
    # The stored packet keeps everything (managers' history, analytics).
    assert esc.context["customer"]["accounts"][0]["balance"] == "540000.00"


def test_an_unverified_senders_earlier_contacts_are_their_numbers_not_the_holders(
    client, session, twilio, users
):
    holder = add_customer(session, "+573001110152", "Camila Rojas")
    holder.national_id, holder.birth_year = "1019673750", 1990
    session.commit()
    SmsThread(twilio, holder.phone).send("cuánto debo")  # the holder's own earlier contact
    stranger = "+573009990152"
    thread = SmsThread(twilio, stranger)
    for text in ["hola, mi cédula es 1019673750, quiero saber mi saldo", "1985", "1986"]:
        thread.send(text)
    esc = escalation_of(session, stranger)
    assert esc.customer_id == holder.id and esc.context["verified"] is False
    login(client, "ana@example.com")
    page = client.get(f"/console/escalations/{esc.id}?lang=es").text
    earlier = page.split('id="h-earlier"', 1)[1].split("</section>", 1)[0]
    assert "Sin contactos anteriores" in earlier and 'id="earlier"' not in earlier


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_unverified_sender_is_not_shown_the_holders_past_cases_and_notes(
    client, session, twilio, users, language
):
    holder = add_customer(session, "+573001110153", "Camila Rojas")
    holder.national_id, holder.birth_year = "1019673750", 1990
    session.commit()
    # The holder's own case, closed with a note about her: not the stranger's history.
    SmsThread(twilio, holder.phone).send(ASK_AGENT["es"])
    own = escalation_of(session, holder.phone)
    token = login(client, "ana@example.com")
    client.post(f"/console/escalations/{own.id}/claim", data={"csrf_token": token})
    note = "Camila viaja el 20, dirección nueva en Chía"
    client.post(
        f"/console/escalations/{own.id}/resolve",
        data={"csrf_token": token, "resolution": "solved", "notes": note},
    )
    stranger = "+573009990153"
    thread = SmsThread(twilio, stranger)
    for text in ["hola, mi cédula es 1019673750, quiero saber mi saldo", "1985", "1986"]:
        thread.send(text)
    esc = escalation_of(session, stranger)
    assert esc.customer_id == holder.id and esc.context["verified"] is False
    assert esc.reason != own.reason
    page = client.get(f"/console/escalations/{esc.id}?lang={language}").text
    similar = page.split('id="h-similar"', 1)[1].split("</section>", 1)[0]
    assert note not in similar and f"#{own.id}<" not in similar
    assert ("mismo cliente" if language == "es" else "same customer") not in similar
    cases = client.get(f"/console/api/escalations/{esc.id}").get_json()["similar"]["cases"]
    assert all(case.get("id") != own.id for case in cases)


@pytest.mark.parametrize(
    ("languages", "claimed"),
    [
        ("es,en", "Alguien que dijo ser Camila Rojas (identidad no verificada)."),
        ("en", "Someone claiming to be Camila Rojas (identity not verified)."),
    ],
)
def test_the_on_duty_text_does_not_name_an_unverified_sender_as_the_holder(
    app, session, twilio, users, telephony, languages, claimed
):
    users["agent"].languages = languages
    update_config(
        session,
        app.extensions["contactpro"].settings,
        {"on_duty_agent": "ana@example.com", "notify_priority": "50"},
        None,
    )
    holder = add_customer(session, "+573001110154", "Camila Rojas")
    holder.national_id, holder.birth_year = "1019673750", 1990
    session.commit()
    stranger = "+573009990154"
    thread = SmsThread(twilio, stranger)
    for text in ["hola, mi cédula es 1019673750, quiero saber mi saldo", "1985", "1986"]:
        thread.send(text)
    esc = escalation_of(session, stranger)
    assert esc.customer_id == holder.id and esc.context["verified"] is False
    [sent] = telephony.sent
    assert sent["to"] == users["agent"].phone
    assert sent["body"].endswith(claimed) and f"#{esc.id}" in sent["body"]


# -- 2. a voicemail being transcribed ------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("es", ["buzón de voz", "La transcripción está en cola.", "Escuchar la grabación"]),
        ("en", ["voicemail", "The transcription is queued.", "Listen to the recording"]),
    ],
)
def test_a_voicemail_shows_in_the_queue_while_it_is_transcribed(
    client, session, twilio, users, monkeypatch, language, words
):
    monkeypatch.setattr("webhooks.voice.send", lambda *args, **kwargs: None)  # still queued
    number = "+573001110153"
    add_customer(session, number, "Lucía Caller", language=language)
    call = {
        "CallSid": new_sid("CA"),
        "AccountSid": "AC" + "1" * 32,
        "From": number,
        "To": "+15550001000",
        "CallStatus": "in-progress",
        "Direction": "inbound",
    }
    twilio.post("/twilio/voice", call)
    answer = twilio.post(
        "/twilio/voice/gather?step=1",
        {**call, "SpeechResult": ASK_AGENT[language], "Confidence": "0.9"},
    )
    assert "<Enqueue" in answer.text
    twilio.post("/twilio/voice/queue-result", {**call, "QueueResult": "leave", "QueueTime": "95"})
    sid = new_sid("RE")
    url = f"https://api.twilio.com/2010-04-01/Accounts/AC{'1' * 32}/Recordings/{sid}"
    left = {**call, "RecordingUrl": url, "RecordingSid": sid, "RecordingDuration": "12"}
    assert twilio.post("/twilio/voice/voicemail", left).status_code == 200
    done = {**left, "RecordingStatus": "completed"}
    assert twilio.post("/twilio/voice/recording?kind=voicemail", done).status_code == 204

    esc = escalation_of(session, number)
    recording = session.scalars(
        select(Recording).where(Recording.interaction_id == esc.interaction_id)
    ).one()
    assert recording.transcription_status == "queued"
    assert esc.status == "open" and esc.context["voicemail"] == {"recording_id": recording.id}
    assert session.get(Interaction, esc.interaction_id).channel == "voice"
    login(client, "ana@example.com")
    [entry] = client.get("/console/api/queue").get_json()["entries"]
    assert (entry["voicemail"], entry["caller_waiting"]) == ("left", False)
    assert entry["callback_requested"] is False  # not known until the message is understood
    queue = client.get(f"/console/queue?lang={language}").text
    page = client.get(f"/console/escalations/{esc.id}?lang={language}").text
    assert words[0] in queue
    assert all(word in page for word in words)
    assert f"/console/escalations/{esc.id}/voicemail/{recording.id}" in page


# -- 3. finding a customer's conversations by name -----------------------------------------------


@pytest.mark.parametrize("typed", ["oscar mejia", "ÓSCAR", "Óscar Mejía", "mejía óscar", "Oscar"])
def test_a_name_is_found_however_the_manager_types_its_accents_and_case(
    client, session, twilio, users, typed
):
    add_customer(session, "+573001110154", "Óscar Mejía González")
    add_customer(session, "+573001110155", "Ángela Ruiz")
    SmsThread(twilio, "+573001110154").send("cuánto debo")
    SmsThread(twilio, "+573001110155").send("cuánto debo")
    login(client, "max@example.com")
    found = client.get(f"/console/manager/conversations?lang=es&customer={typed}").text
    assert "Resultados (1)" in found
    assert "Óscar Mejía González" in found and "Ángela Ruiz" not in found
    both = client.get("/console/manager/conversations?lang=es&customer=a").text
    assert "Resultados (2)" in both
    none = client.get("/console/manager/conversations?lang=es&customer=%25").text
    assert "Resultados (0)" in none


# -- 4. the offers the bot made, in the page's words ---------------------------------------------


@pytest.mark.parametrize(
    ("language", "words", "offer"),
    [
        (
            "es",
            [
                "quiero cancelar el servicio, está muy caro",
                "3750",
                "no, quiero hablar con una persona",
            ],
            "ofreció un beneficio para quedarse (visita técnica preventiva)",
        ),
        (
            "en",
            [
                "I want to cancel my service, it is too expensive",
                "3750",
                "no, I want to talk to a person",
            ],
            "offered a benefit to stay (preventive technical visit)",
        ),
    ],
)
def test_the_retention_offer_the_bot_made_is_worded_in_the_pages_language(
    client, session, twilio, users, language, words, offer
):
    number = "+573001110156"
    holder = add_customer(session, number, "Mariana Rivera", language=language)
    holder.national_id = "1019673750"
    add_score(session, holder.id, "monitor", 65.0, "89900", interactions=2, computed_at=utcnow())
    thread = SmsThread(twilio, number)
    for text in words:
        thread.send(text)
    esc = escalation_of(session, number)
    assert "offered_preventive_visit" in esc.context["steps_tried"]
    login(client, "ana@example.com")
    for lang in ("es", "en"):
        page = client.get(f"/console/escalations/{esc.id}?lang={lang}").text
        steps = page.split('id="h-summary"', 1)[1].split("</section>", 1)[0]
        if lang == language:
            assert steps.count(offer) == 2  # the summary and the list of steps
        if lang == "es":
            assert "preventive" not in steps and "visita técnica preventiva" in steps
        else:
            assert "visita" not in steps and "preventive technical visit" in steps


# -- 5. why a voicemail has no transcript, in words ----------------------------------------------


@pytest.mark.parametrize(
    ("language", "why"),
    [
        ("es", "La transcripción falló (no se pudo contactar el servidor de la grabación)"),
        ("en", "Transcription failed (the recording server could not be reached)"),
    ],
)
def test_a_voicemail_that_could_not_be_fetched_says_why_in_words(
    client, session, twilio, users, monkeypatch, language, why
):
    monkeypatch.setattr("webhooks.voice.send", lambda *args, **kwargs: None)
    number = "+573001110157"
    add_customer(session, number, "Lucía Caller", language=language)
    call = {
        "CallSid": new_sid("CA"),
        "AccountSid": "AC" + "1" * 32,
        "From": number,
        "To": "+15550001000",
        "CallStatus": "in-progress",
        "Direction": "inbound",
    }
    twilio.post("/twilio/voice", call)
    twilio.post(
        "/twilio/voice/gather?step=1",
        {**call, "SpeechResult": ASK_AGENT[language], "Confidence": "0.9"},
    )
    twilio.post("/twilio/voice/queue-result", {**call, "QueueResult": "leave", "QueueTime": "95"})
    sid = new_sid("RE")
    url = f"https://api.twilio.com/2010-04-01/Accounts/AC{'1' * 32}/Recordings/{sid}"
    left = {**call, "RecordingUrl": url, "RecordingSid": sid, "RecordingDuration": "12"}
    twilio.post("/twilio/voice/voicemail", left)
    esc = escalation_of(session, number)
    recording = session.scalars(
        select(Recording).where(Recording.interaction_id == esc.interaction_id)
    ).one()
    recording.transcription_status, recording.failure_reason = "failed", "recording_unreachable"
    session.commit()
    login(client, "ana@example.com")
    page = client.get(f"/console/escalations/{esc.id}?lang={language}").text
    assert why in page and "recording_unreachable" not in page

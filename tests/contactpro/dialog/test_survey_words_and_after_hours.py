"""Survey answers written with words, and texts handed over outside business hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from contactpro.console.settings import update_config
from contactpro.dialog.replies import format_date
from contactpro.dialog.survey import answer_in, send_survey
from contactpro.models import Escalation, Interaction, SurveyResponse, Turn
from contactpro.providers.telephony import telephony_for
from contactpro.voice.hours import DAYS, next_opening, parse_business_hours
from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, all_rows

COMPANY_ZONE = ZoneInfo("America/Bogota")  # the voice time zone the tests run with


def surveyed(app, session, thread, question: str) -> Interaction:
    """Resolve ``question`` on ``thread``, close it as resolved and text the survey."""
    thread.send(question)
    interaction = session.scalars(select(Interaction).order_by(Interaction.id.desc())).first()
    interaction.status, interaction.outcome = "closed", "auto_resolved"
    session.commit()
    settings = app.extensions["contactpro"].settings
    assert send_survey(session, settings, telephony_for(settings), interaction.id) is not None
    session.commit()
    return interaction


def survey_row(session) -> SurveyResponse:
    [row] = all_rows(session, SurveyResponse)
    return row


@pytest.mark.parametrize(
    ("answer", "score", "comment"),
    [
        ("5 excelente", 5, "excelente"),
        ("le doy un 4", 4, None),
        ("un 5!", 5, None),
        ("cinco", 5, None),
        ("4/5", 4, None),
        ("Le doy 5 estrellas, muy amable", 5, "muy amable"),
        ("3, el asesor tardó mucho", 3, "el asesor tardó mucho"),
        ("Gracias, 5", 5, None),
    ],
)
def test_spanish_survey_answer_with_words_is_a_score(
    app, session, sms, billed, answer, score, comment
):
    billed()
    thread = sms(SPANISH)
    interaction = surveyed(app, session, thread, "dónde puedo pagar")
    reply = thread.send(answer)
    assert reply == "¡Gracias por tu calificación!"
    assert "no entendí" not in reply
    row = survey_row(session)
    assert row.score == score and row.answered_at is not None
    assert session.get(Interaction, interaction.id).state["csat"] == score
    [turn] = session.scalars(select(Turn).where(Turn.intent == "survey_answer")).all()
    assert turn.interaction_id == interaction.id and turn.text == answer
    assert turn.entities.get("comment") == comment
    # No new conversation was opened for the answer.
    assert len(all_rows(session, Interaction)) == 1


@pytest.mark.parametrize(
    ("answer", "score", "comment"),
    [
        ("5 great", 5, "great"),
        ("I'd give it a 4", 4, None),
        ("4 out of 5", 4, None),
        ("five", 5, None),
        ("2 - the agent never called back", 2, "the agent never called back"),
        ("Thanks, 4", 4, None),
    ],
)
def test_english_survey_answer_with_words_is_a_score(
    app, session, sms, billed, answer, score, comment
):
    billed(ENGLISH, "en")
    thread = sms(ENGLISH)
    interaction = surveyed(app, session, thread, "where can I pay my bill")
    reply = thread.send(answer)
    assert reply == "Thanks for your rating!"
    row = survey_row(session)
    assert row.score == score
    assert session.get(Interaction, interaction.id).state["csat"] == score
    turn = session.scalars(select(Turn).where(Turn.intent == "survey_answer")).one()
    assert turn.entities.get("comment") == comment
    assert len(all_rows(session, Interaction)) == 1


@pytest.mark.parametrize(
    ("phone", "language", "question", "message"),
    [
        (SPANISH, "es", "dónde puedo pagar", "tengo 2 cuentas"),
        (SPANISH, "es", "dónde puedo pagar", "mi factura de 5 meses"),
        (SPANISH, "es", "dónde puedo pagar", "quiero hablar con alguien"),
        (SPANISH, "es", "dónde puedo pagar", "cuánto debo"),
        (ENGLISH, "en", "where can I pay my bill", "I have 2 accounts"),
        (ENGLISH, "en", "where can I pay my bill", "I want to talk to a person"),
    ],
)
def test_a_request_after_the_survey_is_still_a_conversation(
    app, session, sms, billed, phone, language, question, message
):
    billed(phone, language)
    thread = sms(phone)
    surveyed(app, session, thread, question)
    reply = thread.send(message)
    assert "calificación" not in reply and "rating" not in reply
    assert survey_row(session).score is None
    assert session.scalars(select(Turn).where(Turn.intent == "survey_answer")).first() is None
    assert len(all_rows(session, Interaction)) == 2  # a new conversation took the message


def test_survey_answers_and_non_answers_read_apart():
    for not_a_score in ("4.5", "10", "5 de diciembre", "un asesor", "one more thing", "2 facturas"):
        assert answer_in(not_a_score) is None, not_a_score
    answer = answer_in("5 pero tardaron")
    assert answer is not None and (answer.score, answer.comment) == (5, "pero tardaron")


def test_next_opening_on_sunday_night_is_monday_morning():
    hours = parse_business_hours("mon-fri 08:00-18:00")
    sunday_2am = datetime(2026, 12, 6, 2, 0, tzinfo=COMPANY_ZONE)
    opens = next_opening(hours, "America/Bogota", sunday_2am.astimezone(UTC))
    assert opens == datetime(2026, 12, 7, 8, 0, tzinfo=COMPANY_ZONE)
    friday_noon = datetime(2026, 12, 4, 12, 0, tzinfo=COMPANY_ZONE)
    assert next_opening(hours, "America/Bogota", friday_noon) is None
    friday_7pm = datetime(2026, 12, 4, 19, 0, tzinfo=COMPANY_ZONE)
    assert next_opening(hours, "America/Bogota", friday_7pm) == sunday_2am + timedelta(
        days=1, hours=6
    )


def closed_until_tomorrow(app, session) -> datetime:
    """Set the managers' business hours to tomorrow only, 08:00-18:00; return that opening."""
    now = datetime.now(COMPANY_ZONE)
    tomorrow = now + timedelta(days=1)
    settings = app.extensions["contactpro"].settings
    changes = {
        "business_hours_start": "08:00",
        "business_hours_end": "18:00",
        "business_days": DAYS[tomorrow.weekday()],
    }
    update_config(session, settings, changes, None)
    session.commit()
    return tomorrow.replace(hour=8, minute=0, second=0, microsecond=0)


def test_spanish_text_handed_over_after_hours_is_told_when_an_agent_answers(
    app, session, sms, customer_factory
):
    customer_factory()
    opens = closed_until_tomorrow(app, session)
    thread = sms(SPANISH)
    reply = thread.send("quiero hablar con un asesor")
    when = f"a partir de las 08:00 del {format_date(opens.date(), 'es')}"
    assert "pronto" not in reply
    assert "no están disponibles" in reply and when in reply
    assert "agent" not in reply.lower()
    [escalation] = all_rows(session, Escalation)  # it still reaches the queue
    assert escalation.status == "open"
    waiting = thread.send("hola, sigo esperando")
    assert "pronto" not in waiting and f"te escribirá {when}" in waiting
    assert len(all_rows(session, Escalation)) == 1


def test_english_text_handed_over_after_hours_is_told_when_an_agent_answers(
    app, session, sms, customer_factory
):
    customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")
    opens = closed_until_tomorrow(app, session)
    thread = sms(ENGLISH)
    reply = thread.send("I want to talk to a person")
    local = opens.astimezone(ZoneInfo("America/New_York"))  # where the +1 305 number lives
    when = f"write to you from {local:%-I:%M %p} on {format_date(local.date(), 'en')}"
    assert "shortly" not in reply and when in reply
    assert "asesor" not in reply
    assert len(all_rows(session, Escalation)) == 1
    waiting = thread.send("hello? still waiting")
    assert "shortly" not in waiting and when in waiting and "asesor" not in waiting


def test_text_handed_over_in_business_hours_keeps_the_usual_promise(session, sms, customer_factory):
    customer_factory()
    reply = sms(SPANISH).send("quiero hablar con un asesor")
    assert "te contactará pronto" in reply and "a partir de" not in reply

"""Small dialog defects testers found, over the signed webhooks in both languages.

1. A survey score followed by a request ("2, quiero pagar mi factura") records the score and
   answers the request in a new conversation.
2. A text handed over after a technical error outside business hours is told when a person
   answers, never "pronto".
3. Silence at the cancellation confirmation asks the question alone, without "Entendido.".
4. On a call, the invoice copy that cannot be e-mailed says how a caller reaches a person.
5. "¿Y la otra cuenta?" from a customer with one account is told they have only one.
6. An MMS with several voice notes is acknowledged in the plural.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from contactpro.dialog.replies import format_date
from contactpro.models import Escalation, Interaction, SurveyResponse, Turn
from devtools.conversations import SmsThread
from tests.conftest import TwilioClient
from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, all_rows, latest_state
from tests.contactpro.dialog.test_survey_words_and_after_hours import (
    closed_until_tomorrow,
    surveyed,
)
from tests.webhooks.test_reprompts import WORDS, _customer_with_two_accounts
from tests.webhooks.test_sms import replies, sms_params
from tests.webhooks.test_voice import Call, spoken

# --- 1. a survey score followed by a request --------------------------------------------------

SCORED_REQUESTS = {
    "es": (
        SPANISH,
        "dónde puedo pagar",
        "2, quiero pagar mi factura",
        2,
        "quiero pagar mi factura",
    ),
    "en": (
        ENGLISH,
        "where can I pay my bill",
        "3, and I want to pay my bill",
        3,
        "and I want to pay my bill",
    ),
}
THANKS = {"es": "¡Gracias por tu calificación!", "en": "Thanks for your rating!"}
# A text's reply leaves out accents (CONTACTPRO_SMS_KEEP_ACCENTS off).
THANKED = {"es": "¡Gracias por tu calificacion!", "en": "Thanks for your rating!"}
PAY = {"es": "Puedes pagar", "en": "You can pay"}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_score_followed_by_a_request_is_recorded_and_the_request_answered(
    app, session, twilio: TwilioClient, billed, language
):
    phone, question, answer, score, request = SCORED_REQUESTS[language]
    billed(phone, language)
    thread = SmsThread(twilio, phone)
    surveyed_interaction = surveyed(app, session, thread, question)
    params = sms_params(phone, answer)
    [reply] = replies(twilio.post("/twilio/sms", params))
    assert reply.startswith(THANKED[language]) and PAY[language] in reply, reply
    # Twilio's retry of the message gets the same answer, and nothing is stored twice.
    assert replies(twilio.post("/twilio/sms", params)) == [reply]
    [row] = all_rows(session, SurveyResponse)
    assert row.score == score and row.answered_at is not None
    assert session.get(Interaction, surveyed_interaction.id).state["csat"] == score
    scored = session.scalars(select(Turn).where(Turn.intent == "survey_answer")).one()
    assert scored.interaction_id == surveyed_interaction.id and scored.text == answer
    assert scored.entities["comment"] == request
    # The request is a new conversation of its own, answered as the request alone would be.
    first, asked = all_rows(session, Interaction)
    assert first.id == surveyed_interaction.id and asked.status == "active"
    [turn] = session.scalars(select(Turn).where(Turn.interaction_id == asked.id)).all()
    assert turn.text == request and turn.intent == "payment_how" and turn.reply == reply


@pytest.mark.parametrize(
    ("phone", "language", "question", "answer", "comment"),
    [
        (SPANISH, "es", "dónde puedo pagar", "3, el asesor tardó mucho", "el asesor tardó mucho"),
        (ENGLISH, "en", "where can I pay my bill", "2 - the agent never called back", None),
    ],
)
def test_a_score_with_a_comment_stays_a_survey_answer(
    app, session, twilio: TwilioClient, billed, phone, language, question, answer, comment
):
    billed(phone, language)
    thread = SmsThread(twilio, phone)
    surveyed(app, session, thread, question)
    assert thread.send(answer) == THANKS[language]
    assert len(all_rows(session, Interaction)) == 1
    scored = session.scalars(select(Turn).where(Turn.intent == "survey_answer")).one()
    assert scored.entities["comment"] == (comment or answer.split(" - ", 1)[1])


# --- 2. the technical-error hand-over outside business hours ----------------------------------


@pytest.mark.parametrize(
    ("language", "phone", "when", "soon"),
    [
        ("es", SPANISH, "te escribirá a partir de las {:%H:%M} del {}", "pronto"),
        ("en", ENGLISH, "write to you from {:%-I:%M %p} on {}", "shortly"),
    ],
)
def test_a_failed_text_handed_over_after_hours_says_when_a_person_answers(
    app, session, twilio: TwilioClient, customer_factory, monkeypatch, language, phone, when, soon
):
    customer_factory(phone=phone, language=language, currency="COP" if language == "es" else "USD")
    opens = closed_until_tomorrow(app, session)

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("webhooks.sms.turn_service.receive_sms", broken)
    reply = SmsThread(twilio, phone).send("hola" if language == "es" else "hello")
    # On the clock of where the number lives: Bogotá, or New York for the +1 305 number.
    local = opens.astimezone(ZoneInfo("America/Bogota" if language == "es" else "America/New_York"))
    assert when.format(local, format_date(local.date(), language)) in reply, reply
    assert soon not in reply
    [escalation] = all_rows(session, Escalation)
    assert escalation.reason == "technical_error" and escalation.status == "open"
    [turn] = all_rows(session, Turn)
    assert turn.reply == reply and turn.entities["problem"] == "technical_error"


# --- 3. silence at the cancellation confirmation ----------------------------------------------

CONFIRM = {
    "es": ("Entendido.", "¿Confirmas que quieres cancelar el servicio de la cuenta"),
    "en": ("Understood.", "Do you confirm you want to cancel the service on account"),
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_silence_at_the_cancellation_confirmation_asks_the_question_alone(
    twilio: TwilioClient, session, customer_factory, language
):
    _customer_with_two_accounts(customer_factory, session, language)
    words = WORDS[language]
    understood, question = CONFIRM[language]
    call = Call(twilio, "+573001112233")
    call.start()
    for said in (words["cancel"], "4050", words["second"]):
        call.say(said)
    confirm = spoken(call.say(words["no"]))
    assert confirm.startswith(f"{understood} {question}"), confirm
    reprompt = spoken(call.silence())
    assert reprompt == f"{words['heard']} {confirm.removeprefix(understood).strip()}", reprompt
    assert understood not in reprompt
    last = session.scalars(select(Turn).order_by(Turn.sequence.desc())).first()
    assert last.entities["reprompt"] is True
    assert not all_rows(session, Escalation)


# --- 4. an invoice copy asked by e-mail on a call ---------------------------------------------


@pytest.mark.parametrize(
    ("phone", "language", "asked", "reach", "written"),
    [
        (
            SPANISH,
            "es",
            "mándame una copia de mi factura de octubre al correo",
            "dime asesor o marca 0",
            "escribe ASESOR",
        ),
        (
            ENGLISH,
            "en",
            "email me a copy of my november bill",
            "say agent or press 0",
            "text AGENT",
        ),
    ],
)
def test_invoice_copy_not_emailed_on_a_call_says_how_a_caller_reaches_a_person(
    app, session, call, billed, phone, language, asked, reach, written
):
    billed(phone, language)
    caller = call(phone)
    caller.start()
    caller.say(asked)
    said, _ = caller.press("4050")
    assert reach in said and written not in said, said
    assert not all_rows(session, Escalation)


def test_invoice_copy_not_emailed_by_text_still_says_to_write(sms, billed, session):
    billed()
    thread = sms(SPANISH)
    thread.send("necesito una copia de mi factura de octubre, me la mandan al correo?")
    reply = thread.send("4050")
    assert "escribe ASESOR" in reply and "marca 0" not in reply


# --- 5. "the other account" from a customer with one ------------------------------------------

OTHER = {
    "es": (SPANISH, "cuánto debo", "y la otra cuenta?", "Solo tienes una cuenta", "107.000"),
    "en": (ENGLISH, "what's my balance", "and the other account?", "only have one account", "64"),
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_other_account_of_a_single_account_customer(sms, billed, session, language):
    phone, balance_asked, other, only, amount = OTHER[language]
    customer = billed(phone, language)
    number = customer.accounts[0].number
    thread = sms(phone)
    thread.send(balance_asked)
    told = thread.send("4050")
    assert amount in told, told
    reply = thread.send(other)
    assert only in reply and number in reply, reply
    assert amount not in reply
    last = session.scalars(select(Turn).order_by(Turn.id.desc())).first()
    assert last.text == other and last.reply == reply
    assert latest_state(session)["steps"][-1] == "told_only_account"
    assert not all_rows(session, Escalation)

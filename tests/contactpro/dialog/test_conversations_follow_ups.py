"""What customers say around the answers, from their side: thanks with a question, "no" to
"anything else?", a question at the security question, and messages after a hand-off."""

from __future__ import annotations

import pytest

from contactpro.models import CancellationRequest, Turn
from contactpro.nlu.text import normalise
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    agreements,
    all_rows,
    escalations,
    latest_state,
    sent_sms,
)

# --- thanks with a question is no goodbye --------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "language", "ask", "follow", "goodbye"),
    [
        (SPANISH, "es", "cuanto debo", "gracias. y cuando vence?", "buen dia"),
        (ENGLISH, "en", "how much do I owe", "ok thanks. and when is it due?", "great day"),
    ],
)
def test_thanks_with_a_question_does_not_end_the_conversation(
    sms, customer_factory, session, phone, language, ask, follow, goodbye
):
    customer_factory(phone=phone, language=language)
    thread = sms(phone)
    thread.send_all(ask, "4050")
    reply = thread.send(follow)
    assert goodbye not in reply
    assert latest_state(session)["steps"][-1] != "goodbye"


# --- "no" to "anything else?" --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "language", "ask", "yes", "no", "bye"),
    [
        (SPANISH, "es", "cuanto debo", "si", "no", "Gracias por comunicarte"),
        (ENGLISH, "en", "how much do I owe", "yes", "no thanks", "Thanks for contacting"),
    ],
)
def test_no_to_anything_else_says_goodbye(
    sms, customer_factory, session, phone, language, ask, yes, no, bye
):
    customer_factory(phone=phone, language=language)
    thread = sms(phone)
    thread.send_all(ask, "4050")
    anything_else = thread.send(yes)
    assert "?" in anything_else
    reply = thread.send(no)
    assert bye in reply
    assert "En que mas" not in reply and "What else" not in reply
    assert escalations(session) == []


def test_no_after_an_unconfirmed_answer_still_reaches_a_person(sms, customer_factory, session):
    """ "No" to "did that answer it?" is not a goodbye: a person looks at it."""
    customer_factory(phone=SPANISH)
    thread = sms(SPANISH)
    thread.send_all("cuanto debo", "4050")
    thread.send("no")
    [escalation] = escalations(session)
    assert escalation.reason == "not_resolved"


# --- a question at the security question ---------------------------------------------------------


def test_a_question_at_the_security_question_costs_no_attempt(sms, customer_factory, session):
    customer_factory(phone=SPANISH)
    thread = sms(SPANISH)
    thread.send("cuanto debo")
    reply = normalise(thread.send("cual documento? la cedula o el pasaporte?"))
    assert "no coincide" not in reply and "necesito confirmar quien eres" in reply
    assert "ultimos cuatro digitos" in reply
    assert latest_state(session)["verify_attempts"] == 0
    reply = thread.send("4050")
    assert "125.000 pesos" in reply
    assert escalations(session) == []


def test_english_new_request_at_the_security_question_is_asked_again_then_a_person(
    sms, customer_factory, session
):
    customer_factory(phone=ENGLISH, language="en")
    thread = sms(ENGLISH)
    thread.send("how much do I owe")
    first = thread.send("what is a reconnection fee, i never got disconnected")
    assert "doesn't match" not in first and "confirm who you are" in first
    second = thread.send("why do you need that")
    assert "doesn't match" not in second and "last four digits" in second
    assert escalations(session) == []
    thread.send("no I won't tell you")  # told why twice already: a person, for that reason
    [escalation] = escalations(session)
    assert escalation.reason == "identity_refused"


def test_a_wrong_number_still_counts(sms, customer_factory, session):
    customer_factory(phone=SPANISH)
    thread = sms(SPANISH)
    thread.send("cuanto debo")
    assert "no coincide" in thread.send("1234")
    assert latest_state(session)["verify_attempts"] == 1


# --- after a hand-off ----------------------------------------------------------------------------


def test_questions_after_a_hand_off_are_answered_and_actions_left_to_the_agent(
    sms, debtor, session
):
    thread = sms(SPANISH)
    thread.send_all("cuanto debo", "4050")
    thread.send("quiero hablar con un asesor")
    [escalation] = escalations(session)
    balance = normalise(thread.send("y cuanto debo en total?"))
    assert "pesos" in balance and "sigue con un asesor" in balance
    how = normalise(thread.send("como puedo pagar?"))
    assert "sigue con un asesor" in how and "vera tambien" not in how
    accept = normalise(thread.send("bueno acepto la de 12 cuotas"))
    assert "vera tambien este mensaje" in accept
    assert agreements(session) == [] and all_rows(session, CancellationRequest) == []
    assert [e.id for e in escalations(session)] == [escalation.id]  # never a second one


def test_english_balance_after_a_hand_off_needs_verification(sms, customer_factory, session):
    customer_factory(phone=ENGLISH, language="en")
    thread = sms(ENGLISH)
    thread.send("I want to talk to a person")
    [escalation] = escalations(session)
    reply = thread.send("how much do I owe?")
    assert "will see this message too" in reply and "balance" not in reply.lower()
    assert len(escalations(session)) == 1


# --- a barely heard yes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "fixture", "phone", "ask", "pick", "yes", "again", "booked"),
    [
        ("es", "debtor", SPANISH, "quiero negociar mi deuda", "la segunda", "sí",
         "no te escuché bien", "registré tu acuerdo"),
        ("en", "english_debtor", ENGLISH, "I want to negotiate my debt", "the second one", "yes",
         "didn't hear that clearly", "recorded your agreement"),
    ],
)  # fmt: skip
def test_a_barely_heard_yes_books_nothing_until_said_clearly(
    call, request, session, language, fixture, phone, ask, pick, yes, again, booked
):
    request.getfixturevalue(fixture)
    caller = call(phone)
    caller.start()
    caller.say(ask)
    caller.press("4050")
    caller.say(pick)
    unclear, _ = caller._post(SpeechResult=yes, Confidence="0.08")
    assert again in unclear and booked not in unclear
    assert agreements(session) == []
    done, _ = caller.say(yes)
    assert booked in done
    assert len(agreements(session)) == 1


def test_twice_unclear_goes_to_a_person(call, debtor, session):
    caller = call(SPANISH)
    caller.start()
    caller.say("quiero negociar mi deuda")
    caller.press("4050")
    caller.say("la segunda")
    caller._post(SpeechResult="sí", Confidence="0.1")
    caller._post(SpeechResult="sí", Confidence="0.2")
    assert agreements(session) == []
    [escalation] = escalations(session)
    assert escalation.reason == "not_understood"


# --- a payment link asked for from another number ------------------------------------------------


def test_a_link_asked_from_another_number_says_where_it_went(sms, cedula_holder, session, app):
    stranger_phone = "+573009990555"
    thread = sms(stranger_phone)
    thread.send_all("necesito el link de pago", "1019673750")
    reply = normalise(thread.send("1990"))
    assert "enlace para pagar" in reply and "numero que tenemos registrado" in reply
    assert "terminado en 2233" in reply
    [sent] = [m for m in sent_sms(app) if "http" in m["body"]]
    assert sent["to"] == SPANISH  # the phone on file, as the reply says


def test_english_link_from_the_phone_on_file_says_nothing_more(sms, customer_factory):
    customer_factory(phone=ENGLISH, language="en", currency="USD")
    reply = sms(ENGLISH).send_all("send me the payment link", "4050")
    assert "link to pay" in reply and "phone number on file" not in reply


def test_english_link_from_another_number_says_where_it_went(sms, customer_factory, session):
    customer = customer_factory(phone=ENGLISH, language="en", currency="USD")
    customer.national_id, customer.birth_year = "987654321", 1985
    session.commit()
    thread = sms("+13055550999")
    thread.send_all("send me the payment link", "987654321")
    reply = thread.send("1985")
    assert "link to pay" in reply and "phone number on file, ending in 0123" in reply


# --- what is stored ------------------------------------------------------------------------------


def test_an_amount_said_is_stored_as_json_not_python_text(sms, debtor, session):
    sms(SPANISH).send_all("quiero un acuerdo de pago", "4050", "puedo pagar 80 mil al mes")
    amounts = [t.entities["amount"] for t in all_rows(session, Turn) if "amount" in t.entities]
    assert amounts and all(isinstance(a, dict) for a in amounts), amounts
    assert amounts[-1]["value"] == "80000"

"""Identification from any entry point and control words in every state, from the customer's side.

An id nobody asked for (typed with dots, bare, spoken as words) from an unknown number starts
verification, and the request stated with it is resumed once verified. "Empezar de nuevo",
"cancelar" and goodbye are honoured wherever the conversation stands.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contactpro.models import Escalation
from tests.contactpro.dialog.conftest import (
    escalations,
    latest_state,
    nothing_booked_or_escalated,
)

UNKNOWN = "+573009998877"
OWN = "+573001112233"


# --- identification -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said", ["1019673750", "mi cédula es 1.019.673.750", "cc 1019673750 por favor"]
)
def test_unprompted_cedula_from_an_unknown_number_starts_verification(
    sms, cedula_holder, session, said
):
    thread = sms(UNKNOWN)
    asked = thread.send(said)
    assert "en qué año naciste" in asked and "no entendí" not in asked
    state = latest_state(session)
    assert state["customer_id"] == cedula_holder.id and state["awaiting"] == "verify"
    assert "Tu saldo" not in asked and "450.000" not in asked  # nothing before the second factor


def test_stated_request_with_the_cedula_is_resumed_after_verification(sms, cedula_holder, session):
    thread = sms(UNKNOWN)
    asked = thread.send("hola, quiero negociar mi deuda, mi cédula es 1019673750")
    assert "en qué año naciste" in asked
    offers = thread.send("1990")
    assert "450.000 pesos" in offers and "mora" in offers
    assert latest_state(session)["awaiting"] == "offer_choice"


def test_request_before_the_id_is_resumed_after_verification(sms, cedula_holder, session):
    thread = sms(UNKNOWN)
    assert "cédula" in thread.send("quiero hacer un acuerdo de pago")
    assert "en qué año naciste" in thread.send("1.019.673.750")
    offers = thread.send("mil novecientos noventa")
    assert "450.000 pesos" in offers


def test_wrong_birth_year_twice_goes_to_a_person_and_discloses_nothing(sms, cedula_holder, session):
    thread = sms(UNKNOWN)
    thread.send("1019673750")
    retry = thread.send("1985")
    assert "no coincide" in retry and "450.000" not in retry
    last = thread.send("1986")
    assert "450.000" not in last
    session.expire_all()
    assert session.scalars(select(Escalation)).one().reason == "verification_failed"


@pytest.mark.parametrize(
    "listed",
    [
        ", ".join(str(year) for year in range(1940, 2009)),  # every plausible year
        "1989 o 1990",
        "1990, 1991",
    ],
)
def test_a_list_of_birth_years_is_not_an_answer(sms, cedula_holder, session, listed):
    thread = sms(UNKNOWN)
    thread.send("cuanto debo? mi cedula es 1019673750")
    retry = thread.send(listed)
    assert "un solo dato" in retry and "en qué año naciste" in retry
    assert "450.000" not in retry and "540.000" not in retry
    state = latest_state(session)
    assert state["verified"] is False and state["verify_attempts"] == 1
    last = thread.send(listed)  # the second list uses the last attempt
    assert "450.000" not in last and "540.000" not in last
    assert [e.reason for e in escalations(session)] == ["verification_failed"]


def test_the_year_alone_still_verifies_after_a_list(sms, cedula_holder, session):
    thread = sms(UNKNOWN)
    thread.send("cuanto debo? mi cedula es 1019673750")
    thread.send("1989, 1990")
    answer = thread.send("naci el 15 de marzo de 1990")
    assert "540.000" in answer
    assert latest_state(session)["verified"] is True


@pytest.mark.parametrize("listed", ["4050, 4051, 4052, 3750", "3750 or 3751", "1019673750, 3751"])
def test_a_list_of_last_four_digits_is_not_an_answer_in_english(
    sms, customer_factory, session, listed
):
    customer = customer_factory(
        phone="+13055550123", language="en", currency="USD", name="Grace Miller"
    )
    customer.national_id = "1019673750"
    session.commit()
    thread = sms("+13055559999")
    assert "last four digits" in thread.send("my account number is 0000120451")
    retry = thread.send(listed)
    assert "just one answer" in retry and "last four digits" in retry
    assert latest_state(session)["verified"] is False
    assert "help" in thread.send("3750")
    assert latest_state(session)["verified"] is True


def test_unknown_cedula_is_said_not_found_not_misunderstood(sms, cedula_holder, session):
    reply = sms(UNKNOWN).send("mi cédula es 52.111.222")
    assert "No encontré ese número" in reply and "no entendí" not in reply


def test_spoken_cedula_on_a_call_from_an_unknown_number(call, cedula_holder, session):
    phone = call(UNKNOWN)
    phone.start()
    phone.press("1")  # the language menu for callers the bot does not know
    asked, _ = phone.say("uno cero uno nueve seis siete tres siete cinco cero")
    assert "año naciste" in asked
    resumed, _ = phone.say("mil novecientos noventa")
    assert "ayudar" in resumed
    state = latest_state(session)
    assert state["verified"] is True and state["customer_id"] == cedula_holder.id


def test_english_account_number_unprompted_asks_the_last_four_digits(
    sms, customer_factory, session
):
    customer_factory(phone="+13055550123", language="en", currency="USD", name="Grace Miller")
    thread = sms("+13055559999")
    asked = thread.send("my account number is 0000120451")
    assert "last four digits" in asked
    answer = thread.send("4050")
    assert "help" in answer and latest_state(session)["verified"] is True


# --- control words ------------------------------------------------------------------------------


def test_start_over_during_verification_is_not_a_failed_answer(sms, cedula_holder, session):
    thread = sms(OWN)
    assert "cuatro dígitos" in thread.send("quiero negociar mi deuda")
    again = thread.send("empezar de nuevo")
    assert "empecemos de nuevo" in again and "no coincide" not in again
    state = latest_state(session)
    assert state["verify_attempts"] == 0 and state["awaiting"] is None
    assert nothing_booked_or_escalated(session)


def test_reiniciar_does_not_escalate(sms, cedula_holder, session):
    thread = sms(OWN)
    thread.send_all("quiero negociar mi deuda", "3750")
    reply = thread.send("reiniciar")
    assert "empecemos de nuevo" in reply and "asesor" not in reply
    assert nothing_booked_or_escalated(session)


def test_cancelar_stops_the_negotiation_without_booking(sms, cedula_holder, session):
    thread = sms(OWN)
    thread.send_all("quiero negociar mi deuda", "3750")
    thread.send("la opción 3")
    reply = thread.send("cancelar")
    assert "no registré nada" in reply and "registré tu acuerdo" not in reply
    assert latest_state(session)["flow"] is None
    assert nothing_booked_or_escalated(session)
    # The customer is still verified: a new request goes straight on.
    assert "450.000 pesos" in thread.send("quiero negociar mi deuda")


def test_english_start_over_and_stop(sms, customer_factory, session):
    customer_factory(phone="+13055550123", language="en", currency="USD", name="Grace Miller")
    thread = sms("+13055550123")
    assert "last four digits" in thread.send("how much do I owe")
    assert "start over" in thread.send("start over")
    thread.send("my internet is not working")
    stopped = thread.send("stop")
    assert "stopped that" in stopped
    assert latest_state(session)["flow"] is None


def test_goodbye_mid_negotiation_ends_the_call_without_booking(call, cedula_holder, session):
    phone = call(OWN)
    phone.start()
    phone.say("quiero negociar mi deuda")
    phone.press("3750")
    spoken, verb = phone.say("adiós")
    assert verb == "Hangup" and "Gracias por comunicarte" in spoken
    assert nothing_booked_or_escalated(session)


def test_goodbye_while_asked_for_the_id(sms, cedula_holder, session):
    thread = sms(UNKNOWN)
    thread.send("quiero saber mi saldo")
    reply = thread.send("chao, gracias")
    assert "Gracias por comunicarte" in reply and "No encontré" not in reply
    assert nothing_booked_or_escalated(session)


def test_english_goodbye_during_troubleshooting(call, customer_factory, session):
    customer_factory(phone="+13055550123", language="en", currency="USD", name="Grace Miller")
    phone = call("+13055550123")
    phone.start()
    phone.say("my internet is down")
    spoken, verb = phone.say("bye")
    assert verb == "Hangup"
    assert nothing_booked_or_escalated(session)


def test_cancelar_during_troubleshooting_stops_it_without_a_person(sms, customer_factory, session):
    customer_factory()
    thread = sms(OWN)
    assert "Apaga tu módem" in thread.send("se me cayó el internet")
    reply = thread.send("cancelar")
    assert "lo dejamos ahí" in reply
    assert latest_state(session)["flow"] is None and nothing_booked_or_escalated(session)


def test_cancelar_in_the_cancellation_flow_confirms_the_cancellation(
    sms, customer_factory, session
):
    customer = customer_factory()
    customer.accounts[0].days_past_due = 120  # let go: asked to confirm directly
    session.commit()
    thread = sms(OWN)
    thread.send("quiero cancelar el servicio")
    assert "Confirmas" in thread.send("4050")
    assert "solicitud de cancelación" in thread.send("cancelar")


def test_english_goodbye_after_a_resolved_answer(sms, customer_factory, session):
    customer_factory(phone="+13055550123", language="en", currency="USD", name="Grace Miller")
    thread = sms("+13055550123")
    thread.send("where do I pay my bill")
    reply = thread.send("thanks, bye")
    assert "Thank you for contacting" in reply or "Have a great day" in reply
    assert nothing_booked_or_escalated(session)


def test_asking_for_a_person_with_a_cedula_goes_to_the_person(sms, cedula_holder, session):
    reply = sms(UNKNOWN).send("quiero hablar con un asesor, mi cédula es 1019673750")
    assert "asesor" in reply and "año naciste" not in reply
    session.expire_all()
    assert session.scalars(select(Escalation)).one().reason == "agent_request"


# --- silence while the bot waits for an answer ---------------------------------------------------


@pytest.mark.parametrize(
    ("language", "phone", "ask", "question", "heard_not", "still_here", "answer", "answered"),
    [
        (
            "es",
            "+573001112233",
            "mi saldo",
            "últimos cuatro dígitos",
            "No te escuché.",
            "Sigo aquí.",
            "cuatro cero cinco cero",
            "Tu saldo",
        ),
        (
            "en",
            "+13055550123",
            "my balance",
            "last four digits",
            "I didn't hear you.",
            "I'm still here.",
            "four zero five zero",
            "The balance",
        ),
    ],
)
def test_silence_at_the_verification_question_repeats_that_question(
    call,
    customer_factory,
    session,
    language,
    phone,
    ask,
    question,
    heard_not,
    still_here,
    answer,
    answered,
):
    customer_factory(phone=phone, language=language, currency="COP" if language == "es" else "USD")
    caller = call(phone)
    caller.start()
    asked, _ = caller.say(ask)
    assert question in asked
    again, _ = caller.say("")
    assert again.startswith(heard_not) and question in again
    assert "How can I help" not in again and "En qué te puedo ayudar" not in again
    once_more, _ = caller.say("")
    assert once_more.startswith(still_here) and question in once_more
    state = latest_state(session)
    assert state["awaiting"] == "verify" and state["verify_attempts"] == 0
    told, _ = caller.say(answer)
    assert answered in told and latest_state(session)["verified"] is True


def test_silence_with_nothing_asked_gets_the_general_prompt(call, customer_factory, session):
    customer_factory(phone="+573001112233")
    caller = call("+573001112233")
    caller.start()
    reply, _ = caller.say("")
    assert "En qué te puedo ayudar" in reply

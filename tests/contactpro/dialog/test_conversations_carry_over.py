"""A conversation picked up by a new call or message: the question left waiting is asked again
before a yes counts, a new request is served instead, what needed the second factor waits for it
again on another number, and a hand-off carries everything tried so far."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    agreements,
    escalations,
    latest_state,
)
from tests.contactpro.messaging.conftest import replies, whatsapp_params

OTHER_SPANISH = "+573009990555"
OTHER_ENGLISH = "+13055550999"


def _left_at_the_restated_offer(call, request, phone: str, language: str) -> None:
    """Call, verify, pick the second offer and hang up while the bot waits for the yes."""
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    first = call(phone)
    first.start()
    first.say("quiero negociar mi deuda" if language == "es" else "I want to negotiate my debt")
    first.press("4050")
    restated, _ = first.say("la segunda" if language == "es" else "the second one")
    assert ("¿Lo acepto" if language == "es" else "Shall I") in restated
    first.hang_up(40)


# --- the question left waiting is asked again ----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "phone", "amount", "total", "yes", "booked"),
    [
        ("es", SPANISH, "416250 pesos", Decimal("416250"), "sí", "registré tu acuerdo"),
        ("en", ENGLISH, "198 dollars", Decimal("198.00"), "yes", "recorded your agreement"),
    ],
)
def test_call_back_repeats_the_pending_confirmation_and_a_yes_books_it(
    call, request, session, language, phone, amount, total, yes, booked
):
    _left_at_the_restated_offer(call, request, phone, language)
    again = call(phone)
    greeting, verb = again.start()
    assert verb == "Gather" and amount in greeting
    assert ("retomemos donde quedamos" if language == "es" else "pick up where we left") in greeting
    assert "En qué más te puedo ayudar" not in greeting and "What else can I" not in greeting
    assert agreements(session) == []
    done, _ = again.say(yes)
    assert booked in done and amount in done
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.total) == ("settlement", total)


@pytest.mark.parametrize(
    ("language", "phone", "other", "served", "refused"),
    [
        ("es", SPANISH, "sí, buenas, quería preguntar por mi factura", "saldo", "registré"),
        ("en", ENGLISH, "yes hi, I wanted to ask about my bill", "balance", "recorded your"),
    ],
)
def test_call_back_with_another_request_books_nothing(
    call, request, session, language, phone, other, served, refused
):
    _left_at_the_restated_offer(call, request, phone, language)
    again = call(phone)
    again.start()
    answer, verb = again.say(other)
    assert verb == "Gather" and served in answer.lower() and refused not in answer
    assert agreements(session) == [] and escalations(session) == []


@pytest.mark.parametrize(
    ("language", "phone", "yes", "asked_again"),
    [("es", SPANISH, "sí", "retomemos donde quedamos"), ("en", ENGLISH, "yes", "where we left")],
)
def test_text_after_the_call_asks_the_confirmation_again_before_booking(
    call, sms, request, session, language, phone, yes, asked_again
):
    _left_at_the_restated_offer(call, request, phone, language)
    thread = sms(phone)
    first = thread.send(yes)
    # The question asked on the call, written for reading (never the voice's "416250 pesos").
    assert asked_again in first and ("416.250 pesos" in first or "198.00 dollars" in first)
    assert "416250 pesos" not in first and "0 0, 0 0" not in first
    assert agreements(session) == []
    thread.send(yes)
    [agreement] = agreements(session)
    assert agreement.total == (Decimal("416250") if language == "es" else Decimal("198.00"))


def test_call_back_while_the_id_digits_were_asked_serves_the_new_request(call, debtor, session):
    first = call(SPANISH)
    first.start()
    first.say("cuánto debo")
    first.hang_up(20)
    again = call(SPANISH)
    greeting, _ = again.start()
    assert "cuatro dígitos" in greeting and "En qué más" not in greeting
    asked, _ = again.say("quiero negociar mi deuda")
    assert "no coincide" not in asked and "cuatro dígitos" in asked
    offers, _ = again.press("4050")
    assert "Te ofrezco" in offers and "Tu saldo" not in offers
    state = latest_state(session)
    assert state["flow"] == "debt" and "verification_retry" not in state["steps"]
    assert state["verify_attempts"] == 0 and escalations(session) == []


def test_english_call_back_asking_for_the_debt_again_gets_the_offers(call, english_debtor, session):
    first = call(ENGLISH)
    first.start()
    first.say("I want to settle my debt")
    first.press("4050")
    first.say("hmm let me see")
    first.hang_up(30)
    again = call(ENGLISH)
    again.start()
    offers, verb = again.say("I want to settle my debt")
    assert verb == "Gather" and "I can offer" in offers and "240 dollars" in offers
    assert escalations(session) == [] and agreements(session) == []


# --- verification on another number does not carry over -------------------------------------------


def test_offers_heard_on_another_number_wait_for_the_second_factor(call, cedula_holder, session):
    elsewhere = call(OTHER_SPANISH)
    elsewhere.start()
    elsewhere.press("1")  # an unknown number hears the language menu
    elsewhere.say("quiero pagar mi deuda")
    elsewhere.press("1019673750")
    offers, _ = elsewhere.press("1990")
    assert "Te ofrezco" in offers
    elsewhere.hang_up(60)
    own = call(SPANISH)
    greeting, _ = own.start()
    assert "cuatro dígitos" in greeting
    assert "450.000" not in greeting and "Te ofrezco" not in greeting
    for said in ("la primera", "sí"):
        answer, _ = own.say(said)
        assert "pesos" not in answer and "registré" not in answer
    assert agreements(session) == []
    assert latest_state(session)["verified"] is False


def test_english_text_from_the_own_phone_asks_the_second_factor_first(
    call, sms, english_debtor, session
):
    elsewhere = call(OTHER_ENGLISH)
    elsewhere.start()
    elsewhere.press("2")
    elsewhere.say("I want to pay off my debt")
    elsewhere.press("1020304050")
    offers, _ = elsewhere.press("1988")
    assert "I can offer" in offers
    elsewhere.hang_up(60)
    thread = sms(ENGLISH)
    asked = thread.send("the first one")
    assert "four digits" in asked and "dollars" not in asked and "where we left" in asked
    assert "dollars" not in thread.send("yes") and agreements(session) == []
    offers_again = thread.send("4050")
    assert "I can offer" in offers_again and "240.00 dollars" in offers_again
    assert agreements(session) == []


# --- the hand-off packet ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "language", "said"),
    [
        (SPANISH, "es", "quiero hablar con un asesor, no me sirve ninguna de esas opciones"),
        (ENGLISH, "en", "I want to talk to a real person"),
    ],
)
def test_handoff_packet_holds_the_turn_that_handed_over(
    call, request, session, phone, language, said
):
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    phone_call = call(phone)
    phone_call.start()
    phone_call.say("quiero negociar mi deuda" if language == "es" else "I want to settle my debt")
    phone_call.press("4050")
    handoff, verb = phone_call.say(said)
    assert verb == "Enqueue"
    [escalation] = escalations(session)
    packet = escalation.context
    last = packet["transcript"][-1]
    assert (last["speaker"], last["text"], last["reply"]) == ("caller", said, handoff)
    assert "nothing recognisable" not in packet["summary"]
    assert "offered_plans" in packet["steps_tried"] and agreements(session) == []


def test_packet_of_a_photo_holds_its_caption(twilio, customer_factory, session):
    customer_factory(phone=SPANISH)
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM9/Media/ME9"
    params = whatsapp_params(SPANISH, "me cobraron doble este mes", media=[(url, "image/jpeg")])
    replies(twilio.post("/twilio/sms", params))
    [escalation] = escalations(session)
    assert escalation.reason == "customer_media"
    last = escalation.context["transcript"][-1]
    assert (last["speaker"], last["text"]) == ("caller", "me cobraron doble este mes")


def test_packet_of_a_call_back_carries_the_earlier_call(call, english_debtor, session):
    first = call(ENGLISH)
    first.start()
    first.say("I want to settle my debt")
    first.press("4050")
    first.say("hmm let me see")
    first.hang_up(30)
    again = call(ENGLISH)
    again.start()
    _, verb = again.say("I want to talk to a real person")
    assert verb == "Enqueue"
    [escalation] = escalations(session)
    packet = escalation.context
    assert {"asked_verification", "verified", "offered_plans"} <= set(packet["steps_tried"])
    earlier = packet["continued_from"]
    assert earlier["channel"] == "voice" and earlier["awaiting"] == "offer_choice"
    assert earlier["account"] == "0000120451"
    assert [o["total"] for o in earlier["offers"]][:1] == ["156.00"]
    said = [t["text"] for t in packet["transcript"] if t["speaker"] == "caller"]
    assert said == [
        "I want to settle my debt",
        "4050",
        "hmm let me see",
        "I want to talk to a real person",
    ]
    assert "continues an earlier conversation by voice" in packet["summary"]
    assert packet["verified"] is True and agreements(session) == []


# --- a stranger's unfinished call ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "cancel", "greeting_words"),
    [
        ("es", "quiero cancelar mi servicio", ("retomemos", "naciste", "Te ofrezco")),
        ("en", "I want to cancel my service", ("pick up where", "born", "offer you")),
    ],
)
def test_a_strangers_unverified_call_is_never_picked_up_on_the_customers_own(
    call, cedula_holder, session, language, cancel, greeting_words
):
    """Someone on another number types the customer's cédula, asks to cancel and hangs up at
    the second factor: the customer's own call starts afresh, and nothing is offered or booked."""
    if language == "en":
        cedula_holder.preferred_language = "en"
        session.commit()
    stranger = call(OTHER_SPANISH)
    stranger.start()
    stranger.press("1" if language == "es" else "2")
    stranger.say(cancel)
    asked, _ = stranger.say("1019673750")
    assert ("naciste" if language == "es" else "born") in asked
    stranger.hang_up(30)
    own = call(SPANISH)
    greeting, verb = own.start()
    assert verb == "Gather"
    assert not any(words in greeting for words in greeting_words)
    assert latest_state(session).get("continued_from") is None
    reply, _ = own.say("sí")
    assert not any(words in reply for words in greeting_words)
    assert agreements(session) == [] and escalations(session) == []

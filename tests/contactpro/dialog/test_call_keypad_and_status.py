"""Callers on the phone: silence after a call picked up again, and Twilio's callbacks that
arrive after the caller hung up (a late status, a late turn) never rewrite how the call ended."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contactpro.models import Interaction
from tests.conftest import wait_for
from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, agreements, escalations

CASES = {
    "es": {
        "phone": SPANISH,
        "debt": "quiero negociar mi deuda",
        "second": "la segunda",
        "confirm": "¿Lo acepto",
        "greeting": "retomemos donde quedamos",
        "hello": "Hola",
        "not_heard": "No te escuché",
        "amount": "416250 pesos",
        "balance": "cuánto debo",
    },
    "en": {
        "phone": ENGLISH,
        "debt": "I want to negotiate my debt",
        "second": "the second one",
        "confirm": "Shall I",
        "greeting": "pick up where we left off",
        "hello": "Hi ",
        "not_heard": "I didn't hear you",
        "amount": "198 dollars",
        "balance": "how much do I owe",
    },
}


def _voice_interactions(session) -> list[Interaction]:
    session.expire_all()
    return list(
        session.scalars(
            select(Interaction).where(Interaction.channel == "voice").order_by(Interaction.id)
        )
    )


def _closed(session, count: int = 1) -> list[Interaction]:
    """Wait until the first ``count`` calls are closed (the close task may still run)."""
    return wait_for(
        lambda: (
            rows
            if len(rows := _voice_interactions(session)) >= count
            and all(row.status == "closed" for row in rows[:count])
            else None
        )
    )


@pytest.mark.parametrize("language", ["es", "en"])
def test_silence_after_a_call_back_asks_the_question_without_greeting_again(
    call, request, session, language
):
    case = CASES[language]
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    first = call(case["phone"])
    first.start()
    first.say(case["debt"])
    first.press("4050")
    restated, _ = first.say(case["second"])
    assert case["confirm"] in restated
    first.hang_up(40)

    again = call(case["phone"])
    greeting, _ = again.start()
    assert case["greeting"] in greeting and case["amount"] in greeting
    reprompt, verb = again.say("")
    assert verb == "Gather"
    assert reprompt.startswith(case["not_heard"])
    assert case["confirm"] in reprompt and case["amount"] in reprompt
    assert case["greeting"] not in reprompt and case["hello"] not in reprompt
    again.hang_up(15)

    # Hung up again: the third call greets once, and still asks the same question.
    third = call(case["phone"])
    greeting, _ = third.start()
    assert greeting.count(case["greeting"]) == 1 and greeting.count(case["hello"]) == 1
    assert case["confirm"] in greeting and case["amount"] in greeting
    assert agreements(session) == [] and escalations(session) == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_late_in_progress_status_keeps_the_call_answered_by_an_agent(
    call, twilio, request, session, language
):
    case = CASES[language]
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    phone = call(case["phone"])
    phone.start()
    _, verb = phone.press("0")
    assert verb == "Enqueue"
    phone.hang_up(90)
    _closed(session)
    # Twilio does not promise the order of its callbacks: a stale one comes last.
    late = {"CallSid": phone.sid, "From": case["phone"], "CallStatus": "in-progress"}
    assert twilio.post("/twilio/voice/status", late).status_code == 204
    result = {"CallSid": phone.sid, "QueueResult": "bridged", "QueueTime": "25"}
    assert twilio.post(f"/twilio/voice/queue-result?lang={language}", result).status_code == 200
    [interaction] = _voice_interactions(session)
    assert interaction.twilio_status == "completed"
    assert (interaction.outcome, interaction.close_reason) == ("escalated", "escalated_answered")
    [escalation] = escalations(session)
    assert (escalation.queue_result, escalation.queue_seconds) == ("bridged", 25)


@pytest.mark.parametrize("language", ["es", "en"])
def test_turn_delivered_after_the_hang_up_leaves_the_call_closed(call, request, session, language):
    case = CASES[language]
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    phone = call(case["phone"])
    phone.start()
    phone.say(case["balance"])
    asked_at = phone.path
    phone.hang_up(20)
    [before] = _closed(session)
    ended_at = before.ended_at
    assert (before.outcome, before.close_reason) == ("abandoned", "hung_up_mid_flow")
    # The answer to the last prompt reaches the server after the status callback.
    phone.path = asked_at
    phone.press("4050")
    [after] = _voice_interactions(session)
    assert after.status == "closed" and after.ended_at == ended_at
    assert (after.outcome, after.close_reason, after.duration_seconds) == (
        "abandoned",
        "hung_up_mid_flow",
        20,
    )


KEYPAD = {
    "es": ("Con el teclado, marca 1 para sí o 2 para no.", "registré tu acuerdo", "Tu saldo"),
    "en": ("On the keypad, press 1 for yes or 2 for no.", "recorded your agreement", "balance on"),
}
OTHER_OPTIONS = {"es": ("Otras opciones", "Puedes pagar"), "en": ("Other options", "You can pay")}


@pytest.mark.parametrize("language", ["es", "en"])
def test_pressing_1_at_the_agreement_confirmation_books_it(call, request, session, language):
    case = CASES[language]
    keys_said, booked, balance = KEYPAD[language]
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    phone = call(case["phone"])
    phone.start()
    phone.say(case["debt"])
    phone.press("4050")
    restated, verb = phone.say(case["second"])
    assert verb == "Gather" and case["confirm"] in restated and restated.endswith(keys_said)
    done, _ = phone.press("1")
    assert booked in done and balance not in done
    [agreement] = agreements(session)
    assert agreement.status == "active"
    assert escalations(session) == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_pressing_2_at_the_agreement_confirmation_books_nothing(call, request, session, language):
    case = CASES[language]
    _, booked, balance = KEYPAD[language]
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    phone = call(case["phone"])
    phone.start()
    phone.say(case["debt"])
    phone.press("4050")
    phone.say(case["second"])
    answer, verb = phone.press("2")
    assert verb == "Gather"
    others, how_to_pay = OTHER_OPTIONS[language]
    assert others in answer and how_to_pay not in answer  # a no, not the main menu's 2
    assert booked not in answer and balance not in answer
    assert "2 para" not in answer and "press 1" not in answer  # no longer a confirmation
    assert agreements(session) == []

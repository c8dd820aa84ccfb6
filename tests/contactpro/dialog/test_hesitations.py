"""Yes and no at questions whose yes books something, as customers really answer them.

A hesitation or a question back ("hmm", "mmm", "eh?", "¿y eso?", "what?", "umm ok?", "ajá?",
"depende") is no answer: the question is asked again and nothing is booked or refused, on SMS,
WhatsApp or a call, in Spanish and English. A real yes ("sí, dale", "de acuerdo", "yes please",
"ok") still books.
"""

from __future__ import annotations

import pytest

from contactpro.nlu.rules import apply_rules, hesitates
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    agreements,
    escalations,
    latest_state,
)

SPANISH_DOUBTS = ["hmm", "mmm", "eh?", "¿y eso?", "ajá?", "no sé", "ni idea", "depende"]
ENGLISH_DOUBTS = ["hmm", "mmm", "what?", "huh", "umm ok?", "eh?"]


@pytest.mark.parametrize("text", [*SPANISH_DOUBTS, *ENGLISH_DOUBTS])
def test_a_hesitation_is_neither_yes_nor_no(text):
    assert hesitates(text)
    assert apply_rules(text, source="text", language="es").intent not in ("affirm", "deny")


@pytest.mark.parametrize("text", ["sí, dale", "ok", "yes please", "uh huh", "mm-hmm", "ajá", "no"])
def test_a_bare_yes_or_no_is_no_hesitation(text):
    assert not hesitates(text)


@pytest.mark.parametrize(
    ("channel", "doubt", "yes"),
    [
        ("sms", "hmm", "sí, dale"),
        ("sms", "¿y eso?", "de acuerdo"),
        ("whatsapp", "mmm", "ok"),
        ("whatsapp", "ajá?", "sí, dale"),
    ],
)
def test_spanish_hesitation_at_the_offer_books_nothing_then_a_yes_books(
    sms, debtor, session, channel, doubt, yes
):
    thread = sms(SPANISH if channel == "sms" else f"whatsapp:{SPANISH}")
    thread.send_all("quiero negociar mi deuda", "4050")
    assert "¿Lo acepto y lo registro?" in thread.send("la primera")
    again = thread.send(doubt)
    assert "382.500 pesos" in again and "registré" not in again
    assert agreements(session) == [] and escalations(session) == []
    assert latest_state(session)["awaiting"] == "offer_confirm"
    assert "registré tu acuerdo" in thread.send(yes)
    assert len(agreements(session)) == 1


@pytest.mark.parametrize("doubt", ["hmm", "mmm", "what?", "umm ok?", "huh"])
def test_english_hesitation_at_the_offer_books_nothing_then_yes_please_books(
    sms, english_debtor, session, doubt
):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    thread.send("the first one")
    again = thread.send(doubt)
    assert "Shall I record" in again and "recorded your agreement" not in again
    assert agreements(session) == [] and escalations(session) == []
    thread.send("yes please")
    assert len(agreements(session)) == 1


@pytest.mark.parametrize(
    ("language", "doubt", "yes"),
    [("es", "mmm", "de acuerdo"), ("en", "hmm", "ok")],
)
def test_call_hesitation_books_nothing_then_a_yes_books(
    call, debtor, session, language, doubt, yes
):
    phone = call(SPANISH)
    phone.start()
    phone.say("quiero negociar mi deuda")
    phone.press("4050")
    phone.say("la primera")
    spoken, verb = phone.say(doubt)
    assert verb == "Gather" and "registré" not in spoken
    assert agreements(session) == []
    phone.say(yes)
    assert len(agreements(session)) == 1


@pytest.mark.parametrize(
    ("phone_number", "opening", "doubts", "question"),
    [
        (SPANISH, "ya pague, si les llego?", SPANISH_DOUBTS, "¿Quieres que un asesor lo revise?"),
        (ENGLISH, "did my payment go through?", ENGLISH_DOUBTS, "an agent to look into it?"),
    ],
)
def test_hesitations_at_the_payment_review_neither_hand_over_nor_decline(
    sms, customer_factory, session, phone_number, opening, doubts, question
):
    if phone_number == SPANISH:
        customer_factory()
    else:
        customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")
    thread = sms(phone_number)
    thread.send(opening)
    assert question in thread.send("4050")
    for doubt in doubts:
        assert question in thread.send(doubt)
        assert escalations(session) == []
        state = latest_state(session)
        assert state["awaiting"] == "payment_review"
        assert "declined_payment_review" not in state["steps"]
    thread.send("sí, por favor" if phone_number == SPANISH else "yes please")
    assert [e.reason for e in escalations(session)] == ["payment_not_found"]


# --- a conversation begun by SMS and continued on a call ------------------------------------------


@pytest.mark.parametrize(
    ("phone_number", "asked_for", "spoken", "written"),
    [
        (SPANISH, "quiero negociar mi deuda", "dime los últimos cuatro dígitos", "escríbeme"),
        (ENGLISH, "I want to negotiate my debt", "tell me the last four digits", "text me"),
    ],
)
def test_a_call_continuing_an_sms_asks_with_spoken_words(
    request, sms, call, session, phone_number, asked_for, spoken, written
):
    request.getfixturevalue("debtor" if phone_number == SPANISH else "english_debtor")
    thread = sms(phone_number)
    assert written in thread.send(asked_for).lower()
    phone = call(phone_number)
    heard, verb = phone.start()
    assert verb == "Gather"
    assert spoken in heard.lower() and written not in heard.lower()
    phone.press("4050")
    assert latest_state(session)["verified"]


def test_a_weak_guess_of_no_at_the_offer_asks_again_rather_than_refusing(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    thread.send("la primera")
    again = thread.send("el coso ese no sirve")
    assert "382.500 pesos" in again and "Otras opciones" not in again
    assert latest_state(session)["awaiting"] == "offer_confirm"
    thread.send("de acuerdo")
    assert len(agreements(session)) == 1


@pytest.mark.parametrize(
    ("phone_number", "claim", "spoken", "written"),
    [
        (SPANISH, "pagué 60.000 por PSE", "El asesor tendrá el monto que me diste", "escríbela"),
        (ENGLISH, "I paid 40 dollars online", "The agent will have the amount you gave", "send it"),
    ],
)
def test_a_caller_with_an_unmatched_payment_is_not_told_to_write(
    call, customer_factory, session, phone_number, claim, spoken, written
):
    if phone_number == SPANISH:
        customer_factory()
    else:
        customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")
    phone = call(phone_number)
    phone.start()
    phone.say("ya pagué" if phone_number == SPANISH else "I already paid")
    phone.press("4050")
    heard, verb = phone.say(claim)
    assert spoken in heard and written not in heard
    assert ("tenla a mano" if phone_number == SPANISH else "have it ready") in heard
    # The hand-over is said once: by the line that puts the caller through.
    handing = (
        ("Le paso", "Te comunico") if phone_number == SPANISH else ("I'm passing", "connecting you")
    )
    assert handing[0] not in heard and heard.count(handing[1]) == 1, heard
    assert [e.reason for e in escalations(session)] == ["payment_not_found"]

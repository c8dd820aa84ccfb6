"""Someone who says they are not the account holder, at the identity question, in Spanish and
English, by text and on a call.

They are told in one message that the account and its agreements are handled only with the
holder, that the holder's data can be given if the holder is with them, that general questions
are answered without identification, and that the holder can write or call from their own
number; no figure of the account is said. Saying so spends no identity attempt: the holder's
digits afterwards go on as usual (the agreement is booked on the holder's account), a general
question is answered from the knowledge base meanwhile, and a person asked for is told that the
writer is not the holder.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    agent_views,
    agreements,
    escalations,
    gathered,
    latest_state,
)

# Another number than the one on file, from each country.
OTHER_SPANISH, OTHER_ENGLISH = "+573001118888", "+13055550999"

CASES = {
    "es": {
        "phone": SPANISH,
        "other": OTHER_SPANISH,
        "debt": "quiero negociar mi deuda",
        "told": [
            "la cuenta y los acuerdos solo los manejo con el titular",
            "Si el titular esta contigo, escribeme los ultimos cuatro digitos de su documento.",
            "Sin identificarte te respondo preguntas generales: planes, precios, cobertura",
            "El titular tambien puede escribirnos o llamarnos desde su numero.",
        ],
        "holder_digits": "los ultimos cuatro digitos de su documento",
        # Any figure of the account, and the question worded for the holder.
        "never": ["450.000", "540.000", "382.500", "0000120451", "mora", "tu documento"],
        "reasked": "Antes de seguir necesito confirmar",
        "offer": "Tienes una deuda de 450.000 pesos",
        "count": "6 cuotas",
        "restated": "6 cuotas de 75.000 pesos",
        "yes": "si",
        "booked": (6, Decimal("75000")),
        "again": "Sin el titular solo puedo responderte preguntas generales",
        "dont_know": "no me los sé",
        "no_match": "Ese dato no coincide",
        "plans": "¿qué planes tienen?",
        "plans_answer": "(Fuente: Planes de internet para el hogar)",
        "how_to_pay": "¿cómo puedo pagar?",
        "how_to_pay_answer": "PSE",
        "agent": "quiero hablar con un asesor",
        "handed_over": "asesor",  # in business hours or outside them
        "identify_told": "Si el titular esta contigo, escribeme su numero de cedula o de cuenta.",
        "identify_never": "tu numero de cedula",
        "birth_year": "Si el titular esta contigo, escribeme el ano en que nacio.",
    },
    "en": {
        "phone": ENGLISH,
        "other": OTHER_ENGLISH,
        "debt": "I want to negotiate my debt",
        "told": [
            "accounts and agreements are handled only with the holder",
            "If the account holder is with you, please text me the last four digits of their ID.",
            "I can answer general questions without ID: plans, prices, coverage",
            "The holder can also text or call us from their own number.",
        ],
        "holder_digits": "the last four digits of their ID",
        "never": ["240.00", "300.00", "156.00", "0000120451", "past due", "your ID"],
        "reasked": "Before I go on I need to confirm",
        "offer": "You owe 240.00 dollars",
        "count": "6 instalments",
        "restated": "6 instalments of 40.00 dollars",
        "yes": "yes",
        "booked": (6, Decimal("40.00")),
        "again": "Without the account holder I can only answer general questions",
        "dont_know": "I don't know them",
        "no_match": "That doesn't match",
        "plans": "what plans do you have?",
        "plans_answer": "(Source: Home internet plans)",
        "how_to_pay": "how can I pay?",
        "how_to_pay_answer": "AutoPay",
        "agent": "I want to talk to a person",
        "handed_over": "agent",
        "identify_told": "If the account holder is with you, please text me their ID or account "
        "number.",
        "identify_never": "your ID or account number",
        "birth_year": "If the account holder is with you, please text me the year they were born.",
    },
}
SAID = [
    ("es", "no soy el titular"),
    ("es", "no soy el titular, soy la esposa"),
    ("es", "la cuenta está a nombre de mi papá"),
    ("en", "I'm not the account holder"),
    ("en", "it's my husband's account"),
    ("en", "I'm calling about my husband's debt"),
    ("es", "llamo por la deuda de mi papá"),
]


def plain(text: str) -> str:
    """Return ``text`` without accents (a long SMS goes out in GSM-7 letters)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _holder(request, language: str) -> None:
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")


def _tells_nothing_of_the_account(reply: str, case: dict) -> None:
    for words in case["never"]:
        assert words not in reply, (words, reply)


def _holders_digits_book(thread, request, session, language: str) -> None:
    """Give the holder's digits, ask for the plan and say yes: the agreement is booked on the
    holder's account, nobody handed over."""
    case = CASES[language]
    assert case["offer"] in plain(thread.send("4050"))
    assert case["restated"] in plain(thread.send(case["count"]))
    thread.send(case["yes"])
    [agreement] = agreements(session)
    holder = request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    assert agreement.account_id == holder.accounts[0].id
    assert (agreement.instalments, agreement.instalment_amount) == case["booked"]
    assert escalations(session) == []


def _agent_told_not_the_holder(app, thread, session, language: str) -> None:
    """Ask for a person: the hand-over says nothing of the account, and the agent's page says,
    in both languages, that the writer is not the holder."""
    case = CASES[language]
    reply = plain(thread.send(case["agent"]))
    assert case["handed_over"] in reply
    _tells_nothing_of_the_account(reply, case)
    [escalation] = escalations(session)
    assert escalation.reason == "agent_request"
    assert escalation.context["details"]["not_holder"] is True
    assert escalation.context["verified"] is False
    assert agreements(session) == []
    spanish, english, _ = agent_views(app, session, escalation.id)
    assert "Quien escribe dijo que no es el titular de la cuenta" in gathered(spanish)
    assert "The writer said they are not the account holder" in gathered(english)


@pytest.mark.parametrize(("language", "said"), SAID)
def test_not_the_holder_is_told_what_can_be_done_then_the_holders_digits_book_the_agreement(
    sms, request, session, language, said
):
    case = CASES[language]
    _holder(request, language)
    thread = sms(case["phone"])
    thread.send(case["debt"])
    reply = plain(thread.send(said))
    for words in case["told"]:
        assert words in reply, (words, reply)
    _tells_nothing_of_the_account(reply, case)
    assert case["reasked"] not in reply
    state = latest_state(session)
    assert (state["awaiting"], state["verify_attempts"]) == ("verify", 0)
    assert agreements(session) == [] and escalations(session) == []

    # The holder is with them: the holder's digits go on as usual, on the holder's account.
    _holders_digits_book(thread, request, session, language)


@pytest.mark.parametrize("language", ["es", "en"])
def test_saying_it_again_or_not_knowing_the_digits_spends_no_attempt(
    sms, request, session, language
):
    case = CASES[language]
    _holder(request, language)
    thread = sms(case["phone"])
    thread.send(case["debt"])
    said = [s for lang, s in SAID if lang == language]
    first = plain(thread.send(said[0]))
    assert case["told"][0] in first
    # Said again, then "I don't know them": a short reminder, no failed try, no hand-over.
    for turn in (said[1], case["dont_know"]):
        reply = plain(thread.send(turn))
        assert case["again"] in reply and case["holder_digits"] in reply, reply
        assert case["told"][0] not in reply and case["no_match"] not in reply
        _tells_nothing_of_the_account(reply, case)
    assert latest_state(session)["verify_attempts"] == 0
    # A wrong number is a failed try, asked again for the holder's digits; the right one passes.
    wrong = plain(thread.send("1111"))
    assert case["no_match"] in wrong and case["holder_digits"] in wrong, wrong
    _tells_nothing_of_the_account(wrong, case)
    assert case["offer"] in plain(thread.send("4050"))
    assert escalations(session) == [] and agreements(session) == []


@pytest.mark.parametrize(
    ("language", "taken_back", "usual"),
    [
        (
            "es",
            "ah no perdón, sí soy yo el titular",
            "Por tu seguridad, escribeme los ultimos cuatro digitos de tu documento.",
        ),
        (
            "en",
            "actually yes I am the holder, sorry",
            "For your security, please text me the last four digits of your ID.",
        ),
    ],
)
def test_the_holder_taking_it_back_is_asked_as_a_holder(
    sms, request, session, language, taken_back, usual
):
    case = CASES[language]
    _holder(request, language)
    thread = sms(case["phone"])
    thread.send(case["debt"])
    assert case["told"][0] in plain(thread.send(SAID[0][1] if language == "es" else SAID[3][1]))
    reply = plain(thread.send(taken_back))
    assert usual in reply and case["holder_digits"] not in reply, reply
    assert "not_holder" not in latest_state(session)["handoff"]
    assert case["offer"] in plain(thread.send("4050"))
    assert escalations(session) == [] and agreements(session) == []


@pytest.mark.parametrize(
    ("language", "said", "what", "needs"),
    [
        ("es", "no soy el titular", "Que necesita el titular?", "quiere saber cuánto debe"),
        ("es", "no soy el titular, es de mi mamá", "Que necesita el titular?", "el saldo"),
        (
            "en",
            "it's my husband's account",
            "What does the account holder need?",
            "he wants to know how much he owes",
        ),
    ],
)
def test_saying_only_that_the_account_is_someone_elses_is_answered(
    sms, request, session, language, said, what, needs
):
    case, first = CASES[language], FIRST[language]
    _holder(request, language)
    thread = sms(case["phone"])
    reply = plain(thread.send(said))
    assert what in reply and case["told"][0] in reply, reply
    assert "no entend" not in reply and "didn't quite get" not in reply
    _tells_nothing_of_the_account(reply, case)
    asked = plain(thread.send(needs))
    assert case["holder_digits"] in asked, asked
    _tells_nothing_of_the_account(asked, case)
    assert first["balance_told"] in plain(thread.send("4050"))
    assert escalations(session) == [] and agreements(session) == []


ENDED = {
    "es": "Sin los datos del titular no puedo avanzar con la cuenta",
    "en": "Without the holder's details I can't go further with the account",
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_without_the_holders_data_the_account_waits_for_its_holder_nobody_failed(
    sms, request, session, language
):
    case = CASES[language]
    _holder(request, language)
    thread = sms(case["phone"])
    thread.send(case["debt"])
    assert case["told"][0] in plain(thread.send(SAID[0][1] if language == "es" else SAID[3][1]))
    unknown = {
        "es": ["no me los sé", "no sé", "ni idea"],
        "en": ["I don't know them", "no idea", "dunno"],
    }
    replies = [plain(thread.send(turn)) for turn in unknown[language]]
    assert all(case["again"] in reply for reply in replies[:2]), replies
    assert plain(ENDED[language]) in replies[2] and case["holder_digits"] not in replies[2]
    _tells_nothing_of_the_account(replies[2], case)
    assert escalations(session) == [] and agreements(session) == []
    state = latest_state(session)
    assert (state["awaiting"], state["verify_attempts"]) == (None, 0)
    # A general question afterwards is still answered.
    plans = plain(thread.send(case["plans"]))
    assert case["plans_answer"] in plans, plans


@pytest.mark.parametrize("language", ["es", "en"])
def test_general_questions_are_answered_while_the_holders_digits_wait(
    sms, request, session, language
):
    case = CASES[language]
    _holder(request, language)
    thread = sms(case["phone"])
    thread.send_all(case["debt"], SAID[0][1] if language == "es" else SAID[3][1])
    plans = plain(thread.send(case["plans"]))
    assert case["plans_answer"] in plans, plans
    assert case["reasked"] not in plans
    # The holder's question follows the answer: it still waits.
    assert plans.index(case["plans_answer"]) < plans.index(case["holder_digits"]), plans
    _tells_nothing_of_the_account(plans, case)
    paying = plain(thread.send(case["how_to_pay"]))
    assert case["how_to_pay_answer"] in paying, paying
    assert paying.index(case["how_to_pay_answer"]) < paying.index(case["holder_digits"])
    _tells_nothing_of_the_account(paying, case)
    # A question no article answers is no reason to hand the request over.
    unknown = {"es": "¿tienen servicio de cable para mascotas?", "en": "do you sell pet cable?"}
    reminded = plain(thread.send(unknown[language]))
    assert case["holder_digits"] in reminded and escalations(session) == [], reminded
    state = latest_state(session)
    assert (state["awaiting"], state["verified"], state["verify_attempts"]) == ("verify", False, 0)
    # The identity question still waits: the holder's digits take up the request.
    assert case["offer"] in plain(thread.send("4050"))
    assert escalations(session) == [] and agreements(session) == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_person_asked_for_is_told_the_writer_is_not_the_holder(
    app, sms, request, session, language
):
    case = CASES[language]
    _holder(request, language)
    thread = sms(case["phone"])
    thread.send_all(case["debt"], SAID[2][1] if language == "es" else SAID[4][1])
    _agent_told_not_the_holder(app, thread, session, language)


@pytest.mark.parametrize("language", ["es", "en"])
def test_from_another_number_the_holders_id_and_birth_year_are_asked_for(
    sms, request, session, language
):
    case = CASES[language]
    _holder(request, language)
    thread = sms(case["other"])
    thread.send(case["debt"])
    reply = plain(thread.send(SAID[0][1] if language == "es" else SAID[3][1]))
    assert case["identify_told"] in reply and case["told"][0] in reply, reply
    assert case["identify_never"] not in reply
    assert latest_state(session)["identify_attempts"] == 0
    assert case["birth_year"] in plain(thread.send("1020304050"))
    assert case["offer"] in plain(thread.send("1988"))
    thread.send(case["count"])
    thread.send(case["yes"])
    [agreement] = agreements(session)
    holder = request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    assert agreement.account_id == holder.accounts[0].id
    assert escalations(session) == []


VOICE = {
    "es": {
        "said": "no soy el titular",
        "told": [
            "la cuenta y los acuerdos solo los manejo con el titular",
            "Si el titular esta contigo, dime o marca los ultimos cuatro digitos de su documento.",
            "El titular tambien puede llamarnos desde su numero.",
        ],
        "never": ["escribirnos", "escribeme", "450000", "tu documento"],
        "not_heard": "No te escuche",
        "offer": "Tienes una deuda de 450000 pesos",
    },
    "en": {
        "said": "I'm not the account holder",
        "told": [
            "accounts and agreements are handled only with the holder",
            "If the account holder is with you, please say or key in the last four digits of "
            "their ID.",
            "The holder can also call us from their own number.",
        ],
        "never": ["text or call", "text me", "240 dollars", "your ID"],
        "not_heard": "I didn't hear you",
        "offer": "You owe 240 dollars",
    },
}


def _holders_question_heard(phone, session, voice: dict, reply: str, verb: str) -> None:
    """Check the not-holder explanation a caller heard, that silence asks the holder's question
    alone, and that the holder's digits on the keypad go on with the debt offer."""
    reply = plain(reply)
    assert verb == "Gather"
    for words in voice["told"]:
        assert words in reply, (words, reply)
    for words in voice["never"]:
        assert words not in reply, (words, reply)
    # Silence asks the holder's question alone, then the keypad answers it.
    reprompt, _ = phone.say("")
    reprompt = plain(reprompt)
    assert voice["not_heard"] in reprompt and voice["told"][1] in reprompt, reprompt
    assert voice["told"][0] not in reprompt
    offer, _ = phone.press("4050")
    assert voice["offer"] in plain(offer), offer
    state = latest_state(session)
    assert (state["verified"], state["verify_attempts"], state["handoff"]) == (
        True,
        0,
        {"not_holder": True},
    )
    assert escalations(session) == [] and agreements(session) == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_on_a_call_the_holders_digits_are_asked_by_voice_or_keypad(
    call, request, session, language
):
    case, voice = CASES[language], VOICE[language]
    _holder(request, language)
    phone = call(case["phone"])
    phone.start()
    phone.say(case["debt"])
    reply, verb = phone.say(voice["said"])
    _holders_question_heard(phone, session, voice, reply, verb)


# Said in the first message, along with the request: the request waits for the holder's data.
FIRST = {
    "es": {
        "debt": "hola, no soy el titular, quiero negociar la deuda de mi papá",
        "balance": "hola, no soy el titular, quiero saber cuánto debe mi papá",
        "balance_told": "Tu saldo en la cuenta 0000120451 es de 540.000 pesos",
        "cancel": "escribo por mi mamá, ella quiere cancelar el internet",
        "with_id": "no soy el titular, la cédula de mi papá es 1020304050, quiere negociar su "
        "deuda",
        # The usual question of a holder writing from their own number.
        "usual": "Por tu seguridad, escribeme los ultimos cuatro digitos de tu documento.",
        "in_passing": [
            "mi esposo y yo queremos negociar la deuda",
            "mi esposo y yo queremos un plan más rápido",
        ],
        "holder_words": "titular",
    },
    "en": {
        "debt": "I'm writing for my husband, he wants a payment plan for his debt",
        "balance": "I'm calling about my husband's account, how much does he owe?",
        "balance_told": "The balance on account 0000120451 is 300.00 dollars",
        "cancel": "I'm not the account holder, my mom wants to cancel her internet",
        "with_id": "I'm not the account holder, my dad's ID is 1020304050, he wants a payment "
        "plan for his debt",
        "usual": "For your security, please text me the last four digits of your ID.",
        "in_passing": [
            "my wife and I want to negotiate our debt",
            "my wife and I want a faster plan",
        ],
        "holder_words": "holder",
    },
}


def _told_as_not_the_holder(reply: str, case: dict) -> None:
    """Check the first identity question of a writer who said they are not the holder."""
    for words in case["told"]:
        assert words in reply, (words, reply)
    _tells_nothing_of_the_account(reply, case)
    assert case["reasked"] not in reply


def _marked(session) -> dict:
    state = latest_state(session)
    assert state["slots"]["not_holder"] is True and state["handoff"]["not_holder"] is True
    return state


@pytest.mark.parametrize("language", ["es", "en"])
def test_said_in_the_first_message_the_holders_digits_book_the_agreement(
    sms, request, session, language
):
    case, first = CASES[language], FIRST[language]
    _holder(request, language)
    thread = sms(case["phone"])
    reply = plain(thread.send(first["debt"]))
    _told_as_not_the_holder(reply, case)
    assert first["usual"] not in reply
    state = _marked(session)
    assert (state["awaiting"], state["pending_intent"]) == ("verify", "debt_negotiation")
    assert (state["verify_attempts"], state["verified"]) == (0, False)
    assert agreements(session) == [] and escalations(session) == []

    # The holder is with them: the request waiting goes on, booked on the holder's account.
    _holders_digits_book(thread, request, session, language)


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_balance_asked_in_the_first_message_is_told_only_after_the_holders_digits(
    sms, request, session, language
):
    case, first = CASES[language], FIRST[language]
    _holder(request, language)
    thread = sms(case["phone"])
    reply = plain(thread.send(first["balance"]))
    _told_as_not_the_holder(reply, case)
    assert first["balance_told"] not in reply
    assert _marked(session)["pending_intent"] == "billing_inquiry"
    assert first["balance_told"] in plain(thread.send("4050"))
    assert escalations(session) == [] and agreements(session) == []


# A relative's debt asked in the first message: the debt topic is understood (a balance
# question) and the writer is answered as someone who is not the holder, never asked which topic.
RELATIVES_DEBT = [
    ("es", "hola, no soy el titular, quiero saber la deuda de mi papá"),
    ("es", "quiero saber la deuda de mi papá"),
    ("es", "cuánto debe mi mamá"),
    ("en", "how much does my dad owe"),
    ("en", "what's my husband's balance?"),
]
TOPIC_ASKED = {"es": "no entendi", "en": "I didn't"}


@pytest.mark.parametrize(("language", "said"), RELATIVES_DEBT)
def test_a_relatives_debt_asked_first_gets_the_holders_question_then_the_balance(
    sms, request, session, language, said
):
    case, first = CASES[language], FIRST[language]
    _holder(request, language)
    thread = sms(case["phone"])
    reply = plain(thread.send(said))
    _told_as_not_the_holder(reply, case)
    assert first["usual"] not in reply and TOPIC_ASKED[language] not in reply, reply
    state = _marked(session)
    assert (state["awaiting"], state["pending_intent"]) == ("verify", "billing_inquiry")
    assert (state["verify_attempts"], state["clarifications"]) == (0, 0)
    # The holder is with them: the balance waiting is told on the holder's account.
    assert first["balance_told"] in plain(thread.send("4050"))
    assert escalations(session) == [] and agreements(session) == []


@pytest.mark.parametrize(
    ("language", "said", "balance"),
    [
        ("es", "quiero saber la deuda de mi papá", "es de 540000 pesos"),
        ("en", "how much does my dad owe", "is 300 dollars"),
    ],
)
def test_on_a_call_a_relatives_debt_asks_the_holders_digits(
    call, request, session, language, said, balance
):
    voice = VOICE[language]
    _holder(request, language)
    phone = call(CASES[language]["phone"])
    phone.start()
    reply, verb = phone.say(said)
    reply = plain(reply)
    assert verb == "Gather"
    for words in voice["told"]:
        assert words in reply, (words, reply)
    for words in voice["never"]:
        assert words not in reply, (words, reply)
    assert TOPIC_ASKED[language] not in reply
    told, _ = phone.press("4050")
    assert balance in plain(told), told
    assert latest_state(session)["handoff"] == {"not_holder": True}
    assert escalations(session) == [] and agreements(session) == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_after_the_first_message_general_questions_are_answered_and_a_person_is_told(
    app, sms, request, session, language
):
    case, first = CASES[language], FIRST[language]
    _holder(request, language)
    thread = sms(case["phone"])
    _told_as_not_the_holder(plain(thread.send(first["debt"])), case)
    plans = plain(thread.send(case["plans"]))
    assert case["plans_answer"] in plans and case["reasked"] not in plans, plans
    _tells_nothing_of_the_account(plans, case)
    # No digits: a short reminder of the holder's question, no failed try.
    again = plain(thread.send(case["dont_know"]))
    assert case["again"] in again and case["holder_digits"] in again, again
    assert case["told"][0] not in again
    state = latest_state(session)
    assert (state["awaiting"], state["verify_attempts"]) == ("verify", 0)

    _agent_told_not_the_holder(app, thread, session, language)


@pytest.mark.parametrize("language", ["es", "en"])
def test_from_another_number_the_first_message_asks_the_holders_id_then_cancels_theirs(
    sms, request, session, language
):
    case, first = CASES[language], FIRST[language]
    _holder(request, language)
    thread = sms(case["other"])
    reply = plain(thread.send(first["cancel"]))
    assert case["identify_told"] in reply and case["told"][0] in reply, reply
    assert case["identify_never"] not in reply
    _tells_nothing_of_the_account(reply, case)
    state = _marked(session)
    assert (state["awaiting"], state["pending_intent"]) == ("identify", "cancellation")
    assert state["identify_attempts"] == 0
    asked = plain(thread.send("1020304050"))
    assert case["birth_year"] in asked and "tu documento" not in asked, asked
    thread.send("1988")
    # The cancellation goes on, on the holder's account.
    state = latest_state(session)
    holder = request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    assert (state["flow"], state["verified"]) == ("cancellation", True)
    assert state["slots"]["account"] == holder.accounts[0].id
    assert state["handoff"]["not_holder"] is True
    assert escalations(session) == [] and agreements(session) == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_holders_id_in_the_first_message_asks_the_holders_birth_year(
    sms, request, session, language
):
    case, first = CASES[language], FIRST[language]
    _holder(request, language)
    thread = sms(case["other"])
    reply = plain(thread.send(first["with_id"]))
    assert case["birth_year"] in reply and case["told"][0] in reply, reply
    _tells_nothing_of_the_account(reply, case)
    assert _marked(session)["pending_intent"] == "debt_negotiation"
    assert case["offer"] in plain(thread.send("1988"))
    assert escalations(session) == [] and agreements(session) == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_relative_named_in_passing_by_the_holder_gets_the_usual_question(
    sms, request, session, language
):
    """A guard: "mi esposo y yo queremos negociar la deuda" from the holder's own number is the
    holder speaking."""
    case, first = CASES[language], FIRST[language]
    _holder(request, language)
    thread = sms(case["phone"])
    reply = plain(thread.send(first["in_passing"][0]))
    assert first["usual"] in reply, reply
    assert first["holder_words"] not in reply
    state = latest_state(session)
    assert "not_holder" not in state["slots"] and state["handoff"] == {}
    assert case["offer"] in plain(thread.send("4050"))
    assert escalations(session) == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_relative_named_in_passing_in_a_question_marks_no_third_party(
    sms, request, session, language
):
    """A guard: "mi esposo y yo queremos un plan más rápido" is no word about whose account."""
    case, first = CASES[language], FIRST[language]
    _holder(request, language)
    reply = plain(sms(case["phone"]).send(first["in_passing"][1]))
    assert case["told"][0] not in reply and first["holder_words"] not in reply, reply
    assert "not_holder" not in latest_state(session)["handoff"]
    for escalation in escalations(session):
        assert "not_holder" not in escalation.context["details"]


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "la cuenta es de mi casa en chia, cuanto debo"),
        ("es", "quiero que la factura salga a nombre de mi empresa"),
        ("es", "hola soy la jefa de hogar y quiero negociar la deuda"),
        ("en", "there's a charge on my bill that isn't mine"),
    ],
)
def test_the_holders_own_words_about_home_company_or_a_charge_mark_no_third_party(
    sms, request, session, language, said
):
    """A guard: a home, a company, the head of the household or a charge that is not theirs
    say nothing of whose account it is: the usual question, and no mark for the agent."""
    case, first = CASES[language], FIRST[language]
    _holder(request, language)
    reply = plain(sms(case["phone"]).send(said))
    assert case["told"][0] not in reply and first["holder_words"] not in reply, reply
    assert "not_holder" not in latest_state(session)["handoff"]


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "hola escribo por mi mami ella quiere negociar la deuda"),
        ("es", "llamo de parte de mi señora, quiere un acuerdo de pago por la deuda"),
        ("en", "its not my acount its my dads, he wants a payment plan for his debt"),
    ],
)
def test_other_ways_of_writing_for_someone_get_the_holders_question(
    sms, request, session, language, said
):
    case = CASES[language]
    _holder(request, language)
    reply = plain(sms(case["phone"]).send(said))
    _told_as_not_the_holder(reply, case)
    assert latest_state(session)["handoff"] == {"not_holder": True}


FIRST_SPOKEN = {
    "es": "no soy el titular, llamo por la deuda de mi papá, quiere un acuerdo de pago",
    "en": "I'm calling about my husband's account, he wants a payment plan for his debt",
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_on_a_call_the_first_request_asks_the_holders_digits(call, request, session, language):
    case, voice = CASES[language], VOICE[language]
    _holder(request, language)
    phone = call(case["phone"])
    phone.start()
    reply, verb = phone.say(FIRST_SPOKEN[language])
    _holders_question_heard(phone, session, voice, reply, verb)

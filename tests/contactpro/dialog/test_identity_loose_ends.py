"""Identity loose ends: a customer who will not give the data, and an id with a check digit.

"No te voy a dar mis datos", "no quiero dar mi cédula", "I'm not giving you that", "I won't share
my ID" is no wrong answer: it spends no attempt, the customer is told once why the data is asked
and asked again, and refusing again hands over to a person (``identity_refused``) with nothing of
the account said. An id on file with its check digit ("900123456-7", a NIT "9001234567") is
found when typed without it ("900123456"), and one on file without it when typed with it; a
different number is still not found.
"""

from __future__ import annotations

import pytest

from contactpro.models import Customer
from tests.contactpro.dialog.conftest import escalations, latest_state
from tests.contactpro.dialog.test_identity_answers_as_written import WORDS, plain

# What a refusal is told, and the words of a hand-over to a person.
WHY = {"es": "Te lo pido para proteger la cuenta", "en": "I ask to protect the account"}
ASK_ID = {"es": "cedula o de cuenta", "en": "ID or account number"}
REFUSALS = {
    "es": ("no te voy a dar mis datos", "no quiero dar mi cédula"),
    "en": ("I'm not giving you that", "I won't share my ID"),
}


def _holder(request, language: str) -> Customer:
    return request.getfixturevalue("debtor" if language == "es" else "english_debtor")


def _attempts(session) -> tuple[int, int, bool]:
    state = latest_state(session)
    return state["identify_attempts"], state["verify_attempts"], state["verified"]


def _reveals_nothing(reply: str, language: str) -> None:
    for figure in [*WORDS[language]["figures"], "0000120451", "Camila", "Grace", "4050"]:
        assert figure not in reply, (figure, reply)


# --- refusing to give the data ------------------------------------------------------------------


@pytest.mark.parametrize("language", ["es", "en"])
def test_refusing_the_security_question_is_told_why_then_a_person(sms, request, session, language):
    words = WORDS[language]
    _holder(request, language)
    thread = sms(words["phone"])
    assert words["last4"] in plain(thread.send(words["balance"]))
    first, second = REFUSALS[language]
    reply = plain(thread.send(first))
    assert WHY[language] in reply and words["last4"] in reply, reply
    assert words["wrong"] not in reply and words["dont_know_told"] not in reply
    _reveals_nothing(reply, language)
    assert _attempts(session) == (0, 0, False)
    assert escalations(session) == []
    handed = plain(thread.send(second))
    _reveals_nothing(handed, language)
    assert words["wrong"] not in handed and WHY[language] not in handed, handed
    assert _attempts(session) == (0, 0, False)
    [escalation] = escalations(session)
    assert escalation.reason == "identity_refused"


@pytest.mark.parametrize("language", ["es", "en"])
def test_refusing_the_identification_question_is_told_why_then_a_person(
    sms, request, session, language
):
    words = WORDS[language]
    _holder(request, language)
    thread = sms(words["other"])
    assert ASK_ID[language] in plain(thread.send(words["balance"]))
    first, second = REFUSALS[language]
    reply = plain(thread.send(second))
    assert WHY[language] in reply and ASK_ID[language] in reply, reply
    assert words["not_found"] not in reply and words["either"] not in reply
    assert _attempts(session) == (0, 0, False)
    assert escalations(session) == []
    handed = plain(thread.send(first))
    _reveals_nothing(handed, language)
    assert words["not_found"] not in handed, handed
    assert _attempts(session) == (0, 0, False)
    [escalation] = escalations(session)
    assert escalation.reason == "identity_refused"


@pytest.mark.parametrize("language", ["es", "en"])
def test_told_why_the_customer_may_still_give_the_data(sms, request, session, language):
    words = WORDS[language]
    _holder(request, language)
    thread = sms(words["phone"])
    thread.send(words["balance"])
    assert WHY[language] in plain(thread.send(REFUSALS[language][0]))
    assert words["told"] in plain(thread.send("4050"))
    assert _attempts(session) == (0, 0, True)
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "refusals"),
    [
        ("es", ("no te voy a dar mis datos", "no quiero dar mi cédula")),
        ("en", ("I'm not giving you that", "I won't share my ID")),
    ],
)
def test_on_a_call_a_refusal_is_told_why_then_a_person(call, request, session, language, refusals):
    words = WORDS[language]
    _holder(request, language)
    phone = call(words["phone"])
    phone.start()
    phone.say(words["balance"])
    reply, verb = phone.say(refusals[0])
    assert verb == "Gather" and WHY[language] in plain(reply), reply
    assert _attempts(session) == (0, 0, False) and escalations(session) == []
    handed, _ = phone.say(refusals[1])
    _reveals_nothing(plain(handed), language)
    [escalation] = escalations(session)
    assert escalation.reason == "identity_refused"
    assert _attempts(session) == (0, 0, False)


@pytest.mark.parametrize(
    ("language", "said"),
    [("es", "no me acuerdo"), ("en", "I don't remember")],
)
def test_not_remembering_is_still_no_refusal(sms, request, session, language, said):
    words = WORDS[language]
    _holder(request, language)
    thread = sms(words["phone"])
    thread.send(words["balance"])
    reply = plain(thread.send(said))
    assert words["dont_know_told"] in reply and WHY[language] not in reply, reply
    assert _attempts(session) == (0, 1, False)


# --- an id with a check digit ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on_file", "id_type", "said"),
    [
        ("900123456-7", "NIT", "900123456"),
        ("900123456-7", "CC", "900123456"),
        ("9001234567", "NIT", "900123456"),
        ("9001234567", "NIT", "mi nit es 900.123.456"),
        ("900123456-7", "NIT", "900123456-7"),
        ("900123456-7", "NIT", "9001234567"),
        ("900123456", "NIT", "900123456-7"),
        ("900123456", "NIT", "9001234567"),
    ],
)
def test_an_id_with_or_without_its_check_digit_identifies(
    sms, debtor, session, on_file, id_type, said
):
    debtor.national_id, debtor.national_id_type = on_file, id_type
    session.commit()
    words = WORDS["es"]
    thread = sms(words["other"])
    thread.send(words["balance"])
    asked = plain(thread.send(said))
    assert words["year"] in asked and words["not_found"] not in asked, asked
    state = latest_state(session)
    assert (state["customer_id"], state["identify_attempts"]) == (debtor.id, 0)
    assert words["told"] in plain(thread.send("1988"))
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("on_file", "id_type", "said"),
    [
        ("900123456-7", "NIT", "900123457"),  # another number
        ("900123456-7", "NIT", "900123456-8"),  # another check digit
        ("9001234567", "NIT", "9001234568"),
        ("9001234567", "NIT", "90012345"),  # the id cut short
        ("1019673750", "CC", "101967375"),  # a cédula carries no check digit
        ("101967375", "CC", "1019673750"),
    ],
)
def test_another_number_is_still_not_found(sms, debtor, session, on_file, id_type, said):
    debtor.national_id, debtor.national_id_type = on_file, id_type
    session.commit()
    words = WORDS["es"]
    thread = sms(words["other"])
    thread.send(words["balance"])
    reply = plain(thread.send(said))
    assert words["not_found"] in reply and words["year"] not in reply, reply
    state = latest_state(session)
    assert (state["customer_id"], state["identify_attempts"]) == (None, 1)


def test_an_english_customer_whose_id_carries_a_check_digit_is_found(sms, english_debtor, session):
    english_debtor.national_id, english_debtor.national_id_type = "900123456-7", "NIT"
    session.commit()
    words = WORDS["en"]
    thread = sms(words["other"])
    thread.send(words["balance"])
    asked = plain(thread.send("my ID is 900123456"))
    assert words["year"] in asked and words["not_found"] not in asked, asked
    assert words["told"] in plain(thread.send("1988"))
    assert escalations(session) == []


def test_on_a_call_an_id_said_without_its_check_digit_identifies(call, debtor, session):
    debtor.national_id, debtor.national_id_type = "900123456-7", "NIT"
    session.commit()
    phone = call(WORDS["es"]["other"])
    phone.start()
    phone.press("1")  # Spanish, at the language menu of an unknown number
    phone.say("cuánto debo")
    asked, _ = phone.say("nueve cero cero uno dos tres cuatro cinco seis")
    assert WORDS["es"]["year"] in plain(asked), asked
    told, _ = phone.say("ochenta y ocho")
    assert "es de 540000 pesos" in plain(told), told
    assert escalations(session) == []

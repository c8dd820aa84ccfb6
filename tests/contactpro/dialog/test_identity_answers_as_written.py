"""Identity answers as customers write and say them, in Spanish and English, by text and on a call.

An account number given at the security question ("cuánto debe la cuenta 0000120451?", "mi
cuenta es 0000120451", "account 0000120451") is no wrong answer: it spends no attempt, the
question says an account number does not confirm identity, and the request, once verified, is
answered on that account; another customer's account number reveals nothing, before or after.
Numbers written with a capital or a hyphen ("Cuatro cero cinco cero", "Nineteen eighty-eight."),
birth years in two digits ("del 88", "03/05/88"), a correction in the same message ("4051, no
perdón, 4050"), an id with its check digit ("12345678-K", "... guion cinco") and an id or the
last four digits split over two messages verify as the plain digits do. "No me acuerdo" is told
that the data is needed (or that the other datum will do), not that it does not match or was not
found; "¿para qué necesitas eso?" is told why.
"""

from __future__ import annotations

import unicodedata

import pytest

from contactpro.models import Customer
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_account,
    agreements,
    escalations,
    latest_state,
)
from tests.contactpro.dialog.test_conversations_foreign_accounts import OTHERS, someone_else

# Another number than the one on file, from each country: the caller is asked for an id first.
OTHER_SPANISH, OTHER_ENGLISH = "+573001118888", "+13055550999"

WORDS = {
    "es": {
        "phone": SPANISH,
        "other": OTHER_SPANISH,
        "balance": "cuánto debo",
        "debt": "quiero negociar mi deuda",
        "last4": "ultimos cuatro digitos de tu documento",
        "year": "en que ano naciste",
        "not_a_factor": "el numero de cuenta no sirve para confirmar la identidad",
        "wrong": "no coincide",
        "told": "Tu saldo en la cuenta 0000120451 es de 540.000 pesos",
        "figures": ["540.000", "450.000"],
        "foreign_refused": "La cuenta terminada en 7001 no esta a tu nombre",
        "foreign_figures": ["333.333", "Julian", "Pardo"],
        "pick": "la primera",
        "yes": "si",
        "dont_know": "no me acuerdo",
        "dont_know_told": "Sin ese dato no puedo confirmar que eres tu",
        "dont_know_account": "no me acuerdo del número de cuenta",
        "either": "me basta con uno de los dos datos",
        "not_found": "No encontre ese numero",
        "why": "¿para qué necesitas eso?",
        "why_told": "Te lo pido para proteger la cuenta",
    },
    "en": {
        "phone": ENGLISH,
        "other": OTHER_ENGLISH,
        "balance": "how much do I owe",
        "debt": "I want to negotiate my debt",
        "last4": "the last four digits of your ID",
        "year": "what year were you born",
        "not_a_factor": "an account number isn't enough to confirm identity",
        "wrong": "doesn't match",
        "told": "The balance on account 0000120451 is 300.00 dollars",
        "figures": ["300.00", "240.00"],
        "foreign_refused": "The account ending in 7001 is not in your name",
        "foreign_figures": ["333", "77.77", "Julian", "Pardo"],
        "pick": "the first one",
        "yes": "yes",
        "dont_know": "I don't remember",
        "dont_know_told": "Without that detail I can't confirm it's you",
        "dont_know_account": "I don't remember my account number",
        "either": "either one will do",
        "not_found": "couldn't find that number",
        "why": "why do you need that?",
        "why_told": "I ask to protect the account",
    },
}


def plain(text: str) -> str:
    """Return ``text`` without accents (a long SMS goes out in GSM-7 letters)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _holder(request, language: str) -> Customer:
    return request.getfixturevalue("debtor" if language == "es" else "english_debtor")


def _attempts(session) -> tuple[int, int, bool]:
    state = latest_state(session)
    return state["identify_attempts"], state["verify_attempts"], state["verified"]


ACCOUNT_GIVEN = [
    ("es", "cuánto debe la cuenta 0000120451?"),
    ("es", "mi cuenta es 0000120451"),
    ("en", "account 0000120451"),
    ("en", "what about account 0000120451?"),
]


@pytest.mark.parametrize(("language", "said"), ACCOUNT_GIVEN)
def test_an_account_number_at_the_security_question_spends_no_attempt(
    sms, request, session, language, said
):
    words = WORDS[language]
    _holder(request, language)
    thread = sms(words["phone"])
    assert words["last4"] in plain(thread.send(words["balance"]))
    reply = plain(thread.send(said))
    assert words["not_a_factor"] in reply and words["last4"] in reply, reply
    assert words["wrong"] not in reply
    for figure in words["figures"]:
        assert figure not in reply, (figure, reply)
    assert _attempts(session) == (0, 0, False)
    assert words["told"] in plain(thread.send("4050"))
    assert _attempts(session)[1:] == (0, True)
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "said"),
    [("es", "es por la cuenta 3104447654"), ("en", "it's for account 3104447654")],
)
def test_the_account_named_at_the_security_question_is_the_one_the_agreement_is_for(
    sms, request, session, language, said
):
    words = WORDS[language]
    holder = _holder(request, language)
    second = add_account(session, holder, "3104447654", "120000", 40)
    thread = sms(words["phone"])
    thread.send(words["debt"])
    assert words["not_a_factor"] in plain(thread.send(said))
    offer = plain(thread.send("4050"))
    assert "3104447654" in offer and "0000120451" not in offer, offer
    thread.send(words["pick"])
    thread.send(words["yes"])
    [agreement] = agreements(session)
    assert agreement.account_id == second.id
    assert _attempts(session)[1:] == (0, True)
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", f"cuánto debe la cuenta {OTHERS}?"),
        ("en", f"what about account {OTHERS}?"),
    ],
)
def test_another_customers_account_at_the_security_question_reveals_nothing(
    sms, request, session, language, said
):
    words = WORDS[language]
    _holder(request, language)
    someone_else(session)
    thread = sms(words["phone"])
    thread.send(words["balance"])
    reply = plain(thread.send(said))
    # The same words as for the caller's own account: nothing says whose it is.
    assert words["not_a_factor"] in reply and words["wrong"] not in reply, reply
    assert OTHERS[-4:] not in reply
    for figure in words["foreign_figures"]:
        assert figure not in reply, (figure, reply)
    assert _attempts(session) == (0, 0, False)
    told = plain(thread.send("4050"))
    assert words["foreign_refused"] in told and words["told"] in told, told
    for figure in words["foreign_figures"]:
        assert figure not in told, (figure, told)
    assert escalations(session) == [] and agreements(session) == []


@pytest.mark.parametrize(
    ("language", "said", "heard"),
    [
        (
            "es",
            "mi cuenta es cero cero cero cero uno dos cero cuatro cinco uno",
            "es de 540000 pesos",
        ),
        (
            "en",
            "my account number is zero zero zero zero one two zero four five one",
            "is 300 dollars",
        ),
    ],
)
def test_on_a_call_an_account_number_at_the_security_question_spends_no_attempt(
    call, request, session, language, said, heard
):
    words = WORDS[language]
    _holder(request, language)
    phone = call(words["phone"])
    phone.start()
    phone.say(words["balance"])
    reply, verb = phone.say(said)
    reply = plain(reply)
    assert verb == "Gather" and words["not_a_factor"] in reply, reply
    assert words["wrong"] not in reply
    assert _attempts(session) == (0, 0, False)
    told, _ = phone.press("4050")
    assert heard in plain(told), told
    assert escalations(session) == []


# The last four digits of the id (4050), as written: from the number on file.
LAST_FOUR = [
    ("es", "Cuatro cero cinco cero"),
    ("es", "4051, no perdón, 4050"),
    ("es", "4051... perdón, es el 4050"),
    ("en", "Four oh five oh."),
    ("en", "four zero five one sorry four zero five zero"),
]


@pytest.mark.parametrize(("language", "said"), LAST_FOUR)
def test_the_last_four_digits_as_written_verify_at_once(sms, request, session, language, said):
    words = WORDS[language]
    _holder(request, language)
    thread = sms(words["phone"])
    thread.send(words["balance"])
    reply = plain(thread.send(said))
    assert words["told"] in reply and words["wrong"] not in reply, reply
    assert _attempts(session) == (0, 0, True)
    assert escalations(session) == []


# The birth year (1988), as written: from another number, after the id.
BIRTH_YEAR = [
    ("es", "Mil novecientos ochenta y ocho"),
    ("es", "del 88"),
    ("es", "el tres de mayo del ochenta y ocho"),
    ("es", "03/05/88"),
    ("es", "88"),
    ("en", "Nineteen eighty-eight."),
    ("en", "nineteen eighty-eight"),
    ("en", "born in '88"),
]


@pytest.mark.parametrize(("language", "said"), BIRTH_YEAR)
def test_the_birth_year_as_written_verifies_at_once(sms, request, session, language, said):
    words = WORDS[language]
    _holder(request, language)
    thread = sms(words["other"])
    thread.send(words["balance"])
    assert words["year"] in plain(thread.send("1020304050"))
    reply = plain(thread.send(said))
    assert words["told"] in reply and words["wrong"] not in reply, reply
    assert _attempts(session) == (0, 0, True)
    assert escalations(session) == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_wrong_two_digit_year_still_counts_and_a_list_is_no_answer(
    sms, request, session, language
):
    """A guard: a two-digit year is one answer like four digits, never a way around them."""
    words = WORDS[language]
    _holder(request, language)
    thread = sms(words["other"])
    thread.send(words["balance"])
    thread.send("1020304050")
    reply = plain(thread.send("del 87" if language == "es" else "in 87"))
    assert words["wrong"] in reply and words["told"] not in reply, reply
    assert _attempts(session) == (0, 1, False)
    last = plain(thread.send("1987, 1988, 1989"))
    for figure in words["figures"]:
        assert figure not in last, (figure, last)
    [escalation] = escalations(session)
    assert escalation.reason == "verification_failed"


@pytest.mark.parametrize(
    ("on_file", "said"),
    [
        ("12345678K", "12345678-K"),
        ("12345678K", "mi rut es 12.345.678-k"),
        ("12345678", "12.345.678-5"),
        ("123456785", "12.345.678-5"),
        ("123456785", "12345678 5"),
    ],
)
def test_an_id_with_its_check_digit_identifies(sms, debtor, session, on_file, said):
    debtor.national_id = on_file
    session.commit()
    thread = sms(OTHER_SPANISH)
    thread.send("cuánto debo")
    asked = plain(thread.send(said))
    assert WORDS["es"]["year"] in asked and WORDS["es"]["not_found"] not in asked, asked
    state = latest_state(session)
    assert (state["customer_id"], state["identify_attempts"]) == (debtor.id, 0)
    assert WORDS["es"]["told"] in plain(thread.send("1988"))
    assert escalations(session) == []


@pytest.mark.parametrize(
    "said",
    [
        "doce millones trescientos cuarenta y cinco mil seiscientos setenta y ocho guion cinco",
        "uno dos tres cuatro cinco seis siete ocho guion cinco",
    ],
)
def test_on_a_call_an_id_with_its_check_digit_identifies(call, debtor, session, said):
    debtor.national_id = "123456785"
    session.commit()
    phone = call(OTHER_SPANISH)
    phone.start()
    phone.press("1")  # Spanish, at the language menu of an unknown number
    phone.say("cuánto debo")
    asked, _ = phone.say(said)
    assert WORDS["es"]["year"] in plain(asked), asked
    assert latest_state(session)["identify_attempts"] == 0
    told, _ = phone.say("ochenta y ocho")
    assert "es de 540000 pesos" in plain(told), told
    assert escalations(session) == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_id_split_over_two_messages_identifies(sms, request, session, language):
    words = WORDS[language]
    _holder(request, language)
    thread = sms(words["other"])
    thread.send(words["balance"])
    assert words["not_found"] in plain(thread.send("10203"))
    assert words["year"] in plain(thread.send("04050"))
    assert _attempts(session) == (1, 0, False)
    assert words["told"] in plain(thread.send("1988"))
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "halves", "heard"),
    [
        ("es", ("cuatro cero", "cinco cero"), "es de 540000 pesos"),
        ("en", ("four oh", "five oh"), "is 300 dollars"),
    ],
)
def test_on_a_call_the_last_four_digits_split_over_two_turns_verify(
    call, request, session, language, halves, heard
):
    words = WORDS[language]
    _holder(request, language)
    phone = call(words["phone"])
    phone.start()
    phone.say(words["balance"])
    phone.say(halves[0])
    told, _ = phone.say(halves[1])
    assert heard in plain(told), told
    assert _attempts(session) == (0, 1, True)
    assert escalations(session) == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_not_remembering_the_digits_is_not_told_they_do_not_match(sms, request, session, language):
    words = WORDS[language]
    _holder(request, language)
    thread = sms(words["phone"])
    thread.send(words["balance"])
    reply = plain(thread.send(words["dont_know"]))
    assert words["dont_know_told"] in reply and words["last4"] in reply, reply
    assert words["wrong"] not in reply
    # Not knowing is still a failed try: twice, a person confirms who they are.
    assert _attempts(session) == (0, 1, False)
    thread.send(words["dont_know"])
    [escalation] = escalations(session)
    assert escalation.reason == "verification_failed"


@pytest.mark.parametrize("language", ["es", "en"])
def test_not_remembering_the_account_number_is_told_the_id_will_do(sms, request, session, language):
    words = WORDS[language]
    _holder(request, language)
    thread = sms(words["other"])
    thread.send(words["balance"])
    reply = plain(thread.send(words["dont_know_account"]))
    assert words["either"] in reply and words["not_found"] not in reply, reply
    # Not knowing is a failed try, as at the security question: twice, a person takes it.
    assert _attempts(session) == (1, 0, False)
    assert words["year"] in plain(thread.send("1020304050"))
    assert words["told"] in plain(thread.send("1988"))
    assert escalations(session) == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_asking_why_is_told_why_without_spending_an_attempt(sms, request, session, language):
    words = WORDS[language]
    _holder(request, language)
    thread = sms(words["phone"])
    thread.send(words["balance"])
    reply = plain(thread.send(words["why"]))
    assert words["why_told"] in reply and words["last4"] in reply, reply
    assert words["wrong"] not in reply
    for figure in words["figures"]:
        assert figure not in reply, (figure, reply)
    assert _attempts(session) == (0, 0, False)
    assert words["told"] in plain(thread.send("4050"))

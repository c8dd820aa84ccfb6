"""Every customer verifies the same way: the last four digits of the id, by text and on a call.

A customer whose id is on file with a check digit ("900123456-7", a Colombian NIT; "12345678-9"
or "12345678K", a Chilean RUT) is asked, like everyone else, for the last four digits of the id,
told they are the ones before the check digit; those ("3456") verify, and so do the four that
end the id as written with its check digit ("4567"), never their birth year. An id of no type
and no dash carries no check digit anyone can be sure of: only its last four digits as on file
verify, none worked out by a NIT's rule. The number of attempts and the hand-over after them are
the same for everyone.
"""

from __future__ import annotations

import pytest

from contactpro.models import Customer
from tests.contactpro.dialog.conftest import escalations, latest_state
from tests.contactpro.dialog.test_identity_answers_as_written import WORDS, plain

# What the question adds for an id with a check digit.
BEFORE_CHECK = {"es": "sin el digito de verificacion", "en": "not counting the check digit"}
HEARD = {"es": "es de 540000 pesos", "en": "is 300 dollars"}

# On file, type, the last four before the check digit, the four that end the id as written.
DASHED = [
    ("900123456-7", "NIT", "3456", "4567"),
    ("900.123.456-7", None, "3456", "4567"),
    ("12345678-9", "RUT", "5678", "6789"),
    ("12345678-9", None, "5678", "6789"),
]


def _holder(request, session, language: str, on_file: str, id_type: str | None) -> Customer:
    holder = request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    holder.national_id, holder.national_id_type = on_file, id_type
    session.commit()
    return holder


def _attempts(session) -> tuple[int, int, bool]:
    state = latest_state(session)
    return state["identify_attempts"], state["verify_attempts"], state["verified"]


def _reveals_nothing(reply: str, language: str) -> None:
    for figure in WORDS[language]["figures"]:
        assert figure not in reply, (figure, reply)


@pytest.mark.parametrize(("on_file", "id_type", "before", "written"), DASHED)
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_dashed_id_is_asked_the_last_four_before_the_check_digit(
    sms, request, session, language, on_file, id_type, before, written
):
    words = WORDS[language]
    _holder(request, session, language, on_file, id_type)
    thread = sms(words["phone"])
    asked = plain(thread.send(words["balance"]))
    assert words["last4"] in asked and BEFORE_CHECK[language] in asked, asked
    assert words["year"] not in asked
    told = plain(thread.send(before))
    assert words["told"] in told and words["wrong"] not in told, told
    assert _attempts(session) == (0, 0, True)
    assert escalations(session) == []


@pytest.mark.parametrize(("on_file", "id_type", "before", "written"), DASHED)
@pytest.mark.parametrize("language", ["es", "en"])
def test_the_four_that_end_a_dashed_id_as_written_verify_too(
    sms, request, session, language, on_file, id_type, before, written
):
    words = WORDS[language]
    _holder(request, session, language, on_file, id_type)
    thread = sms(words["phone"])
    thread.send(words["balance"])
    told = plain(thread.send(written))
    assert words["told"] in told and words["wrong"] not in told, told
    assert _attempts(session) == (0, 0, True)


@pytest.mark.parametrize(
    ("on_file", "id_type", "said"),
    [
        ("900123456-7", "NIT", "1988"),  # the birth year is not what was asked
        ("900123456-7", "NIT", "5670"),  # the id on file taken whole, a NIT digit worked out
        ("900123456-7", "NIT", "4568"),  # DIAN's check digit, not the one on file
        ("12345678-9", None, "7896"),
        ("12345678-9", None, "1234"),
    ],
)
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_dashed_id_rejects_what_is_not_its_last_four(
    sms, request, session, language, on_file, id_type, said
):
    words = WORDS[language]
    _holder(request, session, language, on_file, id_type)
    thread = sms(words["phone"])
    thread.send(words["balance"])
    reply = plain(thread.send(said))
    assert words["wrong"] in reply and words["last4"] in reply, reply
    assert BEFORE_CHECK[language] in reply and words["told"] not in reply
    _reveals_nothing(reply, language)
    assert _attempts(session) == (0, 1, False)
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("on_file", "id_type", "wrong"),
    [("900123456-7", "NIT", ("1988", "1988")), ("1019673750", None, ("7503", "1988"))],
)
@pytest.mark.parametrize("language", ["es", "en"])
def test_failed_attempts_hand_over_as_for_everyone(
    sms, request, session, language, on_file, id_type, wrong
):
    words = WORDS[language]
    _holder(request, session, language, on_file, id_type)
    thread = sms(words["phone"])
    thread.send(words["balance"])
    thread.send(wrong[0])
    assert _attempts(session) == (0, 1, False) and escalations(session) == []
    handed = plain(thread.send(wrong[1]))
    _reveals_nothing(handed, language)
    assert words["told"] not in handed, handed
    [escalation] = escalations(session)
    assert escalation.reason == "verification_failed"
    assert latest_state(session)["verified"] is False


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_dashed_id_found_by_its_account_is_asked_the_last_four(sms, request, session, language):
    words = WORDS[language]
    _holder(request, session, language, "900123456-7", "NIT")
    thread = sms(words["other"])
    thread.send(words["balance"])
    said = "mi cuenta es 0000120451" if language == "es" else "my account number is 0000120451"
    asked = plain(thread.send(said))
    assert words["last4"] in asked and BEFORE_CHECK[language] in asked, asked
    assert words["year"] not in asked
    told = plain(thread.send("3456"))
    assert words["told"] in told, told
    assert _attempts(session) == (0, 0, True)


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_dashed_id_given_whole_is_still_asked_the_birth_year(sms, request, session, language):
    words = WORDS[language]
    _holder(request, session, language, "900123456-7", "NIT")
    thread = sms(words["other"])
    thread.send(words["balance"])
    asked = plain(thread.send("900123456-7"))
    assert words["year"] in asked and words["last4"] not in asked, asked
    reply = plain(thread.send("3456"))
    assert words["wrong"] in reply and words["told"] not in reply, reply
    assert words["told"] in plain(thread.send("1988"))


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_id_ending_in_k_is_asked_the_four_before_it(sms, request, session, language):
    words = WORDS[language]
    _holder(request, session, language, "12345678K", None)
    thread = sms(words["phone"])
    asked = plain(thread.send(words["balance"]))
    assert words["last4"] in asked and BEFORE_CHECK[language] in asked, asked
    told = plain(thread.send("5678"))
    assert words["told"] in told, told


@pytest.mark.parametrize("language", ["es", "en"])
def test_on_a_call_a_dashed_id_keys_in_the_last_four(call, request, session, language):
    words = WORDS[language]
    _holder(request, session, language, "900123456-7", "NIT")
    phone = call(words["phone"])
    phone.start()
    asked, verb = phone.say(words["balance"])
    asked = plain(asked)
    assert verb == "Gather" and words["last4"] in asked and BEFORE_CHECK[language] in asked, asked
    year = "mil novecientos ochenta y ocho" if language == "es" else "nineteen eighty eight"
    reply, _ = phone.say(year)
    assert words["wrong"] in plain(reply), reply
    told, _ = phone.press("3456")
    assert HEARD[language] in plain(told), told
    assert _attempts(session) == (0, 1, True)
    assert escalations(session) == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_someone_who_is_not_the_holder_is_asked_the_holders_four_before_the_check_digit(
    sms, request, session, language
):
    words = WORDS[language]
    _holder(request, session, language, "900123456-7", "NIT")
    thread = sms(words["phone"])
    thread.send(words["balance"])
    said = "no soy el titular, soy la esposa" if language == "es" else "I'm not the account holder"
    reply = plain(thread.send(said))
    holder = "de su documento" if language == "es" else "of their ID"
    assert holder in reply and BEFORE_CHECK[language] in reply, reply
    assert words["told"] in plain(thread.send("3456"))


# --- ids with no dash and no type: only the last four as on file --------------------------------


@pytest.mark.parametrize(
    ("on_file", "said", "passes"),
    [
        ("1019673750", "3750", True),
        ("1019673750", "7503", False),  # 1019673750 with a NIT check digit worked out
        ("9001234568", "4568", True),
        ("9001234568", "3456", False),  # the last digit may well be no check digit
        ("9001234568", "5688", False),
        ("860034313", "4313", True),
        ("860034313", "3137", False),
        ("123456785", "6785", True),
        ("123456785", "7857", False),
    ],
)
@pytest.mark.parametrize("language", ["es", "en"])
def test_an_id_of_no_type_verifies_only_with_its_last_four_as_on_file(
    sms, request, session, language, on_file, said, passes
):
    words = WORDS[language]
    _holder(request, session, language, on_file, None)
    thread = sms(words["phone"])
    asked = plain(thread.send(words["balance"]))
    assert words["last4"] in asked and BEFORE_CHECK[language] not in asked, asked
    reply = plain(thread.send(said))
    assert (words["told"] in reply) is passes and (words["wrong"] in reply) is not passes, reply
    assert _attempts(session) == (0, 0 if passes else 1, passes)


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_nit_on_file_with_its_check_digit_takes_no_other_worked_out(
    sms, request, session, language
):
    words = WORDS[language]
    _holder(request, session, language, "9001234568", "NIT")
    thread = sms(words["phone"])
    asked = plain(thread.send(words["balance"]))
    assert BEFORE_CHECK[language] in asked, asked
    reply = plain(thread.send("5688"))  # 9001234568 taken whole, with a check digit of its own
    assert words["wrong"] in reply and words["told"] not in reply, reply
    assert words["told"] in plain(thread.send("3456"))

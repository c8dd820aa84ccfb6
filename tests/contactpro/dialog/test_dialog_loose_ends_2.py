"""Dialog loose ends, as customers meet them, by text and on a call, in Spanish and English:

1. a cancellation set aside for another topic at the retention offer or the confirmation is
   still recorded (abandoned, with the account and the offer made) and listed for the managers,
   whatever the conversation does next;
2. the hand-over line fits why: a person asked for ("como pediste", "as you asked"), the data
   refused, or a retention offer refused;
3. an account is chosen by its last digits said in words ("la que termina en ochenta y uno",
   "the eighty one"), never read as a position or an unknown number;
4. a company's NIT verifies and identifies with or without its check digit when the check digit
   is its own (DIAN's rule), and a wrong one still fails.
"""

from __future__ import annotations

import pytest

from contactpro.models import CancellationRequest
from tasks.interactions import close_interaction
from tests.contactpro.dialog.conftest import (
    add_account,
    all_rows,
    escalations,
    latest_interaction,
    latest_state,
)
from tests.contactpro.dialog.test_cancellation_handed_over import (
    CONFIRM,
    OPENING,
    PHONES,
    REFUSED,
    _customer,
)
from tests.contactpro.dialog.test_cancellation_loose_ends import SPOKEN_DIGITS, _page
from tests.contactpro.dialog.test_identity_answers_as_written import WORDS, plain
from tests.contactpro.dialog.test_identity_loose_ends import REFUSALS

# --- 1. a cancellation set aside for another topic ----------------------------------------------

NEW_TOPIC = {"es": "oye y cuánto debo de la factura?", "en": "wait, how much is my bill?"}
BALANCE = {"es": "Tu saldo en la cuenta 0000120451", "en": "balance on account 0000120451"}
CLARIFY = {"es": "no entendí", "en": "didn't get that"}
OFFER = {"es": "Te ofrezco", "en": "offer"}
NOT_UNDERSTOOD = "blorp zzz qwerty"
ABANDONED = {"es": "abandonado sin responder", "en": "abandoned without answering"}


def _one_request(session, customer, offer: str, outcome: str) -> CancellationRequest:
    [row] = all_rows(session, CancellationRequest)
    assert (row.account_id, row.offer, row.outcome) == (customer.accounts[0].id, offer, outcome)
    return row


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_new_topic_at_the_offer_leaves_the_request_recorded(
    app, sms, customer_factory, session, language
):
    customer = _customer(customer_factory, session, language, "care")
    thread = sms(PHONES[language])
    thread.send(OPENING[language])
    thread.send("4050")
    assert all_rows(session, CancellationRequest) == []
    answered = thread.send(NEW_TOPIC[language])
    assert BALANCE[language] in answered, answered
    _one_request(session, customer, "loyalty_double_speed", "abandoned")
    unclear = thread.send(NOT_UNDERSTOOD)
    assert CLARIFY[language] in unclear and OFFER[language] not in unclear, unclear
    thread.send(NOT_UNDERSTOOD)
    _one_request(session, customer, "loyalty_double_speed", "abandoned")
    table = _page(app, session, language)
    assert ABANDONED[language] in table and "******0451" in table, table


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_new_topic_at_the_confirmation_leaves_the_request_recorded(
    app, sms, customer_factory, session, language
):
    customer = _customer(customer_factory, session, language, "care")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    assert CONFIRM[language] in thread.send(REFUSED[language])
    assert BALANCE[language] in thread.send(NEW_TOPIC[language])
    row = _one_request(session, customer, "loyalty_double_speed", "abandoned")
    assert escalations(session) == []
    # The conversation closing later writes no second row.
    interaction = latest_interaction(session)
    with app.app_context():
        assert close_interaction.run(interaction.id, "inactive") == "auto_resolved"
    assert _one_request(session, customer, "loyalty_double_speed", "abandoned").id == row.id


@pytest.mark.parametrize(
    ("language", "asked"),
    [("es", "y cuánto debo de la factura?"), ("en", "how much is my bill?")],
)
def test_on_a_call_a_new_topic_at_the_offer_leaves_the_request_recorded(
    call, customer_factory, session, language, asked
):
    customer = _customer(customer_factory, session, language, "care")
    line = call(PHONES[language])
    line.start()
    line.say(OPENING[language])
    line.say(SPOKEN_DIGITS[language])
    assert all_rows(session, CancellationRequest) == []
    answered, _ = line.say(asked)
    assert "1 2, 0 4, 5 1" in answered and OFFER[language] not in answered, answered
    _one_request(session, customer, "loyalty_double_speed", "abandoned")
    assert escalations(session) == []


def test_a_new_topic_then_a_cancellation_again_keeps_one_request(
    app, sms, customer_factory, session
):
    customer = _customer(customer_factory, session, "es", "care")
    thread = sms(PHONES["es"])
    thread.send_all(OPENING["es"], "4050", NEW_TOPIC["es"])
    thread.send_all("ya, gracias", OPENING["es"])
    thread.send_all("no gracias", "sí")
    _one_request(session, customer, "loyalty_double_speed", "cancelled")


# --- 2. the hand-over line fits why the customer goes to a person --------------------------------

AS_ASKED = {"es": "como pediste", "en": "as you asked"}
DATA_REFUSED = {"es": "prefieras no darme tus datos", "en": "rather not share your details"}
OFFER_REFUSED = {"es": "no quieres la oferta", "en": "don't want the offer"}
HANDED = {"es": "Un asesor revisará tu caso", "en": "An agent will review your case"}
ASK_PERSON = {"es": "quiero hablar con un asesor", "en": "I want to talk to an agent"}


@pytest.mark.parametrize("language", ["es", "en"])
def test_asking_for_a_person_is_told_it_is_as_asked(sms, request, session, language):
    words = WORDS[language]
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    handed = sms(words["phone"]).send(ASK_PERSON[language])
    assert AS_ASKED[language] in handed and HANDED[language] in handed, handed
    assert DATA_REFUSED[language] not in handed and OFFER_REFUSED[language] not in handed
    [escalation] = escalations(session)
    assert escalation.reason == "agent_request"


@pytest.mark.parametrize("language", ["es", "en"])
def test_refusing_the_data_is_told_so_not_as_asked(sms, request, session, language):
    words = WORDS[language]
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    thread = sms(words["phone"])
    thread.send_all(words["balance"], REFUSALS[language][0])
    handed = thread.send(REFUSALS[language][1])
    assert DATA_REFUSED[language] in handed and HANDED[language] in handed, handed
    assert AS_ASKED[language] not in handed, handed
    [escalation] = escalations(session)
    assert escalation.reason == "identity_refused"


@pytest.mark.parametrize("language", ["es", "en"])
def test_refusing_the_offer_is_told_so_not_as_asked(sms, customer_factory, session, language):
    customer = _customer(customer_factory, session, language, "retain")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    handed = thread.send(REFUSED[language])
    assert OFFER_REFUSED[language] in handed and HANDED[language] in handed, handed
    assert AS_ASKED[language] not in handed, handed
    _one_request(session, customer, "discount_35_3m", "escalated")
    [escalation] = escalations(session)
    assert escalation.reason == "retention_refused"


@pytest.mark.parametrize(
    ("language", "spoken"),
    [("es", "Te comunico con un asesor"), ("en", "connecting you with an agent")],
)
def test_on_a_call_a_person_asked_for_and_a_refusal_are_worded_apart(
    call, request, language, spoken
):
    words = WORDS[language]
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    line = call(words["phone"])
    line.start()
    asked, _ = line.say(ASK_PERSON[language])
    assert AS_ASKED[language] in asked and spoken in asked, asked
    other = call(words["phone"])
    other.start()
    other.say(words["balance"])
    other.say(REFUSALS[language][0])
    refused, _ = other.say(REFUSALS[language][1])
    assert DATA_REFUSED[language] in refused and spoken in refused, refused
    assert AS_ASKED[language] not in refused, refused


# --- 3. an account chosen by its last digits said in words ---------------------------------------

ENDING = "3104447681"
WHICH = {"es": "Cuál quieres cancelar", "en": "Which one would you like to cancel"}
ENDING_SAID = {
    "es": ("la que termina en ochenta y uno", "la ochenta y uno", "la que acaba en ocho uno"),
    "en": ("the one ending in eighty one", "the eighty one", "the one that ends in eight one"),
}
OFFERED = {"es": "Lamento que quieras irte", "en": "sorry you want to leave"}


def _two_lines(customer_factory, session, language: str):
    """The customer of ``language`` with a second line ending in 81 (3104447681)."""
    customer = _customer(customer_factory, session, language, "care")
    currency, plan = ("COP", "Móvil 20 GB") if language == "es" else ("USD", "Mobile 20 GB")
    return add_account(session, customer, ENDING, currency=currency, plan=plan, charge="35")


def _cancelled_on(session, account) -> None:
    [row] = all_rows(session, CancellationRequest)
    assert (row.account_id, row.outcome) == (account.id, "cancelled")


@pytest.mark.parametrize(
    ("language", "said"), [(lang, said) for lang in ("es", "en") for said in ENDING_SAID[lang]]
)
def test_on_a_call_the_account_is_chosen_by_its_ending_in_words(
    call, customer_factory, session, language, said
):
    line_81 = _two_lines(customer_factory, session, language)
    phone = call(PHONES[language])
    phone.start()
    phone.say(OPENING[language])
    asked, _ = phone.say(SPOKEN_DIGITS[language])
    assert WHICH[language] in asked, asked
    offer, _ = phone.say(said)
    assert OFFERED[language] in offer and WHICH[language] not in offer, offer
    confirm, _ = phone.say(REFUSED[language])
    assert "8 1" in confirm and "5 1" not in confirm, confirm
    phone.say({"es": "sí", "en": "yes"}[language])
    _cancelled_on(session, line_81)


@pytest.mark.parametrize(
    ("language", "said"),
    [("es", "la que termina en ochenta y uno"), ("en", "the one ending in eighty one")],
)
def test_by_text_the_account_is_chosen_by_its_ending_in_words(
    sms, customer_factory, session, language, said
):
    line_81 = _two_lines(customer_factory, session, language)
    thread = sms(PHONES[language])
    assert WHICH[language] in thread.send_all(OPENING[language], "4050")
    assert OFFERED[language] in thread.send(said)
    confirm = thread.send(REFUSED[language])
    assert ENDING in confirm and "0000120451" not in confirm, confirm
    thread.send({"es": "sí", "en": "yes"}[language])
    _cancelled_on(session, line_81)


@pytest.mark.parametrize(
    ("language", "said"), [("es", "la dos"), ("en", "the second one"), ("es", "la cincuenta y uno")]
)
def test_a_position_or_the_other_ending_still_picks_its_account(
    sms, customer_factory, session, language, said
):
    line_81 = _two_lines(customer_factory, session, language)
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    assert OFFERED[language] in thread.send(said)
    thread.send_all(REFUSED[language], {"es": "sí", "en": "yes"}[language])
    [row] = all_rows(session, CancellationRequest)
    expected = line_81.customer.accounts[0] if "cincuenta" in said else line_81
    assert (row.account_id, row.outcome) == (expected.id, "cancelled")


@pytest.mark.parametrize(
    ("language", "said"), [("es", "la veintitrés"), ("en", "the twenty three")]
)
def test_an_ending_no_account_has_is_asked_again(sms, customer_factory, session, language, said):
    _two_lines(customer_factory, session, language)
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    again = thread.send(said)
    assert OFFERED[language] not in again and "0000120451" in again, again
    assert all_rows(session, CancellationRequest) == [] and escalations(session) == []


# --- 4. a company's tax id (NIT) with or without its check digit ---------------------------------
# 900123456's check digit (DIAN's rule) is 8; 860034313's is 7.


@pytest.mark.parametrize(
    ("on_file", "id_type", "said"),
    [
        ("9001234568", "NIT", "3456"),  # the last four without the check digit on file
        ("9001234568", "NIT", "4568"),
        ("900123456", "NIT", "4568"),  # the last four with a valid check digit not on file
        ("900123456", "NIT", "3456"),
        ("860034313", None, "4313"),  # no type: only the last four as on file
    ],
)
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_company_verifies_with_the_last_four_with_or_without_the_check_digit(
    sms, request, session, language, on_file, id_type, said
):
    words = WORDS[language]
    holder = request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    holder.national_id, holder.national_id_type = on_file, id_type
    session.commit()
    thread = sms(words["phone"])
    assert words["last4"] in plain(thread.send(words["balance"]))
    told = plain(thread.send(said))
    assert words["told"] in told and words["wrong"] not in told, told
    assert latest_state(session)["verified"] is True


@pytest.mark.parametrize(
    ("on_file", "id_type", "said"),
    [
        ("900123456", "NIT", "4567"),  # a check digit that is not 900123456's
        ("9001234568", "NIT", "3457"),
        ("1019673750", "CC", "1967"),  # a cédula carries no check digit
        ("860034313", None, "3138"),
        ("860034313", None, "3137"),  # no type, no dash: no check digit is worked out
    ],
)
def test_a_wrong_last_four_still_does_not_verify(sms, debtor, session, on_file, id_type, said):
    debtor.national_id, debtor.national_id_type = on_file, id_type
    session.commit()
    words = WORDS["es"]
    thread = sms(words["phone"])
    thread.send(words["balance"])
    reply = plain(thread.send(said))
    assert words["wrong"] in reply and words["told"] not in reply, reply
    assert latest_state(session)["verified"] is False


@pytest.mark.parametrize(
    ("on_file", "said", "found"),
    [
        ("900123456", "900123456-8", True),  # no type on file: a valid check digit is the NIT's
        ("900123456", "nit 900.123.456-8", True),
        ("9001234568", "900123456", True),
        ("9001234567", "900123456", False),  # 7 is not 900123456's check digit
        ("1019673750", "101967375", False),
    ],
)
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_company_without_an_id_type_is_found_by_a_valid_check_digit(
    sms, request, session, language, on_file, said, found
):
    words = WORDS[language]
    holder = request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    holder.national_id, holder.national_id_type = on_file, None
    session.commit()
    thread = sms(words["other"])
    thread.send(words["balance"])
    asked = plain(thread.send(said))
    assert (words["year"] in asked) is found and (words["not_found"] in asked) is not found, asked
    state = latest_state(session)
    assert state["customer_id"] == (holder.id if found else None)
    if found:
        assert words["told"] in plain(thread.send("1988"))
        assert escalations(session) == []


def test_on_a_call_a_nit_said_with_its_check_digit_identifies(call, debtor, session):
    debtor.national_id, debtor.national_id_type = "900123456", "NIT"
    session.commit()
    phone = call(WORDS["es"]["other"])
    phone.start()
    phone.press("1")
    phone.say("cuánto debo")
    asked, _ = phone.say("nueve cero cero uno dos tres cuatro cinco seis guion ocho")
    assert WORDS["es"]["year"] in plain(asked), asked
    told, _ = phone.say("ochenta y ocho")
    assert "es de 540000 pesos" in plain(told), told

"""What customers write around a cancellation, over the signed SMS and WhatsApp webhooks: "me
quiero ir de la empresa", "ya no quiero seguir con ustedes", "I want to leave your company" are
a cancellation (never "which topic?"), while coming to us from another company is not; a
discount taken after the hand-over ("bueno sí acepto el descuento", "ok I'll take the
discount") is recorded and closes the escalation; "hola otra vez, acepto la oferta" in a later
conversation takes the offer on record; "y la otra también" cancels the other line, and
"cancelen todo" goes one line at a time, naming both.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from contactpro.models import AuditLog, CancellationRequest, Interaction, utcnow
from tests.contactpro.dialog.conftest import (
    SPANISH,
    add_account,
    add_us_account,
    all_rows,
    escalations,
)
from tests.contactpro.dialog.test_cancellation_as_texted import CANCELLED, OPENING, PHONES
from tests.contactpro.dialog.test_cancellation_handed_over import CONFIRM, _customer
from tests.contactpro.dialog.test_cancellation_loose_ends import _close_inactive
from tests.contactpro.dialog.test_cancellation_other_requests import plain

ASKED_ID = {"es": "últimos cuatro dígitos", "en": "last four digits"}
WHICH_TOPIC = {"es": "Tu consulta es sobre", "en": "Is your question about"}
OFFER = {"es": "Lamento que quieras irte", "en": "sorry you want to leave"}
DISCOUNT_TAKEN = {
    "es": "Registré en tu cuenta 0000120451 un 35 % de descuento",
    "en": "I've recorded 35 % off your monthly fee for 3 months on account 0000120451",
}
WITH_AGENT = {"es": "Tu caso ya está con un asesor", "en": "with an agent"}
YES = {"es": "sí", "en": "yes"}
ONE_AT_A_TIME = {"es": "Lo hacemos una cuenta a la vez", "en": "Let's take one account at a time"}


def _rows(session) -> list[tuple[int, str | None, str]]:
    return [(r.account_id, r.offer, r.outcome) for r in all_rows(session, CancellationRequest)]


# --- 1. leaving the company in words ------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "me quiero ir de la empresa"),
        ("es", "ya no quiero seguir con ustedes"),
        ("en", "I want to leave your company"),
        ("en", "I don't want to be with you anymore"),
    ],
)
def test_leaving_the_company_in_words_is_a_cancellation(
    sms, customer_factory, session, language, said
):
    customer = _customer(customer_factory, session, language, "care")
    thread = sms(PHONES[language])
    asked = thread.send(said)
    assert WHICH_TOPIC[language] not in asked and ASKED_ID[language] in asked, asked
    assert OFFER[language] in thread.send("4050")
    assert CONFIRM[language] in thread.send("no")
    assert CANCELLED[language] in thread.send(YES[language])
    assert _rows(session) == [(customer.accounts[0].id, "loyalty_double_speed", "cancelled")]
    assert escalations(session) == []


def test_coming_to_us_from_another_company_is_no_cancellation(sms, customer_factory, session):
    _customer(customer_factory, session, "es", "care")
    replies = sms(SPANISH).send_all("me quiero ir de la empresa Tigo a ustedes", "4050")
    assert OFFER["es"] not in replies and CONFIRM["es"] not in replies, replies
    assert _rows(session) == []


# --- 2. the discount taken after the hand-over --------------------------------------------------


NOTE_OFFER = {"es": "35 % de descuento por 3 meses", "en": "35 % discount for 3 months"}


@pytest.mark.parametrize(
    ("language", "taken", "whatsapp"),
    [
        ("es", "bueno sí acepto el descuento", False),
        ("es", "bueno sí acepto el descuento", True),
        ("en", "ok I'll take the discount", False),
    ],
)
def test_the_discount_taken_after_the_hand_over_is_recorded_and_settles_it(
    sms, customer_factory, session, language, taken, whatsapp
):
    customer = _customer(customer_factory, session, language, "retain")
    thread = sms(f"whatsapp:{PHONES[language]}" if whatsapp else PHONES[language])
    thread.send_all(OPENING[language], "4050")
    thread.send("no")
    [escalation] = escalations(session)
    assert escalation.reason == "retention_refused"
    reply = thread.send(taken)
    assert DISCOUNT_TAKEN[language] in reply, reply
    assert WITH_AGENT[language] not in reply and CANCELLED[language] not in reply, reply
    assert _rows(session) == [(customer.accounts[0].id, "discount_35_3m", "retained")]
    [escalation] = escalations(session)
    assert (escalation.status, escalation.resolution) == ("resolved", "offer_accepted")
    # The agent's note words the offer in the conversation's language, never its code.
    assert NOTE_OFFER[language] in escalation.notes and "discount_35" not in escalation.notes
    audited = [a.action for a in all_rows(session, AuditLog)]
    assert "escalation.offer_taken" in audited and "cancellation.update" in audited


def test_a_question_after_the_hand_over_takes_no_offer(sms, customer_factory, session):
    customer = _customer(customer_factory, session, "es", "retain")
    thread = sms(SPANISH)
    thread.send_all(OPENING["es"], "4050", "no")
    reply = thread.send("¿y si acepto el descuento cuánto pago?")
    assert DISCOUNT_TAKEN["es"] not in reply, reply
    assert _rows(session) == [(customer.accounts[0].id, "discount_35_3m", "escalated")]
    assert [e.status for e in escalations(session)] == ["open"]


# --- 3. the offer on record, taken in a later conversation -------------------------------------


def _left_days_ago(app, session, days: int) -> None:
    """Close the conversation unanswered at the offer and move it ``days`` back."""
    closed = _close_inactive(app, session)
    then = utcnow() - timedelta(days=days)
    closed.last_activity_at = then
    for row in session.query(CancellationRequest):
        row.created_at = then
    session.commit()


@pytest.mark.parametrize(
    ("language", "again"),
    [("es", "hola otra vez, acepto la oferta"), ("en", "hi again, I accept the offer")],
)
def test_the_offer_on_record_is_taken_in_a_later_conversation(
    app, sms, customer_factory, session, language, again
):
    customer = _customer(customer_factory, session, language, "retain")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    _left_days_ago(app, session, 2)
    assert _rows(session) == [(customer.accounts[0].id, "discount_35_3m", "abandoned")]
    asked = thread.send(again)
    assert ASKED_ID[language] in asked and OFFER[language] not in asked, asked
    assert WHICH_TOPIC[language] not in asked
    taken = thread.send("4050")
    assert DISCOUNT_TAKEN[language] in taken and OFFER[language] not in taken, taken
    assert _rows(session) == [(customer.accounts[0].id, "discount_35_3m", "retained")]
    assert len(session.query(Interaction).all()) == 2 and escalations(session) == []


def test_an_offer_past_its_validity_is_not_taken(app, sms, customer_factory, session):
    customer = _customer(customer_factory, session, "es", "retain")
    thread = sms(SPANISH)
    thread.send_all(OPENING["es"], "4050")
    _left_days_ago(app, session, 40)
    replies = thread.send_all("hola otra vez, acepto la oferta", "4050")
    assert DISCOUNT_TAKEN["es"] not in replies, replies
    assert _rows(session) == [(customer.accounts[0].id, "discount_35_3m", "abandoned")]


# --- 4. the other line, and every line ----------------------------------------------------------


def _two_lines(customer_factory, session, language: str):
    customer = _customer(customer_factory, session, language, "care")
    if language == "es":
        return customer, add_account(session, customer, "3104447654")
    return customer, add_us_account(session, customer, "3055550199")


@pytest.mark.parametrize(
    ("language", "other"), [("es", "y la otra también"), ("en", "the other one too")]
)
def test_the_other_line_too_cancels_it_after_its_confirmation(
    sms, customer_factory, session, language, other
):
    customer, mobile = _two_lines(customer_factory, session, language)
    home = customer.accounts[0]
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050", "1", "no")
    assert CANCELLED[language] in thread.send(YES[language])
    asked = thread.send(other)
    assert CONFIRM[language] in asked and mobile.number in asked, asked
    assert home.number not in asked and OFFER[language] not in asked, asked
    assert _rows(session) == [(home.id, "loyalty_double_speed", "cancelled")]
    assert CANCELLED[language] in thread.send(YES[language])
    assert sorted(_rows(session)) == sorted(
        [(home.id, "loyalty_double_speed", "cancelled"), (mobile.id, None, "cancelled")]
    )
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "everything"), [("es", "cancelen todo"), ("en", "cancel everything")]
)
def test_cancel_everything_goes_one_line_at_a_time_naming_both(
    sms, customer_factory, session, language, everything
):
    customer, mobile = _two_lines(customer_factory, session, language)
    home = customer.accounts[0]
    thread = sms(PHONES[language])
    thread.send(everything)
    asked = thread.send("4050")
    assert ONE_AT_A_TIME[language] in asked, asked
    assert home.number in asked and mobile.number in asked, asked
    assert _rows(session) == []
    assert OFFER[language] in thread.send("2")
    assert CONFIRM[language] in thread.send("no")
    assert plain(CANCELLED[language]) in plain(thread.send(YES[language]))
    assert CONFIRM[language] in thread.send(
        {"es": "y la otra", "en": "and the other one"}[language]
    )
    thread.send(YES[language])
    assert sorted(_rows(session)) == sorted(
        [(mobile.id, "loyalty_double_data", "cancelled"), (home.id, None, "cancelled")]
    )

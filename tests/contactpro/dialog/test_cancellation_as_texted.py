"""Cancelling as customers text it, by SMS and WhatsApp: a question without its mark ("y cuanto me
cobran x cancelar", "any penalty for cancelling", "is there a fee") is answered, never read as a
refusal and handed over; "lo pienso", "let me think about it", "mmm no se" record nothing and
leave the question standing; "y si pago la deuda primero?" is told the debt; "no mejor
cancelen" after taking the offer cancels; "no, el celular" at the confirmation moves it to that
line, with no offer recorded on it; "ok gracias pero no" and "whats included" are understood;
the refused discount's hand-over names the agent once.
"""

from __future__ import annotations

import pytest

from contactpro.models import CancellationRequest
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_account,
    add_us_account,
    all_rows,
    escalations,
)
from tests.contactpro.dialog.test_cancellation_handed_over import CONFIRM, _customer
from tests.contactpro.dialog.test_cancellation_loose_ends import _close_inactive
from tests.contactpro.dialog.test_cancellation_other_requests import plain

PHONES = {"es": SPANISH, "en": ENGLISH}
OPENING = {"es": "quiero cancelar", "en": "I want to cancel"}
NO_FEE = {"es": "Cancelar el servicio no cuesta nada", "en": "Cancelling the service costs nothing"}
STAY_QUESTION = {"es": "¿Te quedas con nosotros?", "en": "Will you stay with us?"}
NOT_UNDERSTOOD = {"es": "No te entend", "en": "didn't quite get that"}
TAKE_YOUR_TIME = {
    "es": "Claro, tomate tu tiempo: no cancele nada y tu servicio sigue activo",
    "en": "Of course, take your time: I haven't cancelled anything and your service stays active",
}
CANCELLED = {"es": "Registré tu solicitud de cancelación", "en": "recorded your cancellation"}
HANDED_OVER = {"es": "asesor", "en": "agent"}


def _nothing_recorded(session) -> None:
    assert all_rows(session, CancellationRequest) == [] and escalations(session) == []


def _one_request(session, account_id: int, offer: str | None, outcome: str) -> None:
    [row] = all_rows(session, CancellationRequest)
    assert (row.account_id, row.offer, row.outcome) == (account_id, offer, outcome)


# --- a question about leaving, without its question mark, is answered -------------------------


@pytest.mark.parametrize(
    ("language", "asked"),
    [
        ("es", "y cuanto me cobran x cancelar"),
        ("es", "hay multa"),
        ("en", "any penalty for cancelling"),
        ("en", "is there a fee"),
        ("en", "is there an early termination fee?"),
    ],
)
def test_a_fee_question_at_the_discount_is_answered_not_handed_over(
    sms, customer_factory, session, language, asked
):
    customer = _customer(customer_factory, session, language, "retain")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    reply = thread.send(asked)
    assert plain(NO_FEE[language]) in plain(reply), reply
    assert reply.endswith(STAY_QUESTION[language]), reply
    assert HANDED_OVER[language] not in reply and "no quieres la oferta" not in reply
    _nothing_recorded(session)
    # The offer still waits on a clear answer.
    assert "35 %" in thread.send({"es": "ok acepto", "en": "ok I'll take it"}[language])
    _one_request(session, customer.accounts[0].id, "discount_35_3m", "retained")


# --- taking time to decide ----------------------------------------------------------------------


@pytest.mark.parametrize("thinking", ["lo pienso", "mmm no se", "no se si cancelar"])
def test_lo_pienso_at_the_discount_records_nothing_and_is_never_handed_over(
    app, sms, customer_factory, session, thinking
):
    customer = _customer(customer_factory, session, "es", "retain")
    thread = sms(SPANISH)
    thread.send_all(OPENING["es"], "4050")
    for _ in range(2):
        reply = thread.send(thinking)
        assert TAKE_YOUR_TIME["es"] in plain(reply), reply
        assert "La oferta sigue en pie" in reply, reply
        assert NOT_UNDERSTOOD["es"] not in reply and "asesor" not in reply
        assert "Confirmas" not in reply
        _nothing_recorded(session)
    # Silent until the conversation closes: the team sees who wanted to leave.
    _close_inactive(app, session)
    _one_request(session, customer.accounts[0].id, "discount_35_3m", "abandoned")
    assert escalations(session) == []


def test_dejame_pensarlo_on_whatsapp_keeps_the_offer_standing(sms, customer_factory, session):
    customer = _customer(customer_factory, session, "es", "care")
    thread = sms(f"whatsapp:{SPANISH}")
    thread.send_all(OPENING["es"], "4050")
    reply = thread.send("dejame pensarlo")
    assert TAKE_YOUR_TIME["es"] in plain(reply) and NOT_UNDERSTOOD["es"] not in reply, reply
    _nothing_recorded(session)
    done = thread.send("si")
    assert "Gracias por quedarte" in done, done
    _one_request(session, customer.accounts[0].id, "loyalty_double_speed", "retained")


def test_english_let_me_think_about_it_then_yes_takes_the_offer(sms, customer_factory, session):
    customer = _customer(customer_factory, session, "en", "care")
    thread = sms(ENGLISH)
    thread.send_all(OPENING["en"], "4050")
    reply = thread.send("let me think about it")
    assert TAKE_YOUR_TIME["en"] in reply and "The offer still stands" in reply, reply
    assert NOT_UNDERSTOOD["en"] not in reply
    _nothing_recorded(session)
    assert "Thanks for staying" in thread.send("ok yes")
    _one_request(session, customer.accounts[0].id, "loyalty_double_speed", "retained")


def test_english_let_me_think_about_it_at_the_confirmation_cancels_nothing(
    sms, customer_factory, session
):
    customer = _customer(customer_factory, session, "en", "care")
    thread = sms(ENGLISH)
    thread.send_all(OPENING["en"], "4050")
    assert CONFIRM["en"] in thread.send("no")
    reply = thread.send("let me think about it")
    assert TAKE_YOUR_TIME["en"] in reply and "reply yes to cancel it or no to keep it" in reply
    assert NOT_UNDERSTOOD["en"] not in reply and "offer still stands" not in reply, reply
    _nothing_recorded(session)
    assert "stays active" in thread.send("no")
    _one_request(session, customer.accounts[0].id, None, "retained")


# --- paying the debt first ----------------------------------------------------------------------


def test_y_si_pago_la_deuda_primero_at_the_offer_is_told_the_debt(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all(OPENING["es"], "4050")
    reply = thread.send("y si pago la deuda primero?")
    assert "deuda de 450.000 pesos" in reply and "cancelar no la borra" in plain(reply), reply
    assert reply.endswith(STAY_QUESTION["es"]), reply
    assert "baja a" not in reply and "asesor" not in reply
    _nothing_recorded(session)


def test_english_what_if_i_pay_the_debt_first_at_the_confirmation(sms, english_debtor, session):
    thread = sms(ENGLISH)
    thread.send_all(OPENING["en"], "4050")
    reply = thread.send("what if I pay the debt first")
    assert "debt of 240.00 dollars" in reply and "cancelling doesn't clear it" in reply, reply
    assert CONFIRM["en"] in reply and NOT_UNDERSTOOD["en"] not in reply, reply
    _nothing_recorded(session)


# --- a change of mind after taking the offer ---------------------------------------------------


@pytest.mark.parametrize(
    ("language", "again", "no", "yes"),
    [("es", "no mejor cancelen", "no", "si"), ("en", "no actually cancel it", "no", "yes")],
)
def test_cancelling_after_taking_the_offer_is_never_read_as_keeping_it(
    sms, customer_factory, session, language, again, no, yes
):
    customer = _customer(customer_factory, session, language, "care")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050", yes)
    _one_request(session, customer.accounts[0].id, "loyalty_double_speed", "retained")
    reply = thread.send(again)
    kept = {"es": "no cancelo nada", "en": "won't cancel anything"}[language]
    assert kept not in reply and STAY_QUESTION[language] in reply, reply
    assert CONFIRM[language] in thread.send(no)
    assert CANCELLED[language] in thread.send(yes)
    _one_request(session, customer.accounts[0].id, "loyalty_double_speed", "cancelled")
    assert escalations(session) == []


# --- the line named at the confirmation ---------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "other", "yes"),
    [("es", "no, el celular", "si"), ("en", "no, the mobile one", "yes")],
)
def test_no_and_the_other_line_at_the_confirmation_cancels_that_line(
    sms, customer_factory, session, language, other, yes
):
    customer = _customer(customer_factory, session, language, "care")
    if language == "es":
        mobile = add_account(session, customer, "3104447654")
    else:
        mobile = add_us_account(session, customer, "3055550199")
    thread = sms(PHONES[language])
    thread.send_all({"es": "cancelar el internet", "en": "cancel the internet"}[language], "4050")
    assert "0000120451" in thread.send("no")
    reply = thread.send(other)
    assert CONFIRM[language] in reply and mobile.number in reply, reply
    assert (
        "0000120451" not in reply
        and {"es": "sigue activo", "en": "stays active"}[language] not in reply
    )
    assert CANCELLED[language] in thread.send(yes)
    # No offer was made for the mobile line: none is recorded on it.
    _one_request(session, mobile.id, None, "cancelled")


def test_no_with_a_reason_at_the_confirmation_names_no_other_line(sms, customer_factory, session):
    customer = _customer(customer_factory, session, "es", "care")
    mobile = add_account(session, customer, "3104447654")
    thread = sms(SPANISH)
    thread.send_all("cancelar el celular", "4050")
    assert "3104447654" in thread.send("no")
    reply = thread.send("no, el internet funciona bien")
    assert "sigue activo" in reply and "0000120451" not in reply, reply
    _one_request(session, mobile.id, None, "retained")


# --- answers as written -------------------------------------------------------------------------


def test_ok_gracias_pero_no_refuses_the_offer(sms, customer_factory, session):
    customer = _customer(customer_factory, session, "es", "care")
    thread = sms(SPANISH)
    thread.send_all(OPENING["es"], "4050")
    reply = thread.send("ok gracias pero no")
    assert CONFIRM["es"] in reply and NOT_UNDERSTOOD["es"] not in reply, reply
    assert "Gracias por quedarte" not in reply
    assert all_rows(session, CancellationRequest) == []
    assert CANCELLED["es"] in thread.send("si")
    _one_request(session, customer.accounts[0].id, "loyalty_double_speed", "cancelled")


@pytest.mark.parametrize(
    ("language", "said", "yes"),
    [
        ("es", "no gracias quiero cancelar", "si"),
        ("es", "no señor igual cancelen", "si"),
        ("en", "no thanks I want to cancel", "yes"),
        ("en", "no thank you, still cancel it", "yes"),
    ],
)
def test_no_thanks_and_cancel_at_the_offer_is_never_staying(
    sms, customer_factory, session, language, said, yes
):
    customer = _customer(customer_factory, session, language, "care")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    reply = thread.send(said)
    assert CONFIRM[language] in reply, reply
    assert {"es": "Gracias por quedarte", "en": "Thanks for staying"}[language] not in reply
    assert all_rows(session, CancellationRequest) == []
    assert CANCELLED[language] in thread.send(yes)
    _one_request(session, customer.accounts[0].id, "loyalty_double_speed", "cancelled")


@pytest.mark.parametrize(
    ("language", "said"),
    [("es", "no gracias no quiero cancelar"), ("en", "no thanks I don't want to cancel anymore")],
)
def test_no_thanks_then_a_refusal_to_cancel_still_stays(
    sms, customer_factory, session, language, said
):
    customer = _customer(customer_factory, session, language, "care")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    reply = thread.send(said)
    assert CONFIRM[language] not in reply and CANCELLED[language] not in reply, reply
    [row] = all_rows(session, CancellationRequest)
    assert (row.account_id, row.outcome) == (customer.accounts[0].id, "retained")


def test_english_whats_included_explains_the_discount(sms, customer_factory, session):
    _customer(customer_factory, session, "en", "retain")
    thread = sms(ENGLISH)
    thread.send_all(OPENING["en"], "4050")
    reply = thread.send("whats included")
    assert "With 35 % off, your monthly fee" in reply and NOT_UNDERSTOOD["en"] not in reply, reply
    _nothing_recorded(session)


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_refused_discount_names_the_person_once(sms, customer_factory, session, language):
    customer = _customer(customer_factory, session, language, "retain")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    reply = thread.send("no")
    assert {"es": "no quieres la oferta", "en": "don't want the offer"}[language] in reply
    assert reply.lower().count(HANDED_OVER[language]) == 1, reply
    _one_request(session, customer.accounts[0].id, "discount_35_3m", "escalated")
    [escalation] = escalations(session)
    assert escalation.reason == "retention_refused"


# --- the price as the reason, leaving anyway ----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "está muy cara"),
        ("es", "no me alcanza la plata"),
        ("en", "it's too expensive"),
        ("en", "I can't afford it"),
    ],
)
def test_the_price_as_the_reason_gets_the_discount_not_a_retry(
    sms, customer_factory, session, language, said
):
    customer = _customer(customer_factory, session, language, "care")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    reply = thread.send(said)
    off = {"es": "de descuento en tu mensualidad", "en": "off your monthly fee"}[language]
    assert off in reply and STAY_QUESTION[language] in reply, reply
    assert NOT_UNDERSTOOD[language] not in reply
    _nothing_recorded(session)
    thread.send({"es": "sí", "en": "yes"}[language])
    [row] = all_rows(session, CancellationRequest)
    assert (row.account_id, row.outcome) == (customer.accounts[0].id, "retained")


@pytest.mark.parametrize(
    ("language", "said"),
    [("es", "no es caro, me voy igual"), ("en", "thanks but I'm leaving anyway")],
)
def test_leaving_anyway_goes_on_with_the_cancellation(
    sms, customer_factory, session, language, said
):
    customer = _customer(customer_factory, session, language, "care")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    reply = thread.send(said)
    assert CONFIRM[language] in reply and NOT_UNDERSTOOD[language] not in reply, reply
    assert CANCELLED[language] in thread.send({"es": "sí", "en": "yes"}[language])
    _one_request(session, customer.accounts[0].id, "loyalty_double_speed", "cancelled")

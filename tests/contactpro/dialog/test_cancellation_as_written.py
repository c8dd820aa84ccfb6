"""Cancelling and staying as customers say it, by text and on a call: "me quedo pero quiero un
plan más barato" as the first words or after the balance gets the plan change (never a person,
never the balance again); "no mejor sí cancelen todo" after keeping the service goes straight to
the offer; "no quiero la oferta, quiero cancelar" right after taking it is not offered it again
and the offer is not left recorded as taken; "repíteme la oferta" hears the offer again.
"""

from __future__ import annotations

import pytest

from contactpro.models import Account, CancellationRequest
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_account,
    add_us_account,
    all_rows,
    escalations,
    place,
)
from tests.contactpro.dialog.test_cancellation_other_requests import PLAN_CHANGE, plain

PHONES = {"es": SPANISH, "en": ENGLISH}
STAYING = {
    "es": "me quedo pero quiero un plan más barato",
    "en": "I'll stay but I want a cheaper plan",
}
HANDED_OVER = {"es": "asesor", "en": "agent"}
OFFER_35 = "35 %"
CONFIRM = {"es": "Confirmas que quieres cancelar", "en": "Do you confirm"}
OPENING = {"es": "quiero cancelar", "en": "I want to cancel"}
TOPIC_QUESTION = {"es": "cancelar tu servicio o", "en": "cancelling your service or"}


def _customer(customer_factory, session, language: str, quadrant: str | None = None):
    """The customer of ``language`` (account 0000120451), placed in ``quadrant`` if given."""
    if language == "es":
        customer = customer_factory(phone=SPANISH)
    else:
        customer = customer_factory(
            phone=ENGLISH, language="en", currency="USD", name="Grace Miller"
        )
    if quadrant is not None:
        place(session, customer, quadrant, 30.0 if quadrant == "retain" else 20.0)
    return customer


def _no_cancellation_and_nobody(session) -> None:
    assert all_rows(session, CancellationRequest) == [] and escalations(session) == []


# --- staying, and a cheaper plan, outside any cancellation -----------------------------------


@pytest.mark.parametrize("language", ["es", "en"])
def test_staying_with_a_cheaper_plan_first_thing_on_a_call_gets_the_plan_change(
    call, customer_factory, session, language
):
    _customer(customer_factory, session, language)
    line = call(PHONES[language])
    line.start()
    said, verb = line.say(STAYING[language])
    assert verb == "Gather", said
    assert plain(PLAN_CHANGE[language]) in plain(said), said
    assert HANDED_OVER[language] not in said and "digits" not in said and "dígitos" not in said
    _no_cancellation_and_nobody(session)


def test_staying_with_a_cheaper_plan_first_thing_by_text_gets_the_plan_change(
    sms, customer_factory, session
):
    _customer(customer_factory, session, "es")
    reply = sms(SPANISH).send(STAYING["es"])
    assert plain(PLAN_CHANGE["es"]) in plain(reply), reply
    assert "asesor" not in reply
    _no_cancellation_and_nobody(session)


@pytest.mark.parametrize(
    ("language", "balance", "said"),
    [
        ("en", "what's my balance", "I'll stay but I want a cheaper plan"),
        ("en", "what's my balance", "i'll stay but i want a cheaper plan"),
        ("es", "cuál es mi saldo", "me quedo pero quiero un plan más barato"),
    ],
)
def test_staying_with_a_cheaper_plan_after_the_balance_gets_the_plan_change(
    sms, customer_factory, session, language, balance, said
):
    _customer(customer_factory, session, language)
    thread = sms(PHONES[language])
    thread.send(balance)
    told = thread.send("4050")
    assert "0000120451" in told, told
    reply = thread.send(said)
    assert plain(PLAN_CHANGE[language]) in plain(reply), reply
    # Not the balance again, no debt talk, nobody handed the case.
    assert "125" not in reply and "debt" not in reply and "deuda" not in reply, reply
    assert HANDED_OVER[language] not in reply, reply
    _no_cancellation_and_nobody(session)


def test_staying_after_a_recorded_cancellation_takes_it_back_and_gets_the_plan(
    sms, customer_factory, session
):
    _customer(customer_factory, session, "es", "let_go")
    thread = sms(SPANISH)
    thread.send_all("quiero cancelar", "4050")
    assert "Registré tu solicitud de cancelación" in thread.send("sí")
    reply = plain(thread.send(STAYING["es"]))
    assert "anule tu solicitud de cancelacion" in reply, reply
    assert plain(PLAN_CHANGE["es"]) in reply, reply
    assert reply.index("anule") < reply.index(plain(PLAN_CHANGE["es"])), reply
    [row] = all_rows(session, CancellationRequest)
    assert row.outcome == "withdrawn"
    assert escalations(session) == []


# --- a change of mind after keeping the service ----------------------------------------------


@pytest.mark.parametrize(
    ("language", "kept", "again"),
    [
        ("es", "me quedo pero quiero un plan mas barato", "no mejor sí cancelen todo"),
        ("es", "sí", "no mejor si cancelen todo"),
        ("en", "i'll stay but i want a cheaper plan", "no actually yes cancel it all"),
    ],
)
def test_cancelling_after_keeping_the_service_goes_straight_to_the_offer(
    sms, customer_factory, session, language, kept, again
):
    _customer(customer_factory, session, language, "retain")
    thread = sms(PHONES[language])
    thread.send(OPENING[language])
    assert OFFER_35 in thread.send("4050")
    thread.send(kept)
    [row] = all_rows(session, CancellationRequest)
    assert (row.offer, row.outcome) == ("discount_35_3m", "retained")
    reply = thread.send(again)
    assert OFFER_35 in reply, reply
    assert TOPIC_QUESTION[language] not in reply, reply
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "taken", "refused", "yes"),
    [
        ("es", "sí", "no espera, no quiero la oferta, quiero cancelar", "sí"),
        ("en", "ok", "wait no, I don't want the offer, cancel it", "yes"),
    ],
)
def test_an_offer_taken_then_refused_asks_to_confirm_and_records_the_cancellation(
    sms, customer_factory, session, language, taken, refused, yes
):
    _customer(customer_factory, session, language, "monitor")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    thread.send(taken)
    [row] = all_rows(session, CancellationRequest)
    assert (row.offer, row.outcome) == ("preventive_visit", "retained")
    asked = thread.send(refused)
    assert CONFIRM[language] in asked, asked
    # The offer just refused is not made again, and no topic question stands in the way.
    assert {"es": "visita", "en": "visit"}[language] not in asked, asked
    assert TOPIC_QUESTION[language] not in asked, asked
    done = thread.send(yes)
    assert {"es": "Registré tu solicitud de cancelación", "en": "recorded your cancellation"}[
        language
    ] in done
    [row] = all_rows(session, CancellationRequest)
    assert row.outcome == "cancelled"
    assert escalations(session) == []


def test_a_discount_taken_then_refused_goes_to_a_person_not_left_as_taken(
    sms, customer_factory, session
):
    _customer(customer_factory, session, "es", "retain")
    thread = sms(SPANISH)
    thread.send_all("quiero cancelar", "4050")
    assert "Registré en tu cuenta 0000120451 un 35 %" in thread.send("sí")
    reply = thread.send("no espera, no quiero el descuento, quiero cancelar")
    assert OFFER_35 not in reply and TOPIC_QUESTION["es"] not in reply, reply
    [row] = all_rows(session, CancellationRequest)
    assert (row.offer, row.outcome) == ("discount_35_3m", "escalated")
    [escalation] = escalations(session)
    assert escalation.reason == "retention_refused"


def test_cancelling_the_bill_after_keeping_the_service_is_still_asked_about(
    sms, customer_factory, session
):
    _customer(customer_factory, session, "es", "care")
    thread = sms(SPANISH)
    thread.send_all("quiero cancelar", "4050", "me quedo")
    reply = thread.send("quiero cancelar la factura")
    # "Cancelar la factura" is paying it: no retention offer, nothing recorded as cancelled.
    assert "Lamento que quieras irte" not in reply and "Confirmas" not in reply, reply
    [row] = all_rows(session, CancellationRequest)
    assert row.outcome == "retained"


# --- hearing the offer again -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "voice", "asked"),
    [
        ("es", False, "repíteme la oferta"),
        ("es", True, "no te escuché, me la repites"),
        ("en", True, "say that again"),
    ],
)
def test_asking_to_hear_the_offer_again_repeats_it_and_a_yes_takes_it(
    sms, call, customer_factory, session, language, voice, asked
):
    _customer(customer_factory, session, language, "care")
    opening = OPENING[language]
    if voice:
        line = call(PHONES[language])
        line.start()
        line.say(opening)
        line.say({"es": "cuatro cero cinco cero", "en": "four zero five zero"}[language])
        again, _ = line.say(asked)
        done, _ = line.say({"es": "sí", "en": "yes"}[language])
    else:
        thread = sms(PHONES[language])
        thread.send_all(opening, "4050")
        again = thread.send(asked)
        done = thread.send("sí")
    speed = {"es": "doble de velocidad", "en": "double speed"}[language]
    assert speed in again, again
    assert "No te entendí" not in again and "didn't quite get" not in again, again
    assert {"es": "Gracias por quedarte", "en": "Thanks for staying"}[language] in done, done
    [row] = all_rows(session, CancellationRequest)
    assert (row.offer, row.outcome) == ("loyalty_double_speed", "retained")
    assert escalations(session) == []


# --- one line of two -------------------------------------------------------------------------


def _two_lines(customer_factory, session, language: str, quadrant: str) -> str:
    """The customer of ``language`` with home internet (0000120451) and a mobile line, placed
    in ``quadrant``; return the mobile line's number."""
    customer = _customer(customer_factory, session, language, quadrant)
    if language == "es":
        return add_account(session, customer, "3104447654").number
    return add_us_account(session, customer, "3055550999").number


@pytest.mark.parametrize(
    ("language", "opening", "only"),
    [
        ("es", "quiero cancelar el internet", "no, solo el celular"),
        ("en", "I want to cancel my home internet", "no, just the mobile line"),
    ],
)
def test_only_the_other_line_at_the_confirmation_cancels_that_line(
    sms, customer_factory, session, language, opening, only
):
    mobile = _two_lines(customer_factory, session, language, "let_go")
    thread = sms(PHONES[language])
    thread.send(opening)
    assert "0000120451" in thread.send("4050")
    asked = thread.send(only)
    assert CONFIRM[language] in asked and mobile in asked, asked
    # Not kept without a word on the line asked, and no article on what "celular" resembles.
    assert {"es": "sigue activo", "en": "stays active"}[language] not in asked, asked
    assert "roaming" not in asked.lower() and "(Fuente" not in asked, asked
    thread.send({"es": "sí", "en": "yes"}[language])
    [row] = all_rows(session, CancellationRequest)
    numbers = {a.id: a.number for a in all_rows(session, Account)}
    assert (numbers[row.account_id], row.outcome) == (mobile, "cancelled")
    assert escalations(session) == []


def test_only_the_other_line_at_the_offer_gets_that_lines_offer(sms, customer_factory, session):
    mobile = _two_lines(customer_factory, session, "es", "care")
    thread = sms(SPANISH)
    thread.send_all("quiero cancelar el internet")
    assert "doble de velocidad" in thread.send("4050")
    offered = thread.send("no, solo el celular")
    # The mobile line's own benefit, and nothing recorded on the internet kept by mistake.
    assert "doble de datos" in offered and "sigue activo" not in offered, offered
    assert "(Fuente" not in offered, offered
    assert all_rows(session, CancellationRequest) == []
    thread.send_all("no gracias", "sí")
    [row] = all_rows(session, CancellationRequest)
    numbers = {a.id: a.number for a in all_rows(session, Account)}
    assert (numbers[row.account_id], row.offer, row.outcome) == (
        mobile,
        "loyalty_double_data",
        "cancelled",
    )


def test_keeping_the_other_line_at_the_confirmation_cancels_nothing(sms, customer_factory, session):
    _two_lines(customer_factory, session, "es", "let_go")
    thread = sms(SPANISH)
    thread.send_all("quiero cancelar el internet", "4050")
    kept = thread.send("no, me quedo con el celular")
    assert "sigue activo" in kept and "3104447654" not in kept, kept
    [row] = all_rows(session, CancellationRequest)
    assert row.outcome == "retained"

"""Leaving the company as customers text it, over the signed SMS webhook: "kiero dar de baja el
internet", "me voy a otra compañia", "quiero portarme", "im switching to another carrier", "I
want to port my number out", "qiero cansel ar el servisio" go straight to the cancellation (never
"which topic do you mean?"), and the request is recorded when confirmed. "Quiero cancelar la
deuda", "no quiero dar de baja el internet", "¿cuánto cuesta cancelar?", "cancel my debt" are no
cancellation. Two requests in one message ("quiero cancelar y saber cuanto debo", "cuanto debo?
y tambien quiero dar de baja el internet", "I want to cancel. also how much do I owe?") are both
served, the one read first and then the other, announced from the start.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from contactpro.models import Customer
from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, escalations
from tests.contactpro.dialog.test_cancellation_other_requests import plain
from tests.contactpro.dialog.test_conversations_accounts import cancellations

PHONES = {"es": SPANISH, "en": ENGLISH}
ASKED_ID = {"es": "últimos cuatro dígitos", "en": "last four digits"}
NOT_UNDERSTOOD = {
    "es": ("no entendí", "Tu consulta es sobre", "No te entend"),
    "en": ("Is your question about", "didn't quite get that", "didn't understand"),
}
OFFER = {"es": "Lamento que quieras irte", "en": "I'm sorry you want to leave"}
CONFIRM = {"es": "Confirmas que quieres cancelar", "en": "Do you confirm"}
RECORDED = {"es": "Registre tu solicitud de cancelacion", "en": "recorded your cancellation"}
NO_YES = {"es": ("no", "sí"), "en": ("no", "yes")}
HEARD_BOTH = {
    ("es", "cancellation"): "primero cancelar tu servicio y luego tu saldo o tu factura",
    ("es", "billing_inquiry"): "primero tu saldo o tu factura y luego cancelar tu servicio",
    ("en", "cancellation"): "first cancelling your service, then your balance or bill",
    ("en", "billing_inquiry"): "first your balance or bill, then cancelling your service",
}
NOW_ABOUT = {
    ("es", "billing_inquiry"): "Ahora, sobre tu saldo o tu factura",
    ("es", "cancellation"): "Ahora, sobre cancelar tu servicio",
    ("en", "billing_inquiry"): "Now, about your balance or bill",
    ("en", "cancellation"): "Now, about cancelling your service",
}
BALANCE = {"es": "125.000 pesos", "en": "85.50 dollars"}
ACCOUNT = "0000120451"


def _customer(customer_factory: Callable[..., Customer], language: str) -> Customer:
    """The customer of ``language``, one account (0000120451), identified by 4050."""
    if language == "es":
        return customer_factory(phone=SPANISH)
    return customer_factory(
        phone=ENGLISH, language="en", currency="USD", name="Grace Miller", balance="85.50"
    )


def _understood(reply: str, language: str) -> None:
    assert not any(words in reply for words in NOT_UNDERSTOOD[language]), reply


def _one_cancelled(session: Session, customer: Customer) -> None:
    [row] = cancellations(session)
    assert (row.account_id, row.outcome) == (customer.accounts[0].id, "cancelled")
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "kiero dar de baja el internet"),
        ("es", "me voy a otra compañia"),
        ("es", "quiero portarme"),
        ("es", "quiero hacer portabilidad"),
        ("es", "qiero cansel ar el servisio"),
        ("es", "hola quiero cancelar mi servicio de internet, esta muy caro y se cae a cada rato"),
        ("en", "im switching to another carrier"),
        ("en", "I want to port my number out"),
        ("en", "I'm leaving you guys"),
        (
            "en",
            "hi I wanna cancel my internet, 85 bucks a month for this garbage connection is a joke",
        ),
    ],
)
def test_leaving_as_written_goes_to_the_cancellation_and_is_recorded(
    sms, customer_factory, session, language, said
):
    customer = _customer(customer_factory, language)
    thread = sms(PHONES[language])
    asked = thread.send(said)
    _understood(asked, language)
    assert ASKED_ID[language] in asked, asked
    offered = thread.send("4050")
    assert OFFER[language] in offered, offered
    refuse, confirm = NO_YES[language]
    assert CONFIRM[language] in thread.send(refuse)
    assert cancellations(session) == []
    done = thread.send(confirm)
    assert RECORDED[language] in plain(done), done
    _one_cancelled(session, customer)


def test_two_lines_to_cancel_are_understood(sms, customer_factory, session):
    _customer(customer_factory, "es")
    thread = sms(SPANISH)
    asked = thread.send("quiero cancelar las dos lineas")
    _understood(asked, "es")
    assert ASKED_ID["es"] in asked, asked
    assert OFFER["es"] in thread.send("4050")


@pytest.mark.parametrize(
    ("language", "said", "then", "answer"),
    [
        ("es", "quiero cancelar la deuda", "4050", "No tienes deudas vencidas"),
        ("es", "no quiero dar de baja el internet", "4050", "no cancelo nada"),
        ("es", "¿cuánto cuesta cancelar?", "", "Cancelar el servicio no cuesta nada"),
        ("en", "cancel my debt", "4050", "You have no overdue debt"),
    ],
)
def test_paying_keeping_or_asking_the_cost_is_no_cancellation(
    sms, customer_factory, session, language, said, then, answer
):
    _customer(customer_factory, language)
    thread = sms(PHONES[language])
    replies = [thread.send(said)] + ([thread.send(then)] if then else [])
    assert answer in replies[-1], replies
    assert not any(OFFER[language] in reply for reply in replies), replies
    assert cancellations(session) == [] and escalations(session) == []


@pytest.mark.parametrize(
    ("language", "said", "first", "then"),
    [
        ("es", "quiero cancelar y saber cuanto debo", "cancellation", "billing_inquiry"),
        ("en", "I want to cancel. also how much do I owe?", "cancellation", "billing_inquiry"),
        ("en", "I want to cancel my line and how much do I owe", "cancellation", "billing_inquiry"),
        (
            "es",
            "cuanto debo? y tambien quiero dar de baja el internet",
            "billing_inquiry",
            "cancellation",
        ),
        (
            "en",
            "how much do I owe? and I want to cancel my line",
            "billing_inquiry",
            "cancellation",
        ),
    ],
)
def test_cancelling_and_the_balance_in_one_message_are_both_served_in_order(
    sms, customer_factory, session, language, said, first, then
):
    customer = _customer(customer_factory, language)
    thread = sms(PHONES[language])
    heard = thread.send(said)
    _understood(heard, language)
    assert HEARD_BOTH[(language, first)] in heard, heard
    assert ASKED_ID[language] in heard, heard
    refuse, confirm = NO_YES[language]
    if first == "cancellation":
        assert OFFER[language] in thread.send("4050")
        assert CONFIRM[language] in thread.send(refuse)
        done = plain(thread.send(confirm))
        assert RECORDED[language] in done, done
        told = done.index(plain(NOW_ABOUT[(language, then)]))
        assert done.index(RECORDED[language]) < told < done.index(plain(BALANCE[language])), done
    else:
        answered = plain(thread.send("4050"))
        balance = answered.index(plain(BALANCE[language]))
        told = answered.index(plain(NOW_ABOUT[(language, then)]))
        assert balance < told < answered.index(plain(OFFER[language])), answered
        assert CONFIRM[language] in thread.send(refuse)
        assert RECORDED[language] in plain(thread.send(confirm))
    _one_cancelled(session, customer)


@pytest.mark.parametrize(
    ("language", "said", "article"),
    [
        (
            "es",
            "quiero cancelar el servicio. ¿tengo que devolver el modem?",
            "debes devolverlos al cancelar",
        ),
        (
            "en",
            "I want to cancel my service. do I have to return the modem?",
            "must be returned when you cancel",
        ),
    ],
)
def test_a_question_answered_first_never_drops_the_cancellation(
    sms, customer_factory, session, language, said, article
):
    customer = _customer(customer_factory, language)
    thread = sms(PHONES[language])
    answered = plain(thread.send(said))
    told = answered.index(plain(NOW_ABOUT[(language, "cancellation")]))
    assert answered.index(plain(article)) < told < answered.index(plain(ASKED_ID[language]))
    assert OFFER[language] in thread.send("4050")
    refuse, confirm = NO_YES[language]
    assert CONFIRM[language] in thread.send(refuse)
    assert RECORDED[language] in plain(thread.send(confirm))
    _one_cancelled(session, customer)

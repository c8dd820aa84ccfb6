""" "Las dos" / "both" answering which account: every account, never the second one.

A customer with two accounts asked which one to cancel, check a payment on or send a link for,
who answers "las dos", "ambas", "both" or "all of them", was read as naming position 2 and had
the second line cancelled or its link sent. Now the bot says it goes one account at a time and
asks which first; the answer to that is served; "both" again goes to a person with the reason
``several_accounts`` and nothing recorded. Over the signed webhooks, in both languages.
"""

from __future__ import annotations

import pytest

from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, escalations, sent_sms
from tests.contactpro.dialog.test_conversations_accounts import (
    FIRST,
    SECOND,
    cancellations,
    second_account,
)


@pytest.fixture
def camila(customer_factory):
    return customer_factory(phone=SPANISH)


@pytest.fixture
def grace(customer_factory):
    return customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")


@pytest.mark.parametrize(
    "both", ["las dos", "ambas", "quiero cancelar las 2", "todas", "ambas cuentas"]
)
def test_las_dos_is_asked_one_at_a_time_then_the_one_chosen_is_cancelled(
    sms, camila, session, both
):
    first_id = camila.accounts[0].id
    second_account(session, camila)
    thread = sms(SPANISH)
    thread.send_all("quiero cancelar el servicio", "4050")
    asked = thread.send(both)
    assert "una cuenta a la vez" in asked and "Cuál cancelamos primero" in asked
    assert FIRST in asked and SECOND in asked and "Después me pides la otra" in asked
    assert "visita técnica" not in asked and "Lamento" not in asked
    assert cancellations(session) == [] and escalations(session) == []
    assert "visita técnica preventiva" in thread.send("la 1")
    confirm = thread.send("no gracias")
    assert FIRST in confirm and SECOND not in confirm
    thread.send("sí")
    [request] = cancellations(session)
    assert (request.account_id, request.outcome) == (first_id, "cancelled")


def test_english_both_then_both_again_goes_to_a_person(sms, grace, session):
    second_account(session, grace, currency="USD")
    thread = sms(ENGLISH)
    thread.send_all("I want to cancel my service", "4050")
    asked = thread.send("both of them")
    assert "one account at a time" in asked and "shall we cancel first" in asked
    assert FIRST in asked and SECOND in asked and "ask me about the other one" in asked
    assert cancellations(session) == []
    handed = thread.send("both")
    assert "shall we cancel first" not in handed
    [escalation] = escalations(session)
    assert escalation.reason == "several_accounts"
    assert cancellations(session) == []


def test_a_payment_link_for_both_sends_no_link_until_one_is_chosen(app, sms, camila, session):
    second_account(session, camila)
    thread = sms(SPANISH)
    thread.send_all("mándame el link de pago", "4050")
    asked = thread.send("de las dos cuentas")
    assert "De cuál te envío primero el enlace de pago" in asked and sent_sms(app) == []
    reply = thread.send("la que termina en 7654")
    assert "59.900 pesos" in reply
    [message] = sent_sms(app)
    assert f"/p/{SECOND}?t=" in message["body"] and FIRST not in message["body"]


def test_english_payment_check_on_both_asks_which_first(sms, grace, session):
    second_account(session, grace, currency="USD")
    thread = sms(ENGLISH)
    asked = thread.send_all("I made a payment two days ago, did you get it?", "4050")
    assert "did you make the payment on" in asked
    first = thread.send("I paid both")
    assert "shall we check first" in first and "one account at a time" in first
    assert escalations(session) == []


def test_the_second_is_still_the_second(sms, camila, session):
    """ "La dos" (one account, by its place) is not both."""
    second = second_account(session, camila)
    thread = sms(SPANISH)
    thread.send_all("quiero cancelar el servicio", "4050")
    assert "visita técnica preventiva" in thread.send("la dos")
    thread.send_all("no gracias", "sí")
    [request] = cancellations(session)
    assert request.account_id == second.id

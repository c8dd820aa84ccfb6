"""A debtor who says no to the offer on the table to take another one instead.

"No, mejor la 1" at a restated plan restates option 1; "no, mejor el pago único" after the
longer plans were shown restates the single payment shown before. Neither is a refusal of every
option: nobody is handed over, and only the yes that follows books. A number of payments asked
after refusing the shortest plan ("ninguna", then "mejor en 4") gets the nearest plan not refused.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, agreements, escalations


def plain(text: str) -> str:
    """Return ``text`` without accents (a long SMS goes out in GSM-7 letters)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


@pytest.mark.parametrize("said", ["no, mejor la 1", "no mejor la primera", "no, prefiero la 1"])
def test_no_then_another_listed_option_restates_that_option(sms, debtor, session, said):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    assert "3 cuotas de 150.000 pesos" in plain(thread.send("la 3"))
    answer = plain(thread.send(said))
    assert "Te confirmo el acuerdo" in answer and "pago unico de 382.500 pesos" in answer
    assert "Otras opciones" not in answer and agreements(session) == []
    thread.send("si")
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.total, agreement.instalments) == (
        "settlement",
        Decimal("382500"),
        1,
    )
    assert escalations(session) == []


def test_no_then_the_single_payment_shown_before_is_no_refusal_of_everything(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la 3")
    assert "Otras opciones" in plain(thread.send("no"))
    answer = plain(thread.send("no, mejor el pago unico"))
    assert "pago unico de 382.500 pesos" in answer and "ninguna de las opciones" not in answer
    assert escalations(session) == [] and agreements(session) == []
    thread.send("dale")
    [agreement] = agreements(session)
    assert agreement.kind == "settlement" and agreement.total == Decimal("382500")


def test_english_no_then_rather_the_single_payment(sms, english_debtor, session):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    assert "Shall I record it" in thread.send("3")
    answer = thread.send("no, I'd rather take the single payment")
    assert "single payment" in answer and "Shall I record it" in answer
    assert "Other options" not in answer and agreements(session) == []
    thread.send("yes")
    [agreement] = agreements(session)
    assert agreement.kind == "settlement" and escalations(session) == []


def test_a_plain_no_still_shows_the_other_options(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la 3")
    answer = plain(thread.send("no quiero la 1"))
    assert "Otras opciones" in answer and "6 cuotas" in answer
    assert agreements(session) == []


def test_a_refused_plan_is_not_offered_back_as_the_nearest(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "ninguna me sirve")
    answer = plain(thread.send("mejor en 4 cuotas"))
    assert "Lo mas cercano es 6 cuotas" in answer and "3 cuotas" not in answer
    assert agreements(session) == [] and escalations(session) == []
    thread.send("si")
    [agreement] = agreements(session)
    assert agreement.instalments == 6


def test_english_a_refused_plan_is_not_offered_back_as_the_nearest(sms, english_debtor, session):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050", "none of those work for me")
    answer = thread.send("could you do 4 payments?")
    assert "The nearest is 6 instalments" in answer and "3 instalments" not in answer
    assert agreements(session) == [] and escalations(session) == []
    thread.send("yes")
    [agreement] = agreements(session)
    assert agreement.instalments == 6

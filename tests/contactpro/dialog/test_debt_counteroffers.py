"""Debt counter-offers from the customer's side: a lone number, a thumbs up, money offered, and a
request whose details were said before a clarifying question.

A lone number that is no option's ("mejor en 4", "what about 4?") asks for that many payments
and never picks the option whose date holds that day. A thumbs up alone is a yes, a thumbs down
a no. Money offered is answered truthfully (a monthly budget gets the plan that fits it, a sum at
once below the single payment is told so) and never books without the usual yes. Each test
asserts the rows written and the words received (long SMS replies go out without accents, so
assertions go through ``plain``).
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from decimal import Decimal

import pytest

from contactpro.models import Account, PaymentAgreement
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_account,
    add_us_account,
    agreements,
    bot_today,
    escalations,
    latest_interaction,
    latest_state,
)

PLANS = (3, 6, 12)


def plain(text: str) -> str:
    """Return ``text`` without accents (long SMS replies are sent in GSM-7 letters)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def nearest_plan(count: int) -> int:
    """Return the plan offered for ``count`` payments (ties go to the longer plan)."""
    return min(PLANS, key=lambda p: (abs(p - count), -p))


def a_due_day(app) -> int:
    """Return a day of the month an opening offer is due on that is no option's number (over 3):
    the number a lone "mejor en N" used to pick that offer by."""
    today = bot_today(app)
    return next(d.day for d in (today + timedelta(days=30), today + timedelta(days=3)) if d.day > 3)


def only_agreement(session) -> PaymentAgreement:
    [agreement] = agreements(session)
    return agreement


# --- 1. a lone number is a number of payments, never an option's date ---------------------------


@pytest.mark.parametrize("said", ["mejor en 4", "y en 5?", "mejor en cuatro entonces"])
def test_lone_number_after_a_restated_plan_asks_for_that_many_payments(sms, debtor, session, said):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    assert "6 cuotas de 75.000 pesos" in plain(thread.send("mejor en 6 cuotas"))
    answer = plain(thread.send(said))
    asked = 5 if "5" in said else 4
    assert f"No puedo ofrecerte {asked} pagos" in answer
    assert f"Lo mas cercano es {nearest_plan(asked)} cuotas" in answer
    assert "pago unico" not in answer and "¿Lo acepto y lo registro?" in answer
    assert agreements(session) == []
    thread.send("sí")
    agreement = only_agreement(session)
    assert (agreement.kind, agreement.instalments, agreement.total) == (
        "instalments",
        nearest_plan(asked),
        450000,
    )


def test_lone_day_of_an_offer_is_a_number_of_payments_not_that_offer(app, sms, debtor, session):
    day = a_due_day(app)
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    answer = plain(thread.send(f"mejor en {day}"))
    assert f"{nearest_plan(day)} cuotas de" in answer and "pago unico" not in answer
    picked = plain(thread.send("mejor la 2"))  # a listed option's number still picks it
    assert "pago unico de 416.250 pesos" in picked and "No puedo ofrecerte" not in picked
    assert agreements(session) == []


def test_english_lone_number_from_the_first_options_is_a_plan(app, sms, english_debtor, session):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    answer = thread.send("what about 4?")
    assert "can't offer 4 payments" in answer and "3 instalments of 80.00 dollars" in answer
    assert "single payment" not in answer and "Shall I record it" in answer
    answer = thread.send(f"what about {a_due_day(app)}?")
    assert f"{nearest_plan(a_due_day(app))} instalments of" in answer
    assert "single payment" not in answer
    answer = thread.send("y en 5?")
    assert "6 instalments of 40.00 dollars" in answer and "single payment" not in answer
    assert agreements(session) == []
    thread.send("yes")
    agreement = only_agreement(session)
    assert (agreement.kind, agreement.instalments) == ("instalments", 6)


# --- 2. a thumbs up is a yes, a thumbs down a no ------------------------------------------------


@pytest.mark.parametrize("emoji", ["👍", "👌", "✅", "👍🏻", "👍👍"])
def test_thumbs_up_books_the_restated_offer(sms, debtor, session, emoji):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    assert "¿Lo acepto y lo registro?" in thread.send("la primera")
    done = plain(thread.send(emoji))
    assert "registre tu acuerdo" in done
    agreement = only_agreement(session)
    assert (agreement.kind, agreement.total, agreement.instalments) == ("settlement", 382500, 1)
    assert escalations(session) == []


def test_thumbs_up_on_whatsapp_books_the_restated_offer(sms, debtor, session):
    thread = sms(f"whatsapp:{SPANISH}")
    thread.send_all("quiero negociar mi deuda", "4050")
    assert "¿Lo acepto y lo registro?" in thread.send("la de 3 cuotas")
    assert "registré tu acuerdo" in thread.send("👍🏽")
    agreement = only_agreement(session)
    assert (agreement.kind, agreement.instalments) == ("instalments", 3)
    assert escalations(session) == [] and latest_interaction(session).channel == "whatsapp"


def test_thumbs_up_answers_every_yes_no_question(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la primera")
    assert "registre tu acuerdo" in plain(thread.send("👍"))
    thread.send("👍")  # "¿Con esto resolví tu consulta?"
    assert latest_state(session)["confirmed"] is True
    assert len(agreements(session)) == 1 and escalations(session) == []


def test_thumbs_down_is_a_no_and_a_thumbs_up_then_books(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la primera")
    answer = plain(thread.send("👎"))
    assert "Otras opciones" in answer and "6 cuotas de 75.000 pesos" in answer
    assert agreements(session) == [] and escalations(session) == []
    assert "6 cuotas de 75.000 pesos" in plain(thread.send("la 1"))
    assert "registre tu acuerdo" in plain(thread.send("👍"))
    agreement = only_agreement(session)
    assert (agreement.instalments, agreement.instalment_amount) == (6, Decimal("75000"))


def test_english_thumbs_up_with_skin_tone_books(sms, english_debtor, session):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    assert "Shall I record it" in thread.send("the second one")
    assert "recorded your agreement" in thread.send("👍🏽")
    agreement = only_agreement(session)
    assert (agreement.kind, agreement.total) == ("settlement", Decimal("198.00"))
    assert escalations(session) == []


# --- 3. money offered is answered, and never books by itself ------------------------------------


def test_monthly_budget_gets_the_plan_that_fits_it(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    answer = plain(thread.send("puedo pagar 80 mil al mes"))
    # 3 cuotas of 150.000 are over the budget; 6 of 75.000 are the fewest that fit.
    assert "Con 80.000 pesos al mes" in answer and "6 cuotas de 75.000 pesos" in answer
    assert "¿Lo acepto y lo registro?" in answer and "Tus opciones son" not in answer
    assert agreements(session) == []
    thread.send("si")
    agreement = only_agreement(session)
    assert (agreement.instalments, agreement.instalment_amount) == (6, Decimal("75000"))


def test_budget_below_every_plan_says_the_lowest_then_a_person(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    answer = plain(thread.send("solo puedo 20 mil al mes"))
    assert "no alcanzo a ofrecerte un plan" in answer
    assert "la cuota mas baja que puedo ofrecerte es de 37.500 pesos, en 12 cuotas" in answer
    assert agreements(session) == [] and escalations(session) == []
    handed = plain(thread.send("no, de verdad puedo 10 mil mensuales"))
    assert "10.000 pesos al mes" in handed and "no registre ningun acuerdo" in handed
    assert agreements(session) == []
    [escalation] = escalations(session)
    assert escalation.reason == "offer_refused"


@pytest.mark.parametrize(
    "said", ["puedo dar 150 mil de una y quedamos a paz y salvo", "bueno 250 mil de una"]
)
def test_sum_below_the_single_payment_is_told_so(sms, debtor, session, said):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    answer = plain(thread.send(said))
    assert "no puedo dar la deuda por saldada" in answer and "por debajo" in answer
    assert "El pago unico mas bajo es de 382.500 pesos" in answer
    assert "3 cuotas de 150.000 pesos" in answer and "¿Lo acepto y lo registro?" in answer
    assert "Responde 1, 2 o 3" not in answer and agreements(session) == []


def test_sum_at_once_never_books_at_the_restated_offer_and_a_second_goes_to_a_person(
    sms, debtor, session
):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    assert "3 cuotas de 150.000 pesos" in plain(thread.send("la tercera"))
    # "bueno" and "de una" are a yes; with money they offer that sum instead.
    answer = plain(thread.send("bueno 150 mil de una"))
    assert "no puedo dar la deuda por saldada" in answer and "registre" not in answer
    assert agreements(session) == [] and escalations(session) == []
    handed = plain(thread.send("bueno 250 mil de una y quedamos a paz y salvo"))
    assert "250.000 pesos" in handed and "no registre ningun acuerdo" in handed
    assert agreements(session) == []
    assert [e.reason for e in escalations(session)] == ["offer_refused"]


def test_sum_that_reaches_the_single_payment_gets_it(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    answer = plain(thread.send("puedo dar 400 mil de una"))
    assert "alcanzas a saldar la deuda" in answer and "pago unico de 382.500 pesos" in answer
    assert agreements(session) == []
    thread.send("si")
    agreement = only_agreement(session)
    assert (agreement.kind, agreement.total) == ("settlement", 382500)


def test_a_smaller_first_instalment_gets_the_equal_instalments(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    at_options = plain(thread.send("y puedo pagar menos en la primera cuota? tipo 30 mil"))
    assert "cuotas iguales" in at_options and "escribe asesor" in at_options
    assert "Tus opciones son" in at_options
    assert "3 cuotas de 150.000 pesos" in plain(thread.send("la 3"))
    answer = plain(thread.send("y puedo pagar menos en la primera cuota? tipo 30 mil"))
    assert "cuotas iguales" in answer and "3 cuotas de 150.000 pesos" in answer
    assert "¿Lo acepto y lo registro?" in answer
    assert agreements(session) == [] and escalations(session) == []


def test_english_money_offered(sms, english_debtor, session):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    budget = thread.send("I can pay $50 a month")
    assert "With 50.00 dollars a month" in budget and "6 instalments of 40.00 dollars" in budget
    below = thread.send("I can give you 100 dollars to settle it")
    assert "can't settle the debt for 100.00 dollars" in below
    assert "lowest single payment is 156.00 dollars" in below
    first = thread.send("can I pay less on the first instalment?")
    assert "equal instalments" in first and "text agent" in first
    assert agreements(session) == [] and escalations(session) == []
    thread.send("yes")
    agreement = only_agreement(session)
    assert (agreement.kind, agreement.instalments) == ("instalments", 3)


# --- 4. details said before a clarifying question are kept --------------------------------------


def test_details_said_before_a_clarifying_question_are_kept(sms, debtor, session):
    mobile = add_account(session, debtor, "3104447654", "200000", 120)
    thread = sms(SPANISH)
    asked = plain(thread.send("lo del hogar mejor a 12 cuotas"))
    assert "acuerdo de pago" in asked, "the message is clarified first"
    thread.send("acuerdo de pago")
    answer = plain(thread.send("4050"))
    assert "Sobre cual" not in answer and "Tienes deuda en 2 cuentas" not in answer
    assert "12 cuotas de 37.500 pesos" in answer and "0000120451" in answer
    thread.send("si")
    agreement = only_agreement(session)
    assert agreement.account_id == debtor.accounts[0].id != mobile.id
    assert agreement.instalments == 12


def test_english_details_said_before_a_clarifying_question_are_kept(sms, english_debtor, session):
    english_debtor.accounts[0].plan = "Home Internet 100 Mb"
    add_us_account(session, english_debtor, "3055550199", "100.00", 300)
    thread = sms(ENGLISH)
    assert "payment plan" in thread.send("the home one in 12 payments")
    thread.send("payment plan")
    answer = thread.send("4050")
    assert "Which one" not in answer and "12 instalments of 20.00 dollars" in answer
    thread.send("yes")
    agreement = only_agreement(session)
    assert (agreement.account_id, agreement.instalments) == (english_debtor.accounts[0].id, 12)


def test_changing_the_agreement_of_the_account_named_by_its_plan(sms, debtor, session):
    internet: Account = debtor.accounts[0]
    add_account(session, debtor, "3104447654", "200000", 120)  # listed first: more overdue
    earlier = PaymentAgreement(
        account_id=internet.id,
        kind="instalments",
        debt_amount=Decimal("450000"),
        total=Decimal("450000"),
        discount_pct=Decimal("0"),
        instalments=3,
        instalment_amount=Decimal("150000"),
        first_due=date.today() + timedelta(days=5),
        status="active",
    )
    session.add(earlier)
    session.commit()
    thread = sms(SPANISH)
    thread.send("quiero cambiar el acuerdo de pago del internet de la casa, mejor a 12 cuotas")
    answer = plain(thread.send("4050"))
    assert "Sobre cual" not in answer and "12 cuotas de 37.500 pesos" in answer
    assert "reemplaza" in answer and "0000120451" in answer
    thread.send("si")
    rows = {(a.account_id, a.instalments, a.status) for a in agreements(session)}
    assert rows == {(internet.id, 3, "replaced"), (internet.id, 12, "active")}


def test_instalments_asked_are_kept_while_the_account_is_asked(sms, debtor, session):
    mobile = add_account(session, debtor, "3104447654", "600000", 40)
    thread = sms(SPANISH)
    thread.send("quiero pagar mi deuda en 12 cuotas")
    assert "Tienes deuda en 2 cuentas" in plain(thread.send("4050"))
    answer = plain(thread.send("la 2"))
    assert "12 cuotas de 50.000 pesos" in answer and "3104447654" in answer
    assert "Te ofrezco" not in answer and agreements(session) == []
    thread.send("si")
    agreement = only_agreement(session)
    assert (agreement.account_id, agreement.instalments) == (mobile.id, 12)

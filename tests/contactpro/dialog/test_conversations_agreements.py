"""Agreements and payments from the customer's side: what is told is what is booked and charged.

A payment link after an agreement is for what the agreement asks now; an account never holds two
active agreements (the one in force is told, kept or replaced); money said is never a number of
payments or an option; a payment claimed is checked by its amount and day, and one that does not
match goes to a person with what the customer stated; a date just past is the past; amounts are
told and booked in the same units. Each test asserts the rows written and the words received
(long SMS replies go out without accents, so assertions go through ``plain``).
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest

from contactpro.dialog.localtime import local_date, zone_of
from contactpro.dialog.replies import format_date
from contactpro.models import PaymentAgreement
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_account,
    add_payment,
    agreements,
    bot_today,
    escalations,
    latest_state,
    make_overdue,
    sent_sms,
)


def plain(text: str) -> str:
    """Return ``text`` without accents (long SMS replies are sent in GSM-7 letters)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def link_amount(body: str) -> str | None:
    """Return the amount a payment link in an SMS body charges, if it names one."""
    url = next(w for w in body.split() if w.startswith("http"))
    return parse_qs(urlparse(url).query).get("amount", [None])[0]


def earlier_agreement(session, account, **fields) -> PaymentAgreement:
    """Record an active agreement booked in an earlier conversation."""
    values = {
        "kind": "settlement",
        "debt_amount": Decimal("450000"),
        "total": Decimal("382500"),
        "discount_pct": Decimal("15"),
        "instalments": 1,
        "instalment_amount": Decimal("382500"),
        "first_due": date.today() + timedelta(days=2),
        "status": "active",
    }
    agreement = PaymentAgreement(account_id=account.id, **{**values, **fields})
    session.add(agreement)
    session.commit()
    return agreement


# --- 1. the payment link after an agreement ------------------------------------------------------


def test_link_after_a_settlement_charges_the_settlement_not_the_balance(app, sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero pagar mi deuda con descuento", "4050", "la 1")
    assert "registré tu acuerdo" in thread.send("si")
    said = plain(thread.send("listo, mandame el link para pagar eso ya mismo"))
    assert "382.500 pesos" in said and "pago unico de tu acuerdo" in said
    assert "540.000" not in said  # the whole balance
    body = sent_sms(app)[-1]["body"]
    assert "382.500 pesos" in body and "540.000" not in body
    assert link_amount(body) == "382500"
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.total, agreement.status) == ("settlement", 382500, "active")
    assert escalations(session) == []


def test_english_link_after_a_plan_charges_the_first_instalment(app, sms, english_debtor, session):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050", "could you do 6 monthly payments?")
    assert "recorded your agreement" in thread.send("yes")
    said = thread.send("can you text me the payment link?")
    assert "40.00 dollars" in said and "first instalment of your agreement" in said
    assert "300.00" not in said and "240.00 dollars" not in said
    body = sent_sms(app)[-1]["body"]
    assert link_amount(body) == "40.00" and "first instalment" in body
    [agreement] = agreements(session)
    assert (agreement.instalments, agreement.instalment_amount) == (6, Decimal("40.00"))


@pytest.mark.parametrize(
    ("phone", "opener", "link_request", "words", "charged"),
    [
        (
            SPANISH,
            "quiero negociar mi deuda",
            "mandame el link para pagar",
            "76.500 pesos",
            "76500",
        ),
        (
            ENGLISH,
            "I want to negotiate my debt",
            "text me the payment link",
            "76.50 dollars",
            "76.50",
        ),
    ],
)
def test_link_after_an_agreement_is_for_the_account_negotiated(
    app, request, sms, session, phone, opener, link_request, words, charged
):
    customer = request.getfixturevalue("debtor" if phone == SPANISH else "english_debtor")
    currency = "COP" if phone == SPANISH else "USD"
    debt = "90000" if phone == SPANISH else "90.00"
    second = add_account(session, customer, "3104447654", debt, 40, currency=currency)
    thread = sms(phone)
    thread.send_all(opener, "4050", "2")  # the second overdue account: 15 % off
    thread.send("1")
    thread.send("si" if phone == SPANISH else "yes")
    [agreement] = agreements(session)
    assert agreement.account_id == second.id
    said = plain(thread.send(link_request))
    assert words in said and "3104447654" in said
    assert "Tienes 2 cuentas" not in said and "You have 2 accounts" not in said
    body = sent_sms(app)[-1]["body"]
    assert "3104447654" in body and link_amount(body) == charged
    assert customer.accounts[0].number not in body
    assert escalations(session) == []


def test_link_naming_another_account_after_an_agreement_is_for_that_one(app, sms, debtor, session):
    other = add_account(session, debtor, "3104447654", "0", 0)
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "1")
    assert "registré tu acuerdo" in thread.send("si")
    thread.send("mandame el link de pago de la cuenta que termina en 7654")
    body = sent_sms(app)[-1]["body"]
    assert other.number in body and link_amount(body) is None  # that account's balance
    [agreement] = agreements(session)
    assert agreement.account_id == debtor.accounts[0].id


def test_link_without_an_agreement_is_still_for_the_balance(app, sms, customer_factory, session):
    customer_factory(balance="125000")
    thread = sms(SPANISH)
    thread.send_all("mandame el link de pago", "4050")
    body = sent_sms(app)[-1]["body"]
    assert "125.000 pesos" in body and link_amount(body) is None


# --- 2. one active agreement per account ---------------------------------------------------------


def test_agreement_in_force_is_told_and_a_plan_asked_for_replaces_it(sms, debtor, session):
    earlier = earlier_agreement(session, debtor.accounts[0])
    thread = sms(SPANISH)
    thread.send("hola otra vez, mejor quiero hacer el acuerdo en cuotas")
    told = plain(thread.send("4050"))
    assert "Ya tienes un acuerdo de pago activo" in told and "382.500 pesos" in told
    asked = plain(thread.send("3 cuotas"))
    assert "reemplaza el que tienes activo" in asked and "3 cuotas de 150.000 pesos" in asked
    assert [a.status for a in agreements(session)] == ["active"]  # nothing booked yet
    done = plain(thread.send("si"))
    assert "registre tu acuerdo" in done and "quedo reemplazado" in done
    rows = {a.id: a for a in agreements(session)}
    assert rows[earlier.id].status == "replaced"
    [active] = [a for a in rows.values() if a.status == "active"]
    assert (active.kind, active.instalments, active.total) == ("instalments", 3, 450000)
    assert active.account_id == debtor.accounts[0].id


def test_english_agreement_in_force_is_kept_when_the_customer_keeps_it(
    sms, english_debtor, session
):
    earlier_agreement(
        session,
        english_debtor.accounts[0],
        debt_amount=Decimal("240.00"),
        total=Decimal("156.00"),
        discount_pct=Decimal("35"),
        instalment_amount=Decimal("156.00"),
    )
    thread = sms(ENGLISH)
    told = thread.send_all("I want to negotiate my debt", "4050")
    assert "already have an active payment agreement" in told and "156.00 dollars" in told
    kept = thread.send("no, keep it as it is")
    assert "stays as it is" in kept and "156.00 dollars" in kept
    [agreement] = agreements(session)
    assert (agreement.status, agreement.total) == ("active", Decimal("156.00"))
    assert escalations(session) == []


def test_changing_plan_in_the_same_conversation_leaves_one_agreement(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la 1", "si")
    asked = plain(thread.send("mejor quiero hacerlo en 6 cuotas"))
    assert "reemplaza el que tienes activo" in asked and "6 cuotas de 75.000 pesos" in asked
    thread.send("si")
    [agreement] = agreements(session)  # one conversation books one agreement
    assert (agreement.kind, agreement.instalments, agreement.status) == ("instalments", 6, "active")
    assert agreement.instalment_amount == Decimal("75000")


@pytest.mark.parametrize(
    ("phone", "said", "kept", "words"),
    [
        (SPANISH, "no lo quiero cambiar", True, "sigue igual"),
        (SPANISH, "no lo mantengo, quiero otro", False, "3 cuotas de 150.000 pesos"),
        (ENGLISH, "I don't want to keep it", False, "3 instalments of 80.00 dollars"),
        (ENGLISH, "don't change it", True, "stays as it is"),
    ],
)
def test_keep_or_change_is_read_with_its_negation(request, sms, session, phone, said, kept, words):
    customer = request.getfixturevalue("debtor" if phone == SPANISH else "english_debtor")
    earlier = earlier_agreement(session, customer.accounts[0])
    thread = sms(phone)
    opener = "quiero negociar mi deuda" if phone == SPANISH else "I want to negotiate my debt"
    thread.send_all(opener, "4050")
    answer = plain(thread.send(said))
    assert words in answer
    assert ("Te ofrezco" in answer or "I can offer" in answer) is not kept
    assert [(a.id, a.status) for a in agreements(session)] == [(earlier.id, "active")]


# --- 3. money is no number of payments and no option --------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "tengo 3 millones, pago todo de una vez",
        "puedo pagar 2 millones de una vez",
        "tengo 1.5 millones, lo pago todo de una vez",
        "tengo 600 lucas, pago de contado",
    ],
)
def test_money_said_is_no_instalment_count_nor_option(sms, debtor, session, said):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    answer = plain(thread.send(said))
    assert "pago unico de 382.500 pesos" in answer and "¿Lo acepto y lo registro?" in answer
    assert "cuotas" not in answer and "416.250" not in answer
    assert agreements(session) == []
    thread.send("si")
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.total, agreement.instalments) == ("settlement", 382500, 1)


def test_english_money_said_is_no_instalment_count(sms, english_debtor, session):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    answer = thread.send("I have two thousand dollars, I'll pay it all at once")
    assert "single payment of 156.00 dollars" in answer and "instalments" not in answer
    thread.send("yes")
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.total) == ("settlement", Decimal("156.00"))


def test_an_option_named_by_its_amount_is_still_picked(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    answer = plain(thread.send("la de 416.250"))
    assert "pago unico de 416.250 pesos" in answer and agreements(session) == []


# --- 4. a payment claimed is checked by its amount and day -------------------------------------


def test_claimed_transfer_that_does_not_match_goes_to_an_agent_with_the_claim(
    app, sms, customer_factory, session
):
    customer = customer_factory(balance="106981")
    add_payment(session, customer.accounts[0], "106981", days_ago=0)
    thread = sms(SPANISH)
    thread.send("buenas, ayer hice una transferencia de 250.000 para abonar, ya les llego??")
    answer = plain(thread.send("4050"))
    yesterday = bot_today(app) - timedelta(days=1)
    assert f"No encuentro un pago de 250.000 pesos del {format_date(yesterday, 'es')}" in answer
    assert "El ultimo pago registrado es de 106.981 pesos" in answer
    assert "recibimos tu pago" not in answer and "asesor" in answer
    [escalation] = escalations(session)
    assert escalation.reason == "payment_not_found"
    claim = escalation.context["details"]["payment_claim"]
    assert (claim["amount"], claim["date"]) == ("250000", yesterday.isoformat())
    assert claim["account"] == customer.accounts[0].number
    assert latest_state(session)["resolved"] is False


def test_claimed_old_payment_that_exists_is_confirmed(app, sms, customer_factory, session):
    customer = customer_factory(balance="785162")
    paid = add_payment(session, customer.accounts[0], "544895", days_ago=60)
    paid_on = local_date(paid.paid_at, zone_of(app.extensions["contactpro"].settings, None))
    thread = sms(SPANISH)
    thread.send(
        f"les pague 544.895 el {format_date(paid_on, 'es')} y me siguen cobrando, no les aparece?"
    )
    answer = plain(thread.send("4050"))
    assert f"recibimos tu pago de 544.895 pesos el {format_date(paid_on, 'es')}" in answer
    assert "Aun no vemos" not in answer and escalations(session) == []


def test_english_claim_of_another_amount_is_not_confirmed_by_a_recent_payment(
    app, sms, customer_factory, session
):
    customer = customer_factory(
        phone=ENGLISH, language="en", currency="USD", balance="80", name="Grace Miller"
    )
    add_payment(session, customer.accounts[0], "35.00", days_ago=1)
    thread = sms(ENGLISH)
    thread.send("I paid 120 dollars yesterday, did you get it?")
    answer = thread.send("4050")
    assert "can't find a payment of 120.00 dollars" in answer
    assert "The last payment we have recorded is 35.00 dollars" in answer
    assert "we received your payment" not in answer
    [escalation] = escalations(session)
    claim = escalation.context["details"]["payment_claim"]
    assert claim["amount"] == "120" and claim["date"] is not None


def test_english_claim_matching_a_payment_is_confirmed(sms, customer_factory, session):
    customer = customer_factory(
        phone=ENGLISH, language="en", currency="USD", balance="80", name="Grace Miller"
    )
    add_payment(session, customer.accounts[0], "35.00", days_ago=1)
    thread = sms(ENGLISH)
    thread.send("I paid 35 dollars yesterday, did you get it?")
    assert "we received your payment of 35.00 dollars" in thread.send("4050")
    assert escalations(session) == []


# --- 5. a date just past is the past --------------------------------------------------------------


def test_a_date_just_past_is_said_to_be_past_not_next_year(app, sms, debtor, session):
    past = bot_today(app) - timedelta(days=5)
    thread = sms(SPANISH)
    thread.send_all("quiero hacer un acuerdo de pago", "4050")
    answer = plain(thread.send(f"puedo pagar todo el {format_date(past, 'es')}?"))
    assert f"El {format_date(past, 'es')} ya paso" in answer
    soonest = bot_today(app) + timedelta(days=3)
    assert f"hasta el {format_date(soonest, 'es')}" in answer and "382.500 pesos" in answer
    assert "No puedo aplazar" not in answer and agreements(session) == []


def test_english_date_just_past_is_said_to_be_past(app, sms, english_debtor, session):
    past = bot_today(app) - timedelta(days=3)
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    answer = thread.send(f"can I pay it all on {format_date(past, 'en')}?")
    assert f"{format_date(past, 'en')} has already passed" in answer
    assert "can't defer" not in answer and "156.00 dollars" in answer
    assert agreements(session) == []


# --- 6. what is told is what is booked -----------------------------------------------------------


def test_debt_with_centavos_is_told_and_booked_in_whole_pesos(sms, customer_factory, session):
    customer = customer_factory(balance="449161.10")
    make_overdue(session, customer, "342180.10", 23)
    thread = sms(SPANISH)
    opening = plain(thread.send_all("quiero negociar mi deuda", "4050"))
    assert "342.180 pesos" in opening and "3 cuotas de 114.060 pesos" in opening
    asked = plain(thread.send("3 cuotas"))
    assert "en total 342.180 pesos" in asked and "342.181" not in asked
    thread.send("si")
    [agreement] = agreements(session)
    assert (agreement.total, agreement.instalment_amount) == (342180, 114060)
    assert agreement.debt_amount == 342180


def test_mexican_pesos_told_are_the_pesos_booked(app, sms, customer_factory, session):
    customer = customer_factory(
        phone="+5218180352657", currency="MXN", balance="1014.74", name="Luis Pérez"
    )
    make_overdue(session, customer, "520.84", 175)
    thread = sms("+5218180352657")
    thread.send("necesito ponerme al dia con lo q debo, me lo dejan en 3 cuotas?")
    asked = plain(thread.send("4050"))
    thread.send("ok va")
    [agreement] = agreements(session)
    assert agreement.total == agreement.total.to_integral_value()
    told = f"{agreement.total:,.0f}".replace(",", ".") + " pesos mexicanos"
    assert told in asked and told in sent_sms(app)[-1]["body"]


def test_an_uneven_plan_says_its_last_instalment(sms, customer_factory, session):
    customer = customer_factory(balance="1619864.87")
    make_overdue(session, customer, "1227283.87", 134)
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    asked = plain(thread.send("3 cuotas"))
    assert "3 cuotas de 409.094 pesos (la ultima de 409.096 pesos)" in asked
    assert "en total 1.227.284 pesos" in asked
    thread.send("si")
    [agreement] = agreements(session)
    assert (agreement.total, agreement.instalment_amount) == (1227284, 409094)

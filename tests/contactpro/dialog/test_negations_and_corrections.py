"""Negations, corrections and denials over SMS, in Spanish and English.

A number of instalments taken back ("no 12, 6 cuotas", "not 12 instalments") is never the one
asked for; a no followed by another option ("no, la 2", "no wait, option 2") takes that option;
a no taken back by a yes ("no, sí quiero") is no refusal. A problem or a charge denied ("I don't
have a problem with my internet", "I wasn't overcharged") starts no troubleshooting and logs no
dispute, and a bill that never arrived ("no pagué la factura porque no me llegó") is sent, never
looked for as a payment.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, agreements, escalations


def plain(text: str) -> str:
    """Return ``text`` without accents (a long SMS goes out in GSM-7 letters)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


# --- a number of instalments taken back ----------------------------------------------------------


@pytest.mark.parametrize(
    "said", ["no 12, 6 cuotas", "no quiero 12 cuotas, mejor 6", "12 cuotas no, mejor 6"]
)
def test_a_count_taken_back_is_not_the_one_booked(sms, debtor, session, said):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    reply = plain(thread.send(said))
    assert "6 cuotas de 75.000 pesos" in reply, reply
    assert "12 cuotas" not in reply and agreements(session) == []
    thread.send("si")
    [agreement] = agreements(session)
    assert (agreement.instalments, agreement.instalment_amount) == (6, Decimal("75000"))
    assert agreement.total == Decimal("450000") and escalations(session) == []


@pytest.mark.parametrize("said", ["not 12, 6 instalments", "not 12 instalments, 6"])
def test_english_count_corrected_at_the_restated_offer(sms, english_debtor, session, said):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050", "12 instalments")
    reply = thread.send(said)
    assert "6 instalments of 40.00 dollars" in reply, reply
    assert "12 instalments" not in reply and agreements(session) == []
    thread.send("yes")
    [agreement] = agreements(session)
    assert (agreement.instalments, agreement.instalment_amount) == (6, Decimal("40.00"))


@pytest.mark.parametrize(
    ("phone", "opening", "asked", "refused", "other"),
    [
        (SPANISH, "quiero negociar mi deuda", "12 cuotas", "no 12 cuotas", "Otras opciones"),
        (ENGLISH, "I want to negotiate my debt", "12 instalments", "not 12 instalments", "Other"),
    ],
)
def test_a_count_refused_at_its_restatement_is_not_offered_again(
    sms, request, session, phone, opening, asked, refused, other
):
    request.getfixturevalue("debtor" if phone == SPANISH else "english_debtor")
    thread = sms(phone)
    thread.send_all(opening, "4050", asked)
    reply = plain(thread.send(refused))
    assert other in reply, reply
    assert "puedo ofrecerte 12" not in reply and "I can offer you 12" not in reply
    assert "12 cuotas" not in reply and "12 instalments" not in reply
    assert agreements(session) == [] and escalations(session) == []


@pytest.mark.parametrize(
    ("phone", "opening", "refused", "other"),
    [
        (SPANISH, "quiero negociar mi deuda", "3 cuotas no me sirve", "Otras opciones"),
        (ENGLISH, "I want to negotiate my debt", "3 instalments doesn't work for me", "Other"),
    ],
)
def test_a_plan_refused_by_its_count_is_not_restated(
    sms, request, session, phone, opening, refused, other
):
    request.getfixturevalue("debtor" if phone == SPANISH else "english_debtor")
    thread = sms(phone)
    thread.send_all(opening, "4050")
    reply = plain(thread.send(refused))
    assert other in reply and "Te confirmo" not in reply and "Let me confirm" not in reply, reply
    assert agreements(session) == []


# --- a no, then another option --------------------------------------------------------------------


@pytest.mark.parametrize("said", ["no, la 2", "no espera, la 2"])
def test_no_then_another_option_takes_it(sms, debtor, session, said):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la 3")
    reply = plain(thread.send(said))
    assert "Te confirmo el acuerdo para la cuenta 0000120451: un pago unico de 416.250" in reply
    assert "Otras opciones" not in reply and agreements(session) == []
    thread.send("si")
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.total) == ("settlement", Decimal("416250"))
    assert escalations(session) == []


@pytest.mark.parametrize("said", ["no, option 2", "no wait, option 2"])
def test_english_no_then_another_option_takes_it(sms, english_debtor, session, said):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050", "option 3")
    reply = thread.send(said)
    assert "for account 0000120451: a single payment of 198.00 dollars" in reply, reply
    assert "Other options" not in reply and agreements(session) == []
    thread.send("yes")
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.total) == ("settlement", Decimal("198.00"))


def test_no_then_the_same_option_refused_is_still_a_refusal(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la 3")
    reply = plain(thread.send("no, la 3 no me sirve"))
    assert "Otras opciones" in reply and agreements(session) == []


# --- a no taken back by a yes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "opening", "no", "taken_back", "pick", "yes", "asked", "booked"),
    [
        (
            SPANISH,
            "quiero negociar mi deuda",
            "no",
            "no, sí quiero",
            "1",
            "si",
            "Responde 1 o 2",
            Decimal("75000"),
        ),
        (
            ENGLISH,
            "I want to negotiate my debt",
            "no",
            "no, yes I want it",
            "1",
            "yes",
            "Reply 1 or 2",
            Decimal("40.00"),
        ),
    ],
)
def test_a_no_taken_back_by_a_yes_is_no_refusal(
    sms, request, session, phone, opening, no, taken_back, pick, yes, asked, booked
):
    """ "No, sí quiero" at the other options was read as none of them and handed over."""
    request.getfixturevalue("debtor" if phone == SPANISH else "english_debtor")
    thread = sms(phone)
    thread.send_all(opening, "4050", "3", no)
    reply = thread.send(taken_back)
    assert asked in reply, reply
    assert "asesor" not in reply and "agent" not in reply
    assert escalations(session) == [] and agreements(session) == []
    thread.send_all(pick, yes)
    [agreement] = agreements(session)
    assert (agreement.instalments, agreement.instalment_amount) == (6, booked)


def test_a_no_taken_back_at_the_restated_offer_asks_again(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050", "la 3")
    reply = plain(thread.send("no espera, si"))
    assert "Registro el acuerdo de 3 cuotas" in reply and "Otras opciones" not in reply, reply
    assert agreements(session) == [] and escalations(session) == []


# --- a problem or a charge denied ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "said", "balance"),
    [
        (
            ENGLISH,
            "I don't have a problem with my internet, I want my balance",
            "The balance on account 0000120451 is 300.00 dollars",
        ),
        (
            ENGLISH,
            "my internet is fine, I just want my balance",
            "The balance on account 0000120451 is 300.00 dollars",
        ),
        (
            SPANISH,
            "no tengo ningún problema con el wifi, quiero saber el saldo",
            "Tu saldo en la cuenta 0000120451 es de 540.000 pesos",
        ),
    ],
)
def test_a_problem_denied_starts_no_troubleshooting(sms, request, session, phone, said, balance):
    request.getfixturevalue("debtor" if phone == SPANISH else "english_debtor")
    thread = sms(phone)
    first = thread.send(said)
    assert "modem" not in plain(first).lower() and "router" not in first, first
    reply = thread.send("4050")
    assert balance in reply, reply
    assert "modem" not in plain(reply).lower() and escalations(session) == []


@pytest.mark.parametrize(
    ("phone", "said", "balance"),
    [
        (
            ENGLISH,
            "I wasn't overcharged, I just want to know my due date",
            "The balance on account 0000120451 is 300.00 dollars, due on",
        ),
        (
            SPANISH,
            "no me cobraron doble, solo quiero saber mi saldo",
            "Tu saldo en la cuenta 0000120451 es de 540.000 pesos, con fecha limite",
        ),
    ],
)
def test_a_charge_denied_is_no_dispute(sms, request, session, phone, said, balance):
    """ "I wasn't overcharged" was logged as a disputed charge and handed over."""
    request.getfixturevalue("debtor" if phone == SPANISH else "english_debtor")
    reply = plain(sms(phone).send_all(said, "4050"))
    assert balance in reply, reply
    assert "dispute" not in reply and "reclamo" not in reply and "asesor" not in reply
    assert escalations(session) == []


# --- a bill that never arrived -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "language", "said", "copy", "not_said"),
    [
        (
            SPANISH,
            "es",
            "no pagué la factura porque no me llegó",
            "Copia de la factura F11223311 de la cuenta 0000120451",
            "no vemos un pago",
        ),
        (
            ENGLISH,
            "en",
            "I didn't pay because I never got the bill",
            "Copy of bill F55012311 for account 0000120451",
            "payment",
        ),
    ],
)
def test_a_bill_that_never_arrived_is_sent(
    sms, billed, session, phone, language, said, copy, not_said
):
    """ "No pagué la factura porque no me llegó" was looked for as a payment made."""
    billed(phone, language)
    reply = plain(sms(phone).send_all(said, "4050"))
    assert copy in reply, reply
    assert not_said not in reply and "asesor" not in reply and "agent" not in reply
    assert escalations(session) == [] and agreements(session) == []

"""A plan the customer cannot afford, and a bare yes to "which option do you prefer?".

"No me alcanza para seis cuotas", "6 cuotas es mucho", "I can't afford to pay six instalments"
refuse that plan: it is neither restated nor booked, and the options neither shown nor refused
yet are offered, else a person takes over. A yes said to the list of options is a customer
willing to pay who has not chosen: never booked, never taken for an answer not understood; the
second yes is asked which option with each one named briefly, the third goes to a person told
the customer wants to pay.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, agreements, escalations


def plain(text: str) -> str:
    """Return ``text`` without accents (a long SMS goes out in GSM-7 letters)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def negotiating(sms, request, language: str):
    """Open a thread as the debtor of ``language``, ask to negotiate and verify."""
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    thread = sms(SPANISH if language == "es" else ENGLISH)
    opening = "quiero negociar mi deuda" if language == "es" else "I want to negotiate my debt"
    offers = plain(thread.send_all(opening, "4050"))
    assert "1)" in offers and "3)" in offers, offers
    return thread


# --- a plan the customer cannot afford -----------------------------------------------------------

OTHER = {"es": "Otras opciones", "en": "Other options"}
SIX = {"es": "6 cuotas de 75.000 pesos", "en": "6 instalments of 40.00 dollars"}
TWELVE = {"es": "12 cuotas de 37.500 pesos", "en": "12 instalments of 20.00 dollars"}
OFFERED = {"es": "puedo ofrecerte", "en": "I can offer you"}
CONFIRM = {"es": "Te confirmo", "en": "Let me confirm"}
YES = {"es": "sí", "en": "yes"}


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "no me alcanza para seis cuotas"),
        ("es", "no me alcanza con 6 cuotas"),
        ("es", "no puedo pagar 6 cuotas"),
        ("es", "6 cuotas es mucho"),
        ("es", "seis cuotas no las puedo pagar"),
        ("es", "no me alcanza para pagar 6 cuotas"),
        ("es", "6 cuotas son demasiadas para mí"),
        ("en", "I can't afford six instalments"),
        ("en", "I can't afford to pay six instalments"),
        ("en", "6 payments is too much for me"),
        ("en", "six instalments is too much"),
        ("en", "six payments I can't afford"),
        ("es", "no me alcanza pa 6 cuotas"),
        ("es", "no alcanzo a pagar 6 cuotas"),
        ("es", "uy no 6 cuotas de 75 mil no me alcanza la plata mk tienen algo mas bajito"),
        ("en", "I can't afford 6 payments of 40, anything lower?"),
        ("en", "no, 6 instalments of 40 dollars I can't afford"),
        ("es", "6 cuotas de 75.000 no me alcanza"),
    ],
)
def test_a_plan_the_customer_cannot_afford_is_refused_not_restated(
    sms, request, session, language, said
):
    thread = negotiating(sms, request, language)
    other = plain(thread.send(said))
    assert OTHER[language] in other and TWELVE[language] in other, other
    assert SIX[language] not in other and OFFERED[language] not in other
    assert CONFIRM[language] not in other
    assert agreements(session) == [] and escalations(session) == []
    restated = plain(thread.send("1"))
    assert CONFIRM[language] in restated and TWELVE[language] in restated, restated
    assert agreements(session) == []
    thread.send(YES[language])
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.instalments) == ("instalments", 12)
    assert agreement.instalment_amount == Decimal("37500" if language == "es" else "20.00")
    assert agreement.total == Decimal("450000" if language == "es" else "240.00")
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "first", "second"),
    [
        ("es", "no me alcanza para seis cuotas", "tampoco me alcanza para doce cuotas"),
        ("en", "I can't afford six instalments", "12 instalments is too much too"),
        ("es", "no me alcanza para seis cuotas", "tampoco doce"),
        ("es", "no me alcanza para seis cuotas", "ni doce"),
        ("en", "I can't afford six instalments", "twelve neither"),
        ("en", "I can't afford six instalments", "not twelve either"),
    ],
)
def test_when_nothing_affordable_is_left_a_person_takes_over_with_nothing_booked(
    sms, request, session, language, first, second
):
    thread = negotiating(sms, request, language)
    assert TWELVE[language] in plain(thread.send(first))
    handed = plain(thread.send(second))
    nothing_booked = "no registre ningun" if language == "es" else "have not recorded any"
    assert nothing_booked in handed, handed
    assert OFFERED[language] not in handed and CONFIRM[language] not in handed
    assert agreements(session) == []
    assert [e.reason for e in escalations(session)] == ["offer_refused"]


THREE = {"es": "3 cuotas de 150.000 pesos", "en": "3 instalments of 80.00 dollars"}
SINGLE = {"es": ("382.500", "416.250"), "en": ("156.00", "198.00")}


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "no me alcanza para 3 cuotas de 150 mil"),
        ("es", "no alcanzo a pagar 3 cuotas de 150.000 pesos"),
        ("es", "3 cuotas de 150 mil no me alcanza la plata, tienen algo mas bajito?"),
        ("en", "I can't afford 3 payments of 80"),
        ("en", "3 instalments of 80 dollars is too much for me"),
    ],
)
def test_an_amount_said_as_too_dear_is_no_budget(sms, request, session, language, said):
    thread = negotiating(sms, request, language)
    other = plain(thread.send(said))
    assert OTHER[language] in other and SIX[language] in other, other
    assert TWELVE[language] in other and THREE[language] not in other
    assert OFFERED[language] not in other and CONFIRM[language] not in other
    assert "al mes te sirve" not in other and "fits" not in other
    assert agreements(session) == [] and escalations(session) == []
    # A yes to the smaller options is no yes to the plan refused: nothing is booked.
    assert CONFIRM[language] not in plain(thread.send(YES[language]))
    assert agreements(session) == []
    restated = plain(thread.send("1"))
    assert CONFIRM[language] in restated and SIX[language] in restated, restated
    thread.send(YES[language])
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.instalments) == ("instalments", 6)
    assert agreement.instalment_amount == Decimal("75000" if language == "es" else "40.00")
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "no me alcanza para el pago único"),
        ("es", "no me alcanza pa pagar de contado"),
        ("es", "el pago único no me alcanza"),
        ("es", "el pago único de 382.500 no me alcanza"),
        ("en", "I can't afford the single payment"),
        ("en", "the single payment is too much for me"),
    ],
)
def test_a_single_payment_too_dear_refuses_the_single_payments(
    sms, request, session, language, said
):
    thread = negotiating(sms, request, language)
    other = plain(thread.send(said))
    assert OTHER[language] in other and SIX[language] in other, other
    assert TWELVE[language] in other and CONFIRM[language] not in other
    assert all(total not in other for total in SINGLE[language]), other
    assert agreements(session) == [] and escalations(session) == []
    restated = plain(thread.send("1"))
    assert CONFIRM[language] in restated and SIX[language] in restated, restated
    assert all(total not in restated for total in SINGLE[language]), restated
    thread.send(YES[language])
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.instalments) == ("instalments", 6)
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "no me alcanza para 12 cuotas"),
        ("es", "12 cuotas es mucho para mí"),
        ("en", "I can't afford 12 instalments"),
        ("en", "12 payments is too much for me"),
    ],
)
def test_the_longest_plan_too_dear_offers_no_larger_payments(sms, request, session, language, said):
    thread = negotiating(sms, request, language)
    handed = plain(thread.send(said))
    # Payments of 75.000 (or 40.00) are larger than the 37.500 (20.00) it cannot afford.
    assert SIX[language] not in handed and OTHER[language] not in handed, handed
    assert TWELVE[language] not in handed and CONFIRM[language] not in handed
    nothing_booked = "no registre ningun" if language == "es" else "have not recorded any"
    assert nothing_booked in handed, handed
    assert agreements(session) == []
    assert [e.reason for e in escalations(session)] == ["offer_refused"]


@pytest.mark.parametrize(
    ("language", "said"),
    [("es", "no quiero 12 cuotas"), ("en", "I don't want 12 instalments")],
)
def test_the_longest_plan_only_unwanted_still_offers_the_others(
    sms, request, session, language, said
):
    thread = negotiating(sms, request, language)
    other = plain(thread.send(said))
    assert OTHER[language] in other and SIX[language] in other, other
    assert TWELVE[language] not in other and escalations(session) == []


@pytest.mark.parametrize(
    ("language", "said", "six"),
    [
        ("es", "no hay problema con 6 cuotas", "6 cuotas de 75.000 pesos"),
        ("en", "no problem with 6 payments", "6 instalments of 40.00 dollars"),
    ],
)
def test_a_plan_said_with_an_idiom_of_yes_is_asked_for(sms, request, session, language, said, six):
    thread = negotiating(sms, request, language)
    restated = plain(thread.send(said))
    assert six in restated and OTHER[language] not in restated, restated
    thread.send(YES[language])
    [agreement] = agreements(session)
    assert agreement.instalments == 6 and escalations(session) == []


def test_a_plan_the_caller_cannot_afford_is_refused_on_a_call(call, debtor, session):
    line = call(SPANISH)
    line.start()
    line.say("quiero negociar mi deuda")
    offers, _ = line.say("cuatro cero cinco cero")
    assert "1)" in offers and "3)" in offers, offers
    other, verb = line.say("no me alcanza para seis cuotas")
    assert verb == "Gather" and "Otras opciones" in other and "12 cuotas de 37500 pesos" in other
    assert "6 cuotas de 75000" not in other and "puedo ofrecerte" not in other, other
    assert "Te confirmo" not in other
    assert agreements(session) == [] and escalations(session) == []
    restated, _ = line.say("uno")
    assert "Te confirmo" in restated and "12 cuotas de 37500 pesos" in restated, restated
    done, _ = line.say("sí")
    assert "registré tu acuerdo" in done, done
    [agreement] = agreements(session)
    assert (agreement.instalments, agreement.instalment_amount) == (12, Decimal("37500"))
    assert escalations(session) == []


def test_tampoco_doce_on_a_call_refuses_the_last_plan(call, debtor, session):
    line = call(SPANISH)
    line.start()
    line.say("quiero negociar mi deuda")
    line.say("cuatro cero cinco cero")
    other, _ = line.say("no me alcanza para seis cuotas")
    assert "Otras opciones" in other and "12 cuotas de 37500 pesos" in other, other
    handed, _ = line.say("tampoco doce")
    assert "no registré ningún" in handed, handed
    assert "puedo ofrecerte" not in handed and "Te confirmo" not in handed
    assert agreements(session) == []
    assert [e.reason for e in escalations(session)] == ["offer_refused"]


# --- a bare yes to the list of options -----------------------------------------------------------

PICK = {"es": "Responde 1, 2 o 3", "en": "Reply 1, 2 or 3"}
WHICH = {
    "es": (
        "¿Cuál eliges: la 1 (pago único de 382.500 pesos), la 2 (pago único de 416.250 pesos) "
        "o la 3 (3 cuotas de 150.000 pesos)?"
    ),
    "en": (
        "Which one do you choose: 1 (a single payment of 156.00 dollars), 2 (a single payment "
        "of 198.00 dollars) or 3 (3 instalments of 80.00 dollars)?"
    ),
}
HANDED = {"es": "asesor", "en": "agent"}


@pytest.mark.parametrize(
    ("language", "yes"),
    [("es", "sí"), ("es", "dale"), ("es", "ok"), ("en", "yes"), ("en", "ok")],
)
def test_a_second_yes_is_asked_which_option_then_the_pick_is_booked(
    sms, request, session, language, yes
):
    thread = negotiating(sms, request, language)
    first = thread.send(yes)
    assert plain(PICK[language]) in plain(first), first
    second = thread.send(yes)
    assert plain(WHICH[language]) in plain(second), second
    assert HANDED[language] not in second and CONFIRM[language] not in second
    assert agreements(session) == [] and escalations(session) == []
    restated = plain(thread.send("3"))
    three = "3 cuotas de 150.000 pesos" if language == "es" else "3 instalments of 80.00 dollars"
    assert CONFIRM[language] in restated and three in restated, restated
    assert agreements(session) == []
    thread.send(YES[language])
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.instalments) == ("instalments", 3)
    assert agreement.instalment_amount == Decimal("150000" if language == "es" else "80.00")
    assert escalations(session) == []


@pytest.mark.parametrize(("language", "unclear"), [("es", "mmm eso"), ("en", "hmm that")])
def test_a_yes_after_an_answer_not_understood_does_not_hand_over(
    sms, request, session, language, unclear
):
    thread = negotiating(sms, request, language)
    thread.send(unclear)
    after = thread.send(YES[language])
    assert plain(PICK[language]) in plain(after), after
    assert HANDED[language] not in after and escalations(session) == []
    assert plain(WHICH[language]) in plain(thread.send(YES[language]))
    assert agreements(session) == [] and escalations(session) == []


@pytest.mark.parametrize(
    ("language", "wants"),
    [("es", "Veo que quieres pagar"), ("en", "I can see you want to pay")],
)
def test_a_third_bare_yes_hands_over_as_wanting_to_pay_with_nothing_booked(
    sms, request, session, language, wants
):
    thread = negotiating(sms, request, language)
    thread.send_all(YES[language], YES[language])
    handed = plain(thread.send(YES[language]))
    nothing_booked = "no registre ningun" if language == "es" else "have not recorded any"
    assert plain(wants) in handed and nothing_booked in handed, handed
    assert HANDED[language] in handed
    assert CONFIRM[language] not in handed and "registre tu acuerdo" not in handed
    assert agreements(session) == []
    [escalation] = escalations(session)
    assert escalation.reason == "wants_to_pay"
    assert "wanted_to_pay" in escalation.context["steps_tried"]


def test_a_second_yes_on_a_call_names_the_options_in_words(call, debtor, session):
    line = call(SPANISH)
    line.start()
    line.say("quiero negociar mi deuda")
    line.say("cuatro cero cinco cero")
    first, _ = line.say("sí")
    assert "Dime uno, dos o tres" in first, first
    second, verb = line.say("sí")
    assert verb == "Gather" and "la uno (pago único de 382500 pesos)" in second, second
    assert "o la tres (3 cuotas de 150000 pesos)" in second
    assert agreements(session) == [] and escalations(session) == []
    restated, _ = line.say("dos")
    assert "Te confirmo" in restated and "416250" in restated, restated
    line.say("sí")
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.total) == ("settlement", Decimal("416250"))


# --- too dear, said of what is on the table ------------------------------------------------------

BOOKED = {"es": "registre tu acuerdo", "en": "recorded your agreement"}


@pytest.mark.parametrize(
    ("language", "said"),
    [("es", "es mucho para mí"), ("es", "es mucha plata"), ("en", "that's a lot of money")],
)
def test_the_options_said_too_dear_show_the_cheaper_ones(sms, request, session, language, said):
    thread = negotiating(sms, request, language)
    other = plain(thread.send(said))
    assert OTHER[language] in other and SIX[language] in other, other
    assert TWELVE[language] in other and THREE[language] not in other
    assert plain(PICK[language]) not in other and CONFIRM[language] not in other
    assert agreements(session) == [] and escalations(session) == []


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "es mucho para mí"),
        ("es", "eso no me alcanza"),
        ("es", "sí pero es mucho"),
        ("en", "that's a lot of money"),
        ("en", "yes but that's too much for me"),
    ],
)
def test_the_offer_restated_said_too_dear_is_not_booked_by_the_next_yes(
    sms, request, session, language, said
):
    thread = negotiating(sms, request, language)
    assert CONFIRM[language] in plain(thread.send("1"))
    other = plain(thread.send(said))
    assert OTHER[language] in other and SIX[language] in other, other
    assert all(total not in other for total in SINGLE[language]), other
    after = plain(thread.send(YES[language]))
    assert CONFIRM[language] not in after and BOOKED[language] not in after, after
    assert agreements(session) == [] and escalations(session) == []


@pytest.mark.parametrize(
    ("language", "refused", "budget", "plan", "amount"),
    [
        ("es", "la 3 no me alcanza", "puedo 200 mil al mes", 6, "75000"),
        ("es", "ninguna", "puedo 200 mil al mes", 6, "75000"),
        ("es", "no me alcanza para 6 cuotas", "puedo 200 mil al mes", 12, "37500"),
        ("en", "none", "I can pay 100 a month", 6, "40.00"),
    ],
)
def test_a_budget_said_after_a_refusal_never_restates_the_plan_refused(
    sms, request, session, language, refused, budget, plan, amount
):
    thread = negotiating(sms, request, language)
    thread.send(refused)
    restated = plain(thread.send(budget))
    assert CONFIRM[language] in restated and THREE[language] not in restated, restated
    thread.send(YES[language])
    [agreement] = agreements(session)
    assert (agreement.instalments, agreement.instalment_amount) == (plan, Decimal(amount))
    assert escalations(session) == []

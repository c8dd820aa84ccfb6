"""Interest asked about during the negotiation, as debtors write it: "¿eso tiene intereses?",
"is there any interest?". The answer comes from the debt policy (no surcharge: the plans total
what is owed; a surcharge set with ``CONTACTPRO_DEBT_INSTALMENT_SURCHARGE_PCT``: its percent),
then the options or the restated offer again; nothing is booked.
"""

from __future__ import annotations

import pytest

from tests.contactpro.dialog.conftest import agreements, escalations, latest_state
from tests.contactpro.dialog.test_conversations_debt_answers import plain

OPENING = {"es": "quiero negociar mi deuda", "en": "I want to negotiate my debt"}
NO_INTEREST = {
    "es": "Los planes en cuotas no tienen intereses: pagas en total lo que debes, 450.000 pesos.",
    "en": "The instalment plans carry no interest: in total you pay what you owe, 240.00 dollars.",
}
SURCHARGE = {
    "es": "Los planes en cuotas tienen un recargo del 5 % sobre la deuda: pagas en total 472.500",
    "en": "The instalment plans carry a 5 % surcharge on the debt: in total you pay 252.00",
}
OPTIONS = {"es": "Tus opciones son", "en": "Your options are"}


def _thread(sms, language: str, request: pytest.FixtureRequest):
    customer = request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    thread = sms(customer.phone)
    thread.send_all(OPENING[language], "4050")
    return thread


@pytest.mark.parametrize(
    ("language", "asked"),
    [
        ("es", "eso tiene intereses?"),
        ("es", "y me cobran intereses por pagar en cuotas"),
        ("en", "is there any interest?"),
        ("en", "do the payment plans have interest"),
    ],
)
def test_interest_asked_at_the_options_is_answered_and_the_options_stay(
    sms, session, request, language, asked
):
    thread = _thread(sms, language, request)
    answer = plain(thread.send(asked))
    assert NO_INTEREST[language].replace("ú", "u") in answer, answer
    assert OPTIONS[language] in answer and "3)" in answer, answer  # every option still said
    assert latest_state(session)["awaiting"] == "offer_choice"
    assert agreements(session) == [] and escalations(session) == []


@pytest.mark.parametrize(("language", "pick"), [("es", "la 3"), ("en", "option 3")])
def test_interest_asked_at_a_restated_plan_restates_it(sms, session, request, language, pick):
    thread = _thread(sms, language, request)
    restated = plain(thread.send(pick))
    answer = plain(thread.send("tiene interes?" if language == "es" else "any interest on that?"))
    assert NO_INTEREST[language] in answer, answer
    assert latest_state(session)["awaiting"] == "offer_confirm"
    plan = "3 cuotas de 150.000 pesos" if language == "es" else "3 instalments of 80.00 dollars"
    assert plan in restated and plan in answer, answer  # the plan restated, still to confirm
    assert agreements(session) == []


@pytest.fixture
def surcharge(app_config) -> None:
    """A 5 % surcharge on the instalment plans (``CONTACTPRO_DEBT_INSTALMENT_SURCHARGE_PCT``)."""
    app_config["debt_instalment_surcharge_pct"] = 5.0


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_surcharge_setting_changes_the_answer(surcharge, sms, session, request, language):
    thread = _thread(sms, language, request)
    answer = plain(thread.send("eso tiene intereses?" if language == "es" else "any interest?"))
    assert SURCHARGE[language] in answer, answer
    assert NO_INTEREST[language] not in answer


@pytest.mark.parametrize(
    ("language", "said"), [("es", "me interesa la 3"), ("en", "I'm interested in option 3")]
)
def test_interested_is_no_interest_question(sms, session, request, language, said):
    thread = _thread(sms, language, request)
    answer = plain(thread.send(said))
    assert NO_INTEREST[language] not in answer
    assert latest_state(session)["awaiting"] == "offer_confirm"

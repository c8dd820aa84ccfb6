"""Product questions as customers ask them: a question no article answers is told so before
the person (never a guessed figure), a plan size the company does not sell is answered with
the plans it does (never another article that shares "cuánto cuesta"), the cheapest plan with
prices, and fibre in a city the articles do not name with the coverage article."""

from __future__ import annotations

import re

import pytest

from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, escalations, latest_state

PHONES = {"es": SPANISH, "en": ENGLISH}
UNKNOWN = {
    "es": "No tengo información sobre eso",
    "en": "I don't have information on that",
}


def _customer(customer_factory, language: str) -> None:
    currency = "COP" if language == "es" else "USD"
    customer_factory(phone=PHONES[language], language=language, currency=currency)


@pytest.mark.parametrize(
    ("language", "asked"),
    [
        ("es", "tienen planes prepago?"),
        ("es", "venden netflix incluido?"),
        ("en", "do you have prepaid plans"),
        ("en", "do you sell iphones?"),
    ],
)
def test_a_question_no_article_answers_is_said_unknown_before_a_person(
    sms, customer_factory, session, language, asked
):
    _customer(customer_factory, language)
    reply = sms(PHONES[language]).send(asked)
    assert UNKNOWN[language] in reply
    assert not re.search(r"\d", reply)  # no price, size or figure made up
    [escalation] = escalations(session)
    assert escalation.reason == "no_article"
    assert latest_state(session)["resolved"] is False


@pytest.mark.parametrize(
    ("language", "asked"), [("es", "tienen planes prepago"), ("en", "do you have prepaid plans")]
)
def test_a_caller_hears_the_unknown_without_written_marks(
    call, customer_factory, session, language, asked
):
    _customer(customer_factory, language)
    phone = call(PHONES[language])
    phone.start()
    spoken, _ = phone.say(asked)
    assert UNKNOWN[language] in spoken
    assert escalations(session)[0].reason == "no_article"


@pytest.mark.parametrize(
    ("language", "asked", "plans"),
    [
        ("es", "cuánto cuesta el plan de 1000 megas", "100 Mb por 89.900 pesos"),
        ("en", "how much is the 2000 mb plan?", "200 Mb for 55 dollars"),
    ],
)
def test_a_plan_size_not_sold_is_answered_with_the_plans_sold(
    sms, customer_factory, session, language, asked, plans
):
    _customer(customer_factory, language)
    reply = sms(PHONES[language]).send(asked)
    assert plans in reply
    assert not any(word in reply for word in ("Cancelar", "cancel", "1000 Mb", "2000 Mb"))
    state = latest_state(session)
    assert state["outcome_detail"].startswith("article:") and "plan" in state["outcome_detail"]


@pytest.mark.parametrize(
    ("language", "asked", "price"),
    [
        ("es", "cuál es el plan más barato", "89.900 pesos"),
        ("en", "what's the cheapest plan", "dollars"),
    ],
)
def test_the_cheapest_plan_is_answered_with_prices(
    sms, customer_factory, session, language, asked, price
):
    _customer(customer_factory, language)
    reply = sms(PHONES[language]).send(asked)
    assert price in reply
    assert "IVA" not in reply and "Installation" not in reply
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "asked", "cities"),
    [
        ("es", "tienen fibra en Pasto?", "Medell"),
        ("en", "do you have fiber in Chicago?", "Miami, Houston"),
    ],
)
def test_fibre_in_a_city_not_named_gets_the_coverage_article(
    sms, customer_factory, session, language, asked, cities
):
    _customer(customer_factory, language)
    reply = sms(PHONES[language]).send(asked)
    assert cities in reply
    assert latest_state(session)["outcome_detail"] in ("article:cobertura", "article:coverage")
    assert escalations(session) == []

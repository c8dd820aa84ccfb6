"""Product questions are answered for the customer's own market, in the language they write.

Prices, coverage and currency depend on the country the customer is served in (their account's
currency, else their number's country code); a market without an article gets an honest
hand-over, never another country's price. Articles the same everywhere answer everyone.
"""

from __future__ import annotations

import pytest

from contactpro.nlu.text import fold
from tests.contactpro.dialog.conftest import escalations, latest_state

COLOMBIA, MEXICO, USA = "+573001112233", "+5218165779753", "+12128576991"
CUSTOMERS = {
    COLOMBIA: {"currency": "COP", "name": "Camila Rojas Pérez"},
    MEXICO: {"currency": "MXN", "name": "Daniela Rodríguez Pérez"},
    USA: {"currency": "USD", "name": "Andrés Martínez Muñoz"},
}
# Another country's prices and cities, per market: none may reach the customer.
FOREIGN = {
    COLOMBIA: ("dólares", "dollars", "mexicanos", "Mexican", "Miami", "Monterrey"),
    MEXICO: ("54.900", "54,900", "89.900", "89,900", "dólares", "dollars", "Bogotá", "Miami"),
    USA: ("54.900", "54,900", "89.900", "89,900", "pesos", "Bogotá", "Monterrey"),
}


def says(reply: str, *words: str) -> bool:
    """Return True when the reply holds every word (long SMS replies lose their accents)."""
    return all(fold(word) in fold(reply) for word in words)


def says_none(reply: str, words: tuple[str, ...]) -> bool:
    """Return True when the reply holds none of ``words``."""
    return not any(says(reply, word) for word in words)


@pytest.fixture
def customer(customer_factory):
    """A customer served in the market of ``phone``, writing in ``language``."""
    return lambda phone, language: customer_factory(
        phone=phone, language=language, **CUSTOMERS[phone]
    )


def _answered(session, reply: str, phone: str, slug: str) -> None:
    assert says_none(reply, FOREIGN[phone]), reply
    assert latest_state(session)["outcome_detail"] == f"article:{slug}"
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("phone", "language", "question", "slug", "must"),
    [
        (COLOMBIA, "es", "cuánto cuesta el plan móvil ilimitado?", "plan-movil", "54.900 pesos"),
        (
            COLOMBIA,
            "en",
            "how much is the unlimited mobile plan?",
            "unlimited-mobile",
            "54,900 Colombian pesos",
        ),
        (USA, "es", "cuanto cuesta el plan movil ilimitado?", "plan-movil", "40 dólares"),
        (USA, "en", "how much is the unlimited mobile plan?", "unlimited-mobile", "40 dollars"),
        (
            MEXICO,
            "es",
            "qué planes de internet tienen?",
            "planes-internet-hogar",
            "449 pesos mexicanos",
        ),
        (
            MEXICO,
            "en",
            "what home internet plans do you have?",
            "home-internet-plans",
            "449 Mexican pesos",
        ),
    ],
)
def test_prices_are_the_customers_markets_in_their_language(
    sms, customer, session, phone, language, question, slug, must
):
    customer(phone, language)
    reply = sms(phone).send(question)
    assert says(reply, must), reply
    _answered(session, reply, phone, slug)


@pytest.mark.parametrize(
    ("phone", "language", "question", "slug", "must"),
    [
        (
            MEXICO,
            "es",
            "hay cobertura de fibra en monterrey?",
            "cobertura",
            ("Monterrey", "Guadalajara"),
        ),
        (
            MEXICO,
            "en",
            "do you have fiber coverage in monterrey?",
            "coverage",
            ("Monterrey", "Mexico City"),
        ),
        (
            COLOMBIA,
            "es",
            "hay cobertura de fibra en monterrey?",
            "cobertura",
            ("Bogotá", "Medellín"),
        ),
        (USA, "en", "do you have fiber coverage in houston?", "coverage", ("Houston", "Miami")),
        (USA, "es", "tienen cobertura de fibra en miami?", "cobertura", ("Miami", "Nueva York")),
    ],
)
def test_coverage_names_the_customers_markets_cities(
    sms, customer, session, phone, language, question, slug, must
):
    customer(phone, language)
    reply = sms(phone).send(question)
    assert says(reply, *must), reply
    _answered(session, reply, phone, slug)


@pytest.mark.parametrize(
    ("language", "question", "must"),
    [
        ("es", "cuánto cuesta el plan móvil ilimitado?", "para tu país"),
        ("en", "how much does international roaming cost?", "for your country"),
    ],
)
def test_a_market_without_the_article_is_told_so_and_handed_over(
    sms, customer, session, language, question, must
):
    """Mexico has no mobile plan article: no Colombian or American price, a person instead."""
    customer(MEXICO, language)
    reply = sms(MEXICO).send(question)
    assert says(reply, must), reply
    assert says_none(reply, (*FOREIGN[MEXICO], "15 dollars", "45.000"))
    [escalation] = escalations(session)
    assert escalation.reason == "no_article"
    assert latest_state(session)["outcome_detail"].startswith("no_market_article:")


def test_the_account_says_the_market_before_the_number(sms, customer_factory, session):
    """A Colombian customer texting from an American number hears Colombian prices."""
    customer_factory(phone="+13055550123", currency="COP")
    reply = sms("+13055550123").send("cuánto cuesta el plan móvil ilimitado?")
    assert says(reply, "54.900 pesos") and says_none(reply, ("dólares",)), reply
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("phone", "question", "must", "must_not"),
    [
        ("+5215543718594", "qué planes de internet tienen?", "449 pesos mexicanos", "89.900"),
        ("+13055559999", "what home internet plans do you have?", "55 dollars", "pesos"),
    ],
)
def test_an_unknown_texter_hears_the_market_of_their_number(
    sms, session, phone, question, must, must_not
):
    reply = sms(phone).send(question)
    assert says(reply, must) and says_none(reply, (must_not,)), reply
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("phone", "language", "question", "slug", "must"),
    [
        (
            MEXICO,
            "es",
            "¿puedo mejorar mi plan o subir la velocidad?",
            "cambio-de-plan",
            "sin costo",
        ),
        (USA, "es", "¿puedo mejorar mi plan o subir la velocidad?", "cambio-de-plan", "sin costo"),
        (COLOMBIA, "en", "can I upgrade my plan or speed?", "changing-plan", "at no cost"),
    ],
)
def test_shared_articles_answer_every_market(
    sms, customer, session, phone, language, question, slug, must
):
    customer(phone, language)
    reply = sms(phone).send(question)
    assert says(reply, must), reply
    _answered(session, reply, phone, slug)

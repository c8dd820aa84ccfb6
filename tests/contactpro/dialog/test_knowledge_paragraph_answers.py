"""A product question is answered with the paragraph of the article that answers it: "¿cuánto se
demora la instalación?" gets the installation paragraph of the plans article, not its prices."""

from __future__ import annotations

import pytest

from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, escalations, latest_state
from tests.contactpro.dialog.test_conversations_knowledge import says, says_none


@pytest.mark.parametrize(
    ("language", "phone", "currency", "question", "slug", "must", "must_not"),
    [
        (
            "es",
            SPANISH,
            "COP",
            "cuanto se demora la instalacion de la fibra? y cobran algo?",
            "planes-internet-hogar",
            ("instalación es gratuita", "2 a 5 días hábiles"),
            ("89.900", "Tenemos tres planes"),
        ),
        (
            "es",
            SPANISH,
            "COP",
            "oiga y mi celular funciona en europa??",
            "roaming",
            ("funciona en el exterior", "Fuera de América"),
            ("45.000",),
        ),
        (
            "en",
            ENGLISH,
            "USD",
            "how long does the installation take? is it free?",
            "home-internet-plans",
            ("Installation is free", "2 to 5 business days"),
            ("We have three",),
        ),
    ],
)
def test_the_paragraph_that_answers_the_question_is_told(
    sms, customer_factory, session, language, phone, currency, question, slug, must, must_not
):
    customer_factory(phone=phone, language=language, currency=currency)
    reply = sms(phone).send(question)
    assert says(reply, *must), reply
    assert says_none(reply, must_not), reply
    assert latest_state(session)["outcome_detail"] == f"article:{slug}"
    assert escalations(session) == []


def test_a_question_on_the_first_paragraph_still_gets_it(sms, customer_factory, session):
    customer_factory(phone=SPANISH, language="es", currency="COP")
    reply = sms(SPANISH).send("cuánto cuesta el plan móvil ilimitado?")
    assert says(reply, "54.900 pesos", "40 GB"), reply
    assert latest_state(session)["outcome_detail"] == "article:plan-movil"

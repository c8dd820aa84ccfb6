"""Questions at the retention offer ("¿eso me baja la factura?", "does that lower my bill?") are
answered from the offer's data and the offer asked again; "prefiero un descuento" gets the
discount when the managers' maximum allows one, else what is possible; the loyalty benefit fits
the line (double data on a mobile line, never double speed)."""

from __future__ import annotations

import pytest

from contactpro.console.settings import update_config
from contactpro.models import CancellationRequest
from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, all_rows, escalations, place

PHONES = {"es": SPANISH, "en": ENGLISH}
NOT_UNDERSTOOD = ("No te entendí", "No te entendi", "didn't quite get that")


def _customer(app, session, customer_factory, language: str, quadrant: str, **config: str):
    customer = customer_factory(phone=PHONES[language], language=language)
    place(session, customer, quadrant, 30.0 if quadrant == "retain" else 90.0)
    update_config(
        session,
        app.extensions["contactpro"].settings,
        {"offer_min_tenure_months": "0", **config},
        None,
    )
    session.commit()
    return customer


def _request(session) -> CancellationRequest:
    [request] = all_rows(session, CancellationRequest)
    return request


def _understood(reply: str) -> bool:
    return not any(words in reply for words in NOT_UNDERSTOOD)


@pytest.mark.parametrize(
    ("language", "start", "question", "says"),
    [
        ("es", "quiero cancelar el servicio", "¿eso me baja la factura?", "no cambia tu factura"),
        ("es", "quiero cancelar el servicio", "y eso cuanto me cuesta", "sigues pagando"),
        ("en", "I want to cancel my service", "does that lower my bill?", "doesn't change your"),
        ("en", "I want to cancel my service", "how much does it cost", "keep paying"),
    ],
)
def test_a_question_about_the_loyalty_offer_is_answered_and_the_offer_asked_again(
    app, sms, customer_factory, session, language, start, question, says
):
    _customer(app, session, customer_factory, language, "care")
    thread = sms(PHONES[language])
    thread.send(start)
    thread.send("4050")
    reply = thread.send(question)
    assert says in reply and _understood(reply), reply
    assert ("seis meses" if language == "es" else "six months") in reply
    assert ("¿Te quedas con nosotros?" if language == "es" else "Will you stay with us?") in reply
    assert all_rows(session, CancellationRequest) == []
    done = thread.send("sí" if language == "es" else "yes")
    assert "Registré" in done or "I've recorded" in done
    assert (_request(session).offer, _request(session).outcome) == (
        "loyalty_double_speed",
        "retained",
    )
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "question", "says"),
    [
        ("es", "¿eso me baja la factura?", "baja a 58.435 pesos durante 3 meses"),
        ("es", "por cuanto tiempo es el descuento", "durante 3 meses"),
        ("en", "does that lower my bill?", "goes down to 58,435 Colombian pesos for 3 months"),
    ],
)
def test_a_question_about_the_discount_says_the_new_fee_and_for_how_long(
    app, sms, customer_factory, session, language, question, says
):
    _customer(app, session, customer_factory, language, "retain")
    thread = sms(PHONES[language])
    thread.send("quiero cancelar el servicio" if language == "es" else "I want to cancel")
    thread.send("4050")
    reply = thread.send(question)
    assert says in reply and _understood(reply), reply
    assert escalations(session) == [] and all_rows(session, CancellationRequest) == []


@pytest.mark.parametrize(
    ("language", "ask", "offered", "done"),
    [
        (
            "es",
            "sí pero prefiero un descuento",
            "20 % de descuento en tu mensualidad por 3 meses: pagarías 71.920 pesos",
            "Registré en tu cuenta 0000120451 un 20 % de descuento",
        ),
        (
            "es",
            "mejor una rebaja en la mensualidad",
            "20 % de descuento en tu mensualidad",
            "un 20 % de descuento",
        ),
        (
            "en",
            "ok but I'd rather have a discount",
            "20 % off your monthly fee for 3 months: you would pay 71,920 Colombian pesos",
            "I've recorded 20 % off your monthly fee",
        ),
    ],
)
def test_asking_for_a_discount_instead_gets_the_discount_the_managers_allow(
    app, sms, customer_factory, session, language, ask, offered, done
):
    _customer(app, session, customer_factory, language, "care", offer_max_discount_percent="20")
    thread = sms(PHONES[language])
    thread.send("quiero cancelar el servicio" if language == "es" else "I want to cancel")
    thread.send("4050")
    reply = thread.send(ask)
    assert offered in reply and _understood(reply), reply
    assert all_rows(session, CancellationRequest) == []  # a question, not an answer yet
    said = thread.send("sí, me quedo" if language == "es" else "yes, I'll stay")
    assert done in said, said
    request = _request(session)
    assert (request.quadrant, request.offer, request.outcome) == (
        "care",
        "discount_20_3m",
        "retained",
    )


@pytest.mark.parametrize("language", ["es", "en"])
def test_without_a_discount_allowed_the_customer_is_told_what_is_possible(
    app, sms, customer_factory, session, language
):
    _customer(app, session, customer_factory, language, "care", offer_max_discount_percent="0")
    thread = sms(PHONES[language])
    thread.send("quiero cancelar el servicio" if language == "es" else "I want to cancel")
    thread.send("4050")
    reply = thread.send(
        "sí pero prefiero un descuento" if language == "es" else "yes but I want a discount"
    )
    no = "No puedo ofrecerte un descuento" if language == "es" else "I can't offer you a discount"
    assert no in reply and _understood(reply), reply
    assert ("doble de velocidad" if language == "es" else "double speed") in reply
    assert "%" not in reply
    thread.send("ok, me quedo" if language == "es" else "ok, I'll stay")
    assert (_request(session).offer, _request(session).outcome) == (
        "loyalty_double_speed",
        "retained",
    )


@pytest.mark.parametrize(
    ("language", "plan", "offer_says", "not_said"),
    [
        ("es", "Móvil Ilimitado", "el doble de datos sin costo", "velocidad"),
        ("en", "Unlimited Mobile", "double data at no cost", "speed"),
    ],
)
def test_the_loyalty_offer_on_a_mobile_line_is_double_data(
    app, sms, customer_factory, session, language, plan, offer_says, not_said
):
    customer = _customer(app, session, customer_factory, language, "care")
    customer.accounts[0].plan = plan
    session.commit()
    thread = sms(PHONES[language])
    thread.send("quiero cancelar mi linea" if language == "es" else "I want to cancel my line")
    offer = thread.send("4050")
    assert offer_says in offer and not_said not in offer, offer
    done = thread.send("sí" if language == "es" else "yes")
    assert offer_says.split(" sin")[0].split(" at")[0] in done and not_said not in done, done
    assert _request(session).offer == "loyalty_double_data"

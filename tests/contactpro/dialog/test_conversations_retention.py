"""Retention as customers meet it: the discount within the managers' maximum, what an accepted
offer records and how it is told, and "no quiero cancelar, solo..." serving the other request.
"""

from __future__ import annotations

from contactpro.console.settings import update_config
from contactpro.models import CancellationRequest
from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, all_rows, escalations, place


def _retain(session, customer_factory, language: str = "es"):
    """A customer the analysis placed in *retain* (low conformity, high billing)."""
    if language == "es":
        customer = customer_factory()
    else:
        customer = customer_factory(
            phone=ENGLISH, language="en", currency="USD", name="Grace Miller"
        )
    place(session, customer, "retain", 30.0)
    return customer


def _configure(app, session, **values: str) -> None:
    """Change settings as the configuration page does (the same store, validated the same)."""
    settings = app.extensions["contactpro"].settings
    update_config(session, settings, {"offer_min_tenure_months": "0", **values}, None)
    session.commit()


def _request(session) -> CancellationRequest:
    [request] = all_rows(session, CancellationRequest)
    return request


# --- the managers' maximum discount --------------------------------------------------------------


def test_retention_discount_never_exceeds_the_maximum_set_by_managers(
    app, sms, customer_factory, session
):
    _retain(session, customer_factory)
    _configure(app, session, offer_max_discount_percent="10")
    thread = sms(SPANISH)
    thread.send("quiero cancelar el servicio")
    offer = thread.send("4050")
    assert "10 % de descuento en tu mensualidad por 3 meses" in offer
    assert "50 %" not in offer and "35 %" not in offer
    done = thread.send("sí")
    assert "Registré en tu cuenta 0000120451 un 10 % de descuento" in done
    assert "nuestro equipo lo aplicará a partir de tu próxima factura" in done
    assert "Dejé aplicado" not in done and "50 %" not in done
    request = _request(session)
    assert (request.quadrant, request.offer, request.outcome) == (
        "retain",
        "discount_10_3m",
        "retained",
    )
    assert escalations(session) == []


def test_english_retention_follows_a_change_of_the_maximum_discount(
    app, sms, customer_factory, session
):
    _retain(session, customer_factory, "en")
    _configure(app, session)
    thread = sms(ENGLISH)
    thread.send("I want to cancel my service")
    before = thread.send("4050")
    # Until a manager caps it, the maximum is the debt policy's top tier, 35 %: never 50 %.
    assert "35 % off your monthly fee for 3 months" in before and "50 %" not in before
    thread.send("start over")
    _configure(app, session, offer_max_discount_percent="20")
    after = thread.send("I want to cancel my service")
    assert "20 % off your monthly fee" in after and "35 %" not in after
    done = thread.send("ok I'll take the offer")
    assert "I've recorded 20 % off your monthly fee for 3 months on account 0000120451" in done
    assert "our team will apply it from your next bill" in done
    assert "has been applied" not in done
    request = _request(session)
    assert (request.offer, request.outcome) == ("discount_20_3m", "retained")


def test_a_maximum_discount_of_zero_offers_no_discount(app, sms, customer_factory, session):
    _retain(session, customer_factory)
    _configure(app, session, offer_max_discount_percent="0")
    thread = sms(SPANISH)
    thread.send("quiero cancelar el servicio")
    asked = thread.send("4050")
    assert "Confirmas que quieres cancelar" in asked and "descuento" not in asked
    assert "solicitud de cancelación" in thread.send("sí")
    request = _request(session)
    assert (request.quadrant, request.offer, request.outcome) == ("retain", None, "cancelled")
    assert escalations(session) == []


def test_english_maximum_discount_of_zero_keeps_the_service_on_a_no(
    app, sms, customer_factory, session
):
    _retain(session, customer_factory, "en")
    _configure(app, session, offer_max_discount_percent="0")
    thread = sms(ENGLISH)
    thread.send("I want to cancel my service")
    asked = thread.send("4050")
    assert "Do you confirm" in asked and "% off" not in asked
    kept = thread.send("no")
    assert "stays active" in kept and "recorded" not in kept
    request = _request(session)
    assert (request.offer, request.outcome) == (None, "retained")
    assert escalations(session) == []


# --- what an accepted offer records --------------------------------------------------------------


def test_accepted_visit_says_what_was_recorded_and_who_acts(app, sms, customer_factory, session):
    customer = customer_factory()
    place(session, customer, "monitor", 90.0)
    thread = sms(SPANISH)
    thread.send_all("quiero cancelar el servicio", "4050")
    done = thread.send("acepto la visita")
    assert "Registré tu solicitud de una visita técnica preventiva sin costo" in done
    assert "nuestro equipo te" in done and "para agendar la visita" in done
    assert "Dejé aplicado" not in done and "descuento" not in done
    request = _request(session)
    assert (request.offer, request.outcome) == ("preventive_visit", "retained")


# --- a cancellation refused, then another request -----------------------------------------------


def test_no_quiero_cancelar_solo_saber_el_saldo_tells_the_balance(sms, customer_factory, session):
    customer_factory()
    thread = sms(SPANISH)
    thread.send("no quiero cancelar, solo saber el saldo")
    reply = thread.send("4050")
    assert "125.000 pesos" in reply and "0000120451" in reply
    assert "Te ofrezco" not in reply and "cancelar" not in reply and "no cancelo" not in reply
    assert all_rows(session, CancellationRequest) == [] and escalations(session) == []


def test_english_not_cancelling_just_the_balance_tells_the_balance(sms, customer_factory, session):
    customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")
    thread = sms(ENGLISH)
    thread.send("I don't want to cancel, I just want to know how much I owe")
    reply = thread.send("4050")
    assert "0000120451" in reply and "balance" in reply.lower()
    assert "stay with us" not in reply and "won't cancel" not in reply
    assert all_rows(session, CancellationRequest) == [] and escalations(session) == []


def test_at_the_offer_not_cancelling_and_the_balance_keeps_and_answers(
    app, sms, customer_factory, session
):
    _retain(session, customer_factory)
    _configure(app, session, offer_max_discount_percent="15")
    thread = sms(SPANISH)
    thread.send_all("quiero cancelar el servicio", "4050")
    reply = thread.send("no quiero cancelar, solo quiero saber cuánto debo")
    assert "15 % de descuento" in reply and "125.000 pesos" in reply
    assert "No te entendí" not in reply
    request = _request(session)
    assert (request.offer, request.outcome) == ("discount_15_3m", "retained")

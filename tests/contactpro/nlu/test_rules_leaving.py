"""The rules tier on customers leaving the company, as they write it: a cancel verb with the
service it ends, typos and all ("kiero dar de baja el internet", "qiero cansel ar el servisio"),
moving the number ("quiero portarme", "port my number out"), going to a competitor ("me voy a
otra compañía", "im switching to another carrier"). Never paying a debt or a bill, a question
about what cancelling costs, a refusal, or an appointment. Several requests in one message are
split, and the message is read as its first request the rules are sure of.
"""

from __future__ import annotations

from datetime import date

import pytest

from contactpro.config import Settings
from contactpro.nlu.cascade import Cascade
from contactpro.nlu.classifier import IntentModel
from contactpro.nlu.rules import (
    RuleResult,
    apply_rules,
    declines,
    leaving,
    request_named,
    request_parts,
)
from contactpro.nlu.stats import TierStats
from tests.contactpro.nlu.conftest import make_settings

TODAY = date(2025, 3, 1)


def _rules(text: str, language: str = "es") -> RuleResult:
    return apply_rules(text, source="text", language=language, today=TODAY)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("kiero dar de baja el internet", "es"),
        ("me voy a otra compañia", "es"),
        ("quiero portarme", "es"),
        ("quiero hacer portabilidad", "es"),
        ("qiero cansel ar el servisio", "es"),
        ("quiero cancelar las dos lineas", "es"),
        ("kiero kancelar el servisio", "es"),
        ("Quiero que me den de baja la línea", "es"),
        ("quiero retirar el servicio", "es"),
        ("quiero terminar el contrato", "es"),
        ("me paso a otra empresa", "es"),
        # Leaving said without a service: to a telecom's contact center, a customer leaving.
        ("me quiero ir de la empresa", "es"),
        ("ya no quiero seguir con ustedes", "es"),
        ("I want to leave your company", "en"),
        ("I don't want to be with you anymore", "en"),
        ("hola quiero cancelar mi servicio de internet, esta muy caro y se cae a cada rato", "es"),
        ("im switching to another carrier", "en"),
        ("I want to port my number out", "en"),
        ("I'm leaving you guys", "en"),
        ("I want to switch providers", "en"),
        ("I want my service cancelled", "en"),
        ("I want to cancel my line", "en"),
        (
            "hi I wanna cancel my internet, 85 bucks a month for this garbage connection is a joke",
            "en",
        ),
    ],
)
def test_leaving_the_company_is_certain(text: str, language: str) -> None:
    result = _rules(text, language)
    assert result.intent == "cancellation", result
    assert "leaving the company" in result.reason


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # "Cancelar" a debt or a bill is paying it in Latin American Spanish.
        ("quiero cancelar la deuda", "debt_negotiation"),
        ("cancel my debt", "debt_negotiation"),
        ("quiero cancelar la factura", None),
        ("quiero cancelar mi deuda y el servicio", None),
        ("I want to cancel the service and my debt", None),
        ("I already have a payment plan and want to cancel the service", None),
        ("cancelar el plan de pagos", None),
        # Negated, or keeping the service.
        ("no quiero dar de baja el internet", None),
        ("no me voy a otra compañía", None),
        ("I'm not switching to another carrier", None),
        ("I don't want to cancel my service", None),
        # What cancelling costs is a question for the knowledge base.
        ("¿cuánto cuesta cancelar?", "product_info"),
        ("¿cuánto cuesta cancelar el internet?", "product_info"),
        # Appointments, visits, a number brought in, a move.
        ("cancel my appointment", None),
        ("cancel my service appointment", None),
        ("cancelar la visita técnica del internet", None),
        ("cancelar el servicio técnico", None),
        ("quiero traer mi número con portabilidad", None),
        ("me voy a otra ciudad", None),
        ("quiero cancelar la cuenta", None),
        # Done already, or "baja" that is no leaving.
        ("ya cancelé el servicio y me siguen cobrando", None),
        ("tengo la velocidad muy baja del internet", None),
        # Coming from another company to this one, leaving a job, or staying.
        ("me quiero ir de la empresa Claro a ustedes", None),
        ("me quiero ir de la empresa donde trabajo", None),
        ("no me quiero ir de la empresa", None),
    ],
)
def test_paying_refusing_or_asking_the_cost_is_never_leaving(text: str, intent: str | None) -> None:
    result = _rules(text)
    assert result.intent == intent, result
    assert leaving(text) is None


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("quiero cancelar y saber cuanto debo", ["quiero cancelar", "saber cuanto debo"]),
        ("I want to cancel. also how much do I owe?", ["i want to cancel", "how much do i owe"]),
        (
            "cuanto debo? y tambien quiero dar de baja el internet",
            ["cuanto debo", "quiero dar de baja el internet"],
        ),
        ("cancel my line and how much do I owe", ["cancel my line", "how much do i owe"]),
        ("pagué 120.000 ayer, cuánto debo?", ["pague 120 000 ayer", "cuanto debo"]),
        # "y" before no request of its own joins nothing.
        ("quiero cancelar mi deuda y el servicio", ["quiero cancelar mi deuda y el servicio"]),
        ("se cae y se va la señal", ["se cae y se va la senal"]),
    ],
)
def test_a_message_splits_into_the_requests_it_makes(text: str, parts: list[str]) -> None:
    assert request_parts(text) == parts


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("quiero cancelar y saber cuanto debo", "cancellation"),
        ("I want to cancel. also how much do I owe?", "cancellation"),
        ("cuanto debo? y tambien quiero dar de baja el internet", "billing_inquiry"),
        ("how much do I owe? and I want to cancel my line", "billing_inquiry"),
        ("hola, buenas. kiero dar de baja el internet", "cancellation"),
    ],
)
def test_several_requests_are_read_as_the_first_the_rules_are_sure_of(
    text: str, intent: str
) -> None:
    result = _rules(text)
    assert result.intent == intent, result
    assert "first of several requests" in result.reason


@pytest.mark.parametrize(
    ("part", "named"),
    [
        ("quiero cancelar", "cancellation"),
        ("cuanto debo", "billing_inquiry"),
        ("how much do i owe", "billing_inquiry"),
        ("dar de baja el internet", "cancellation"),
        ("cuanto cuesta cancelar el servicio", None),
        ("no quiero cancelar", None),
    ],
)
def test_a_short_request_the_rules_are_sure_of_is_named(part: str, named: str | None) -> None:
    found = request_named(part)
    assert (found[0] if found else None) == named


@pytest.mark.parametrize(
    ("part", "declined"),
    [
        ("no quiero cancelar", True),
        ("no tengo problemas con el internet", True),
        ("I don't want a payment plan", True),
        ("no tengo internet", False),
        ("quiero saber mi saldo", False),
    ],
)
def test_a_part_that_turns_something_down_asks_nothing(part: str, declined: bool) -> None:
    assert declines(part) is declined


@pytest.mark.parametrize(
    "text",
    [
        "kiero dar de baja el internet",
        "quiero hacer portabilidad",
        "im switching to another carrier",
    ],
)
def test_the_cascade_answers_leaving_from_the_rules(shipped_model: IntentModel, text: str) -> None:
    settings: Settings = make_settings()
    cascade = Cascade(settings, model=shipped_model, stats=TierStats())
    understood = cascade.understand(text, channel="sms", source="text")
    assert (understood.intent, understood.tier, understood.confidence) == (
        "cancellation",
        "rules",
        1.0,
    )

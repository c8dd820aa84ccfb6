"""The rules tier on tricky inputs: spoken ids, amounts with dots and commas, "no sé" vs "no"."""

from __future__ import annotations

from datetime import date

import pytest

from contactpro.nlu.numbers import spoken_value, words_to_digits
from contactpro.nlu.rules import apply_rules, parse_number

TODAY = date(2025, 3, 1)


def rules(text: str, language: str = "es", source: str = "speech", **kw: object):
    return apply_rules(text, source=source, language=language, today=TODAY, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("mi cédula es uno cero dos tres cuatro cinco seis siete ocho nueve", "1023456789"),
        ("ochenta y nueve cuarenta y cinco doce treinta", "89451230"),
        ("1.023.456.789", "1023456789"),
        ("cc 80.123.456", "80123456"),
        ("mi cedula es 1 0 2 3 4 5 6 7 8", "102345678"),
        ("one oh two three four five six seven", "10234567"),
        ("my id is seven nine one two three four five six", "79123456"),
        ("diez veinte treinta y cuatro cincuenta", "10203450"),
    ],
)
def test_national_ids_spoken_or_typed_are_identification(text: str, digits: str) -> None:
    result = rules(text)
    assert result.intent == "identification"
    assert result.entities["national_id"] == digits


def test_account_number_is_told_apart_from_national_id() -> None:
    result = rules("mi número de cuenta es 4455667788")
    assert result.intent == "identification"
    assert result.entities == {"account_number": "4455667788"}


def test_identifier_inside_a_request_is_an_entity_not_the_intent() -> None:
    result = rules("quiero pagar la factura de la cuenta 12345678")
    assert result.intent is None
    assert result.entities["account_number"] == "12345678"


def test_expected_identification_accepts_a_bare_number_with_words_around() -> None:
    text = "bueno a ver es el 52345678 creo"
    assert rules(text).intent is None
    assert rules(text, expected={"identification"}).intent == "identification"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("120.000", "120000"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("12,50", "12.50"),
        ("12.5", "12.5"),
        ("2.300.000", "2300000"),
        ("50,000", "50000"),
    ],
)
def test_parse_number_reads_both_conventions(raw: str, value: str) -> None:
    assert str(parse_number(raw)) == value


@pytest.mark.parametrize(
    ("text", "language", "amount"),
    [
        ("quiero abonar $120.000", "es", {"value": "120000"}),
        ("pagué 50 mil pesos", "es", {"value": "50000", "currency": "COP"}),
        ("le doy ciento veinte mil pesos", "es", {"value": "120000", "currency": "COP"}),
        ("son 1.234,56 pesos", "es", {"value": "1234.56", "currency": "COP"}),
        ("I paid $1,234.56", "en", {"value": "1234.56", "currency": "USD"}),
        ("can I pay twenty-five dollars", "en", {"value": "25", "currency": "USD"}),
        ("veinte lucas", "es", {"value": "20000", "currency": "COP"}),
        ("dos millones trescientos mil pesos", "es", {"value": "2300000", "currency": "COP"}),
    ],
)
def test_amounts(text: str, language: str, amount: dict[str, str]) -> None:
    result = rules(text, language)
    assert result.entities["amount"] == amount
    assert "national_id" not in result.entities  # an amount is never read as an id


@pytest.mark.parametrize(
    ("text", "language", "iso"),
    [
        ("puedo pagar el quince de marzo", "es", "2025-03-15"),
        ("el 5/4/2025", "es", "2025-04-05"),
        ("on 4/5/2025", "en", "2025-04-05"),
        ("I'll pay on March 5th", "en", "2025-03-05"),
        ("pago mañana", "es", "2025-03-02"),
        ("the day after tomorrow", "en", "2025-03-03"),
    ],
)
def test_dates(text: str, language: str, iso: str) -> None:
    assert rules(text, language).entities["date"] == iso


def test_morning_is_not_tomorrow() -> None:
    assert "date" not in rules("por la mañana no tengo internet").entities


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("no", "deny"),
        ("No, gracias", "deny"),
        ("nope", "deny"),
        ("claro que no", "deny"),
        ("no señor", "deny"),
        ("sí", "affirm"),
        ("si señora", "affirm"),
        ("yes please", "affirm"),
        ("uh huh", "affirm"),
        ("claro", "affirm"),
        ("no sé", "out_of_scope"),
        ("No lo sé", "out_of_scope"),
        ("i don't know", "out_of_scope"),
    ],
)
def test_yes_no_and_dont_know(text: str, intent: str) -> None:
    assert rules(text).intent == intent


@pytest.mark.parametrize(
    "text", ["no puedo pagar", "no tengo internet", "no se puede pagar", "sí quiero cancelar"]
)
def test_sentences_starting_with_yes_or_no_are_left_to_the_model(text: str) -> None:
    assert rules(text).intent is None


@pytest.mark.parametrize(
    "text",
    [
        "quiero hablar con un asesor",
        "páseme con una persona por favor",
        "asesor",
        "let me talk to a person",
        "agent please",
        "can I speak to a representative",
        "no, quiero hablar con un humano",
    ],
)
def test_explicit_request_for_a_person(text: str) -> None:
    assert rules(text).intent == "agent_request"


@pytest.mark.parametrize(
    "text",
    [
        "no quiero hablar con un asesor",
        "el asesor me colgó",
        "i need someone to fix my internet",
        "I don't want to talk to an agent",
    ],
)
def test_mentions_of_people_that_are_not_requests(text: str) -> None:
    assert rules(text).intent is None


def test_dtmf_keys_follow_the_menu() -> None:
    assert rules("0", source="dtmf").intent == "agent_request"
    assert rules("1", source="dtmf").intent == "billing_inquiry"
    assert rules("1", source="dtmf", dtmf_menu={"1": "affirm", "2": "deny"}).intent == "affirm"
    unknown = rules("7", source="dtmf")
    assert unknown.intent is None and unknown.entities == {"dtmf": "7"}


def test_dtmf_typed_id() -> None:
    result = rules("1023456789#", source="dtmf")
    assert result.intent == "identification"
    assert result.entities["national_id"] == "1023456789"


def test_spoken_numbers() -> None:
    assert spoken_value("ciento veinte mil") == 120000
    assert spoken_value("mil doscientos") == 1200
    assert spoken_value("one hundred and five") == 105
    assert spoken_value("uno cero") is None  # two chunks: a digit string, not one value
    assert words_to_digits("quiero hablar con una persona") == "quiero hablar con una persona"


@pytest.mark.parametrize(
    "text",
    [
        "payment plan please",
        "A payment plan",
        "I'd like to set up an installment plan",
        "payment arrangement",
        "plan de pagos",
        "¿Plan de pago?",
        "quiero un acuerdo de pago por favor",
        "necesito un convenio de pago",
    ],
)
def test_a_topic_named_and_nothing_more_is_decided(text: str) -> None:
    result = rules(text)
    assert result.intent == "debt_negotiation" and "topic named" in result.reason


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("saldo", "billing_inquiry"),
        ("Saldo por favor", "billing_inquiry"),
        ("my bill", "billing_inquiry"),
        ("estado de cuenta", "billing_inquiry"),
        ("en cuotas", "debt_negotiation"),
        ("installments", "debt_negotiation"),
        ("link de pago", "payment_link"),
        ("payment link please", "payment_link"),
        ("medios de pago", "payment_how"),
        ("sin internet", "connection_problem"),
        ("Internet lento!!", "connection_problem"),
        ("quiero cancelar el servicio", "cancellation"),
        ("cancel", "cancellation"),
        ("planes", "product_info"),
        ("queja", "complaint"),
    ],
)
def test_a_bare_topic_word_is_decided(text: str, intent: str) -> None:
    result = rules(text)
    assert result.intent == intent and "topic named" in result.reason


@pytest.mark.parametrize(
    "text",
    [
        "quiero cancelar la deuda",
        "Quiero cancelar mi deuda de una vez",
        "como hago para cancelar el saldo pendiente?",
        "quiero cancelar lo que debo",
        "necesito saldar la deuda",
        "I want to pay off my debt",
        "I'd like to settle my debt",
        "can I clear what I owe today?",
        "cancel my debt",
    ],
)
def test_paying_off_the_debt_is_debt_negotiation(text: str) -> None:
    result = rules(text)
    assert result.intent == "debt_negotiation" and "paying off the debt" in result.reason


@pytest.mark.parametrize(
    "text",
    [
        "quiero cancelar mi deuda y el servicio",
        "no quiero cancelar esa deuda, no la reconozco",
        "I want to cancel the service and my debt",
        "I don't want to pay off a debt I never had",
    ],
)
def test_paying_off_the_debt_with_the_service_or_a_refusal_is_left_to_the_model(
    text: str,
) -> None:
    assert rules(text).intent is None


@pytest.mark.parametrize(
    "text",
    [
        "I already have a payment plan and want to cancel the service",
        "no quiero cancelar",
        "quiero cancelar la cuenta",
        "cancel my appointment",
        "no tengo internet desde ayer",
        "pagar factura",
        "6 cuotas",
        "quiero saber mi saldo",
        "no quiero ningún acuerdo de pago",
        "cuánto me falta del plan de pagos",
        "my plan",
        "el plan",
    ],
)
def test_a_topic_named_inside_a_sentence_is_left_to_the_model(text: str) -> None:
    assert rules(text).intent is None

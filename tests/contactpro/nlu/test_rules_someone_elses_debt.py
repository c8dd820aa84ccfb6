"""The rules tier on what someone else owes: "cuánto debe mi mamá" is a balance question about an
account that is not the writer's, in Spanish and English."""

from __future__ import annotations

import pytest

from contactpro.nlu.rules import apply_rules, not_the_holder, only_not_the_holder


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("quiero saber la deuda de mi papá", "es"),
        ("hola, no soy el titular, quiero saber la deuda de mi papá", "es"),
        ("cuánto debe mi mamá", "es"),
        ("cuánto le debe mi esposo a ustedes?", "es"),
        ("quisiera consultar el saldo de mi abuela", "es"),
        ("how much does my dad owe", "en"),
        ("what's my husband's balance?", "en"),
        ("can I check my mom's bill", "en"),
    ],
)
def test_what_someone_else_owes_is_a_balance_question_not_the_writers(
    text: str, language: str
) -> None:
    result = apply_rules(text, source="text", language=language)
    assert result.intent == "billing_inquiry", result
    assert not_the_holder(text)
    assert not only_not_the_holder(text)  # it asks something: the request is taken up


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("quiero negociar la deuda de mi papá", "debt_negotiation"),  # negotiating comes first
        ("cuánto debo", None),
        ("mi esposo y yo queremos negociar la deuda", "debt_negotiation"),
        ("how much do I owe my dad", None),
    ],
)
def test_the_writers_own_debt_or_a_negotiation_is_not_read_as_someone_elses_balance(
    text: str, intent: str | None
) -> None:
    result = apply_rules(text, source="text", language="es")
    assert result.intent == intent, result
    assert not_the_holder(text) == ("papá" in text)

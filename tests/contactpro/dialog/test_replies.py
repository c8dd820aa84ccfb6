"""Templates, SMS length and the knowledge base."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from contactpro.config import load_settings
from contactpro.dialog.knowledge import answer
from contactpro.dialog.sms import fit, is_gsm7, segments, shape
from contactpro.dialog.templates import Templates
from contactpro.errors import ConfigError

SETTINGS = load_settings({"twilio_auth_token": "t"}, dotenv_path=None)


def test_operator_override_replaces_only_its_keys(tmp_path: Path):
    (tmp_path / "es.toml").write_text('goodbye = "Chao {{ company }}, gracias."\n')
    templates = Templates(str(tmp_path))
    assert templates.render("goodbye", "es", company="Acme") == "Chao Acme, gracias."
    assert templates.render("goodbye", "en", company="Acme").startswith("Thanks for contacting")
    assert "PSE" in templates.render("payment_how_generic", "es", market="co")


def test_templates_are_sandboxed(tmp_path: Path):
    (tmp_path / "en.toml").write_text('goodbye = "{{ company.__class__.__mro__ }}"\n')
    with pytest.raises(SecurityError):
        Templates(str(tmp_path)).render("goodbye", "en", company="Acme")


def test_broken_override_file_is_a_configuration_error(tmp_path: Path):
    (tmp_path / "es.toml").write_text("goodbye = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Templates(str(tmp_path))


def test_voice_reads_account_numbers_and_money_naturally():
    text = Templates().render(
        "balance",
        "es",
        channel="voice",
        account="0000120451",
        balance="1250000",
        currency="COP",
        due_date=date(2026, 12, 2),
    )
    assert "0 0, 0 0, 1 2, 0 4, 5 1" in text and "1250000 pesos" in text
    assert "2 de diciembre" in text


def test_sms_segments_gsm7_and_unicode():
    assert is_gsm7("Hola, tu saldo es de 10.000 pesos") and segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert not is_gsm7("Envíanos la información") and segments("í" * 70) == 1
    assert segments("í" * 71) == 2 and segments("ok 😀") == 1


def test_shape_prefers_gsm7_letters_over_cutting():
    reply = "Tu último pago fue de 89.900 pesos. " * 6
    assert segments(reply) > 3
    shaped = shape(reply, 3)
    assert segments(shaped) <= 3 and "Tu ultimo pago fue de 89.900 pesos." in shaped
    assert shape("¿Algo más?", 3) == "¿Algo más?"


def test_fit_keeps_replies_within_the_segment_limit():
    long = "Primera frase corta. " + "palabra " * 200
    assert segments(fit(long, 2)) <= 2
    assert fit("corto", 1) == "corto"


def test_fit_keeps_the_closing_question_uses_the_room_and_counts_what_it_left_out():
    items = " ".join(
        f"Cuenta 31044400{i:02d}: saldo de 239.900 pesos, vencido hace 40 dias." for i in range(8)
    )
    text = f"Tienes 8 cuentas. {items} ¿Con esto resolvi tu consulta?"
    cut = fit(text, 3, left_out=lambda count: f"(y {count} mas)")
    assert segments(cut) <= 3 and len(cut) > 153 * 2  # the room is used
    assert cut.startswith("Tienes 8 cuentas. Cuenta 3104440000")
    assert cut.endswith("¿Con esto resolvi tu consulta?")
    shown = sum(f"31044400{i:02d}" in cut for i in range(8))
    assert f"(y {8 - shown} mas)" in cut and "3104440007" not in cut  # dropped from the end
    question = fit("palabra " * 300 + "¿Ya funciona tu servicio?", 2)
    assert segments(question) <= 2 and question.endswith("... ¿Ya funciona tu servicio?")


@pytest.mark.parametrize(
    ("language", "market", "question", "slug"),
    [
        ("es", "co", "cuánto cuesta el roaming internacional", "roaming"),
        ("es", "co", "tienen cobertura de fibra en cali", "cobertura"),
        ("es", "co", "cuanto vale el plan movil ilimitado", "plan-movil"),
        ("en", "us", "what home internet plans do you have", "home-internet-plans"),
        ("en", "us", "do I have to return the modem", "modem-and-equipment"),
        ("es", "mx", "hay cobertura de fibra en monterrey", "cobertura"),
        ("en", "co", "how much is the unlimited mobile plan", "unlimited-mobile"),
        ("es", None, "cuando vence mi factura", "ciclo-facturacion"),
    ],
)
def test_knowledge_base_finds_the_article(language, market, question, slug):
    match = answer(SETTINGS, language, market, question)
    assert match is not None and match.article.slug == slug and not match.other_market
    assert match.article.market in (market, None)


@pytest.mark.parametrize(
    ("language", "market", "question", "must", "must_not"),
    [
        ("es", "us", "cuanto cuesta el plan movil ilimitado", "40 dólares", "pesos"),
        ("es", "mx", "qué planes de internet tienen", "449 pesos mexicanos", "89.900"),
        ("es", "co", "hay cobertura de fibra en monterrey", "Bogotá", "Monterrey"),
        ("en", "co", "what home internet plans do you have", "Colombian pesos", "dollars"),
        ("en", "mx", "do you have fiber in monterrey", "Monterrey", "Miami"),
    ],
)
def test_knowledge_base_answers_with_the_customers_market(
    language, market, question, must, must_not
):
    match = answer(SETTINGS, language, market, question)
    assert match is not None and match.article.market == market and not match.other_market
    assert must in match.article.answer and must_not not in match.article.answer


@pytest.mark.parametrize(
    ("language", "market", "question"),
    [
        ("es", "mx", "cuanto cuesta el plan movil ilimitado"),
        ("en", "mx", "how much does international roaming cost"),
        ("es", None, "qué planes de internet tienen"),
    ],
)
def test_knowledge_base_never_answers_with_another_markets_article(language, market, question):
    match = answer(SETTINGS, language, market, question)
    assert match is not None and match.other_market and match.article.market != market


@pytest.mark.parametrize("question", ["el perro del vecino ladra", "who won the football game"])
def test_knowledge_base_answers_nothing_when_nothing_fits(question):
    language = "es" if "perro" in question else "en"
    assert answer(SETTINGS, language, "co", question) is None

"""Templates by market: each market's text, the default for the rest, overrides per market."""

from __future__ import annotations

from pathlib import Path

import pytest

from contactpro.dialog.templates import Templates
from contactpro.errors import ConfigError


def test_a_table_by_market_renders_the_markets_text_else_the_default():
    templates = Templates()
    assert "OXXO" in templates.render("payment_how_generic", "es", market="mx")
    assert "PSE" in templates.render("payment_how_generic", "es", market="co")
    assert "AutoPay" in templates.render("payment_how_generic", "en", market="us")
    for market in (None, "fr"):
        text = templates.render("payment_how_generic", "en", market=market)
        assert "PSE" not in text and "OXXO" not in text and "Walmart" not in text


def test_overriding_one_markets_text_keeps_the_others(tmp_path: Path):
    (tmp_path / "es.toml").write_text('payment_how_generic.mx = "Paga en Soriana."\n')
    templates = Templates(str(tmp_path))
    assert templates.render("payment_how_generic", "es", market="mx") == "Paga en Soriana."
    assert "PSE" in templates.render("payment_how_generic", "es", market="co")
    assert "tarjeta" in templates.render("payment_how_generic", "es")


def test_a_plain_override_applies_to_every_market(tmp_path: Path):
    (tmp_path / "en.toml").write_text('payment_how_generic = "Pay at any branch."\n')
    templates = Templates(str(tmp_path))
    for market in ("co", "mx", "us", None):
        assert templates.render("payment_how_generic", "en", market=market) == "Pay at any branch."


def test_a_table_without_its_default_is_a_configuration_error(tmp_path: Path):
    (tmp_path / "es.toml").write_text('goodbye.mx = "Adiós."\n')
    with pytest.raises(ConfigError, match="goodbye.default"):
        Templates(str(tmp_path))

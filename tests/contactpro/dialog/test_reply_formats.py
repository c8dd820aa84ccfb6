"""Money and dates read the way customers say them."""

from datetime import date
from decimal import Decimal

from contactpro.dialog.replies import format_date, format_money
from contactpro.dialog.templates import render


def test_money_in_spanish_and_english():
    assert format_money(Decimal("1250000"), "COP", "es") == "1.250.000 pesos"
    assert format_money(Decimal("1250000.4"), "COP", "en") == "1,250,000 Colombian pesos"
    assert format_money(Decimal("42.5"), "USD", "en") == "42.50 dollars"
    assert format_money(Decimal("1042.5"), "USD", "es") == "1.042,50 dólares"


def test_dates():
    assert format_date(date(2026, 12, 2), "es") == "2 de diciembre"
    assert format_date(date(2026, 12, 2), "en") == "December 2"


def test_unknown_language_falls_back_to_spanish():
    assert render("goodbye", "fr", company="X").startswith("Gracias")

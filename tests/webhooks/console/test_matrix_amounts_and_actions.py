"""The priority matrix on the console: amounts name their currency (customers page and the
escalation page), the CSV words actions as the page does, and the tabs start with the top priority.

Billing, expected value and cost of recovery are converted into the analytics currency (USD by
default) so customers billed in pesos and dollars compare on one axis. A Colombian customer
paying 659.800 pesos a month is listed at 164,95: without the currency a Spanish manager reads
164,95 pesos. The page says "(USD)" beside each amount's heading and in the let-go rule.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from contactpro.models import Customer, Escalation
from devtools.conversations import SmsThread
from tests.webhooks.console.conftest import add_customer, add_score, login

HEADINGS = {
    "es": ("Facturación (USD)", "Valor esperado (USD)", "Costo de recuperación (USD)"),
    "en": ("Billing (USD)", "Expected value (USD)", "Cost of recovery (USD)"),
}
RULE = {"es": "(100,00 dólares)", "en": "(100.00 USD)"}
# What keeping Rosa is worth and what recovering her costs, in dollars.
WORTH = {"expected_value": Decimal("1979.40"), "recovery_cost": Decimal("100.00")}


def add_rosa(session, **figures) -> Customer:
    """A Colombian customer the matrix says to retain, billed 164.95 dollars a month."""
    customer = add_customer(session, "+573001120001", "Rosa Retener")
    add_score(session, customer.id, "retain", 22.5, "164.95", interactions=2, **figures)
    return customer


@pytest.mark.parametrize("language", ["es", "en"])
def test_amounts_name_the_analytics_currency(client, session, users, language):
    add_rosa(session, **WORTH)
    login(client, "max@example.com")
    page = client.get(f"/console/manager/customers?lang={language}").text
    text = " ".join(page.split())
    for heading in HEADINGS[language]:
        assert f'<th scope="col">{heading}</th>' in text, heading
    assert RULE[language] in text
    assert "164,95" in text if language == "es" else "164.95" in text


@pytest.mark.parametrize("language", ["es", "en"])
def test_csv_download_words_the_action_in_the_page_language(client, session, users, language):
    """The CSV a Spanish manager downloads says what to do in Spanish, like the page."""
    add_rosa(session)
    login(client, "max@example.com")
    client.get(f"/console/manager/customers?lang={language}")
    [row] = csv.DictReader(io.StringIO(client.get("/console/manager/customers.csv").text))
    assert row["quadrant"] == "retain"  # codes and columns stay machine-readable
    spanish = row["recommended_action"].startswith("Prioridad máxima: devolver la llamada")
    english = row["recommended_action"].startswith("Top priority: call back within 24 h")
    assert (spanish, english) == ((True, False) if language == "es" else (False, True))


@pytest.mark.parametrize("language", ["es", "en"])
def test_quadrant_tabs_start_with_the_top_priority(client, session, users, language):
    """Tabs follow the matrix's priority (retain, monitor, care, let go), as the CSV does."""
    login(client, "max@example.com")
    page = client.get(f"/console/manager/customers?lang={language}").text
    tabs = re.findall(r"/console/manager/customers\?quadrant=(\w+)", page)
    assert tabs == ["retain", "monitor", "care", "let_go"]


FIGURES = {
    "es": ("Valor esperado: 1.979,40 dólares", "Costo de recuperación: 100,00 dólares"),
    "en": ("Expected value: 1,979.40 USD", "Cost of recovery: 100.00 USD"),
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_escalation_page_names_the_currency_of_the_matrix_figures(
    client, session, users, twilio, language
):
    """Beside balances in pesos, the matrix's figures in dollars say so."""
    customer = add_rosa(session, **WORTH)
    SmsThread(twilio, customer.phone).send("quiero hablar con un asesor")
    escalation = session.scalars(select(Escalation)).one()
    login(client, "max@example.com")
    page = client.get(f"/console/escalations/{escalation.id}?lang={language}").text
    start = page.index('id="retention-figures"')
    figures = " ".join(page[start : page.index("</p>", start)].split())
    for words in FIGURES[language]:
        assert words in figures, figures

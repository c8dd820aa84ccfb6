"""One analysis run, five readers: report, matrix figure, console page, its CSV, matrix export.

Customers billed 159,900 COP are worth 39.975 USD, which is also the median: the threshold and
half the customers sit on the half cent that once split the readers (report 10 / 72 / 59 / 3,
console 7 / 52 / 79 / 6). Every reader must count the same customers in each quadrant.
Customer 5 has an invoice 120 days past due: no expected value left, so the one let go.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.analytics import runs
from contactpro.console.wording import money
from contactpro.models import Account, Customer, Escalation, Interaction, Invoice, Turn
from dashboards import draw_dashboards
from dashboards.figures import build_figure
from tests.webhooks.console.conftest import login

START = datetime(2026, 3, 2, tzinfo=UTC)
END = START + timedelta(days=7)
# (monthly charge, currency, what the caller said): conformity follows the words.
CUSTOMERS = [
    ("159900", "COP", "gracias, todo perfecto, excelente servicio"),
    ("159900", "COP", "gracias, todo perfecto, excelente servicio"),
    ("159900", "COP", "esto es un desastre, pésimo servicio, quiero cancelar"),
    ("159900", "COP", "esto es un desastre, pésimo servicio, quiero cancelar"),
    ("89900", "COP", "gracias, todo perfecto, excelente servicio"),
    ("89900", "COP", "esto es un desastre, pésimo servicio, quiero cancelar"),
    ("329900", "COP", "gracias, todo perfecto, excelente servicio"),
    ("85", "USD", "esto es un desastre, pésimo servicio, quiero cancelar"),
    ("40", "USD", "gracias, todo perfecto, excelente servicio"),
]
QUADRANTS = ("retain", "monitor", "care", "let_go")
UNPAID_DAYS = {5: 120}  # customer index -> days past due at the end of the period


def sms_from(customer: Customer, n: int, started: datetime, **fields: Any) -> Interaction:
    """Return the customer's ``n``-th SMS conversation (Spanish) started at ``started``."""
    return Interaction(
        channel="sms",
        twilio_sid=f"SM{n:032d}",
        customer=customer,
        from_number=customer.phone,
        to_number="+15550001000",
        started_at=started,
        language="es",
        **fields,
    )


def person_asked(contact: Interaction, customer_id: int | None, **fields: Any) -> Escalation:
    """Return an open escalation of ``contact``: the customer asked for a person."""
    return Escalation(
        interaction=contact,
        customer_id=customer_id,
        reason="agent_request",
        queue="general",
        **fields,
    )


def add_contacts(session: Session) -> None:
    """One customer per row of CUSTOMERS, each with one closed contact in the period."""
    for n, (charge, currency, text) in enumerate(CUSTOMERS):
        customer = Customer(name=f"Cliente {n}", phone=f"+5730055500{n:02d}", segment="standard")
        account = Account(
            number=f"M-{n}", plan="Plan", monthly_charge=Decimal(charge), currency=currency
        )
        customer.accounts.append(account)
        if n in UNPAID_DAYS:
            due = (END - timedelta(days=UNPAID_DAYS[n])).date()
            account.invoices.append(
                Invoice(
                    number=f"F-{n}",
                    period_start=due - timedelta(days=45),
                    period_end=due - timedelta(days=15),
                    issued_on=due - timedelta(days=15),
                    due_date=due,
                    total=Decimal(charge),
                    status="overdue",
                )
            )
        started = START + timedelta(days=1, hours=n)
        interaction = sms_from(
            customer,
            n,
            started,
            last_activity_at=started + timedelta(minutes=2),
            ended_at=started + timedelta(minutes=2),
            status="closed",
            outcome="auto_resolved",
            duration_seconds=120,
            state={"steps": ["told_balance"]},
        )
        interaction.turns.append(
            Turn(sequence=0, speaker="caller", text=text, source="sms", created_at=started)
        )
        session.add(customer)
        session.add(interaction)
    session.commit()


def report_counts(markdown: str) -> dict[str, int]:
    """Read the customers per quadrant from the report's matrix table."""
    labels = {"Retain": "retain", "Monitor": "monitor", "Care": "care", "Let go": "let_go"}
    found = {}
    for label, quadrant in labels.items():
        match = re.search(rf"^\| {label} \| ([\d,]+) \|", markdown, re.M)
        assert match, f"no {label} row in the report"
        found[quadrant] = int(match.group(1).replace(",", ""))
    return found


def figure_counts(results: dict) -> dict[str, int]:
    """Read the counts the matrix figure writes on it ("CARE\n5", "RETAIN 3 · LET GO 1")."""
    figure = build_figure("matrix", results)
    texts = " ".join(t.get_text() for t in figure.axes[0].texts)
    labels = {"RETAIN": "retain", "MONITOR": "monitor", "CARE": "care", "LET GO": "let_go"}
    found = re.findall(r"\b(RETAIN|MONITOR|CARE|LET GO)\s+([\d,]+)", texts)
    return {labels[label]: int(count.replace(",", "")) for label, count in found}


def test_report_figure_console_and_csv_count_the_same_customers(
    app: Flask, client, runner, session: Session, users, tmp_path: Path
) -> None:
    add_contacts(session)
    runtime = app.extensions["contactpro"]
    result = runs.run_full_analysis(
        runtime.db, runtime.settings, START, END, tmp_path / "out", render=draw_dashboards
    )
    matrix = result.results["matrix"]
    # hours, weekdays and weeks are the company's (America/Bogota, UTC-5) on either database:
    # contacts at 00:00-08:00 UTC on Tuesday 3 March are 19:00-23:00 Monday and 00:00-03:00
    # Tuesday there, all in the week of Monday 2 March.
    volume = {(r["weekday"], r["hour"]) for r in result.results["tables"]["volume"]}
    assert volume == {(0 if n < 5 else 1, (n - 5) % 24) for n in range(len(CUSTOMERS))}
    weeks = {r["week"] for r in result.results["tables"]["intent_trend"]}
    assert weeks == {"2026-03-02"} and result.results["timezone"] == "America/Bogota"
    assert matrix["billing_threshold"] == 39.98  # the median 39.975, as money
    summary = {q["quadrant"]: q["customers"] for q in matrix["quadrants"]}
    assert sum(summary.values()) == len(CUSTOMERS)
    assert all(summary[q] > 0 for q in QUADRANTS), summary

    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert report_counts(markdown) == summary
    assert "let go only where the cost of recovery (100.00 USD)" in markdown
    assert figure_counts(result.results) == summary
    sample = Counter(row["quadrant"] for row in matrix["sample"])
    assert {q: sample.get(q, 0) for q in QUADRANTS} == summary

    login(client, "max@example.com")
    page = client.get("/console/manager/customers?lang=en").text
    for quadrant in QUADRANTS:
        tab = re.search(rf'quadrant={quadrant}"[^>]*>[^<(]*\((\d+)\)', page)
        assert tab, quadrant
        assert int(tab.group(1)) == summary[quadrant], quadrant
    rows = list(csv.DictReader(io.StringIO(client.get("/console/manager/customers.csv").text)))
    assert dict(Counter(r["quadrant"] for r in rows)) == {q: n for q, n in summary.items() if n}
    exported = runner.invoke(args=["matrix", "export", "--out", str(tmp_path / "matrix.csv")])
    assert exported.exit_code == 0, exported.output
    with (tmp_path / "matrix.csv").open(encoding="utf-8") as fh:
        cli_rows = list(csv.DictReader(fh))
    assert cli_rows == rows  # `contactpro matrix export` writes what the console serves
    for row in rows:  # every row is on the side of the thresholds and the rule it is counted on
        high_billing = Decimal(row["billing"]) >= Decimal("39.98")
        high_conformity = float(row["conformity"]) >= 50
        losing = Decimal(row["recovery_cost"]) > Decimal(row["expected_value"])
        expected = {
            (True, True): "monitor",
            (True, False): "care",
        }.get((high_conformity, high_billing), "let_go" if losing else "retain")
        assert row["quadrant"] == expected, row
    unpaid = next(r for r in rows if r["name"] == "Cliente 5")
    assert (unpaid["quadrant"], int(unpaid["days_past_due"])) == ("let_go", 120)
    customers_page = client.get("/console/manager/customers?quadrant=let_go&lang=es").text
    assert "Cliente 5" in customers_page and "Costo de recuperación" in customers_page
    # The agent who takes Cliente 5's escalation sees the same figures with the customer.
    contact = session.scalars(
        select(Interaction).join(Customer).where(Customer.name == "Cliente 5")
    ).one()
    escalation = person_asked(contact, contact.customer_id)
    session.add(escalation)
    session.commit()
    figures = {"es": "Días de mora: 120", "en": "Days past due: 120"}
    for language, days in figures.items():
        packet = client.get(f"/console/escalations/{escalation.id}?lang={language}").text
        currency = runtime.settings.analytics_currency
        cost = money(unpaid["recovery_cost"], currency, language)
        assert days in packet and f": {cost}</small>" in packet, language

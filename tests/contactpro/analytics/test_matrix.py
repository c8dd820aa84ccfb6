"""The priority matrix: quadrant boundaries, thresholds, storage, export, lookup, and how it
follows what customers say."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from contactpro.analytics import conformity, matrix, runs
from contactpro.analytics.patterns import Period
from contactpro.config import Settings
from contactpro.db import Database
from contactpro.models import (
    Account,
    Customer,
    CustomerScore,
    Interaction,
    InteractionScore,
    Invoice,
    Payment,
    Turn,
)
from tests.contactpro.analytics.conftest import START


@pytest.mark.parametrize(
    ("conf", "bill", "expected"),
    [
        (49.9, 99.9, "let_go"),
        (49.9, 100.0, "retain"),
        (50.0, 99.9, "care"),
        (50.0, 100.0, "monitor"),
        (0.0, 1e9, "retain"),
        (100.0, 0.0, "care"),
    ],
)
def test_quadrant_boundaries(conf: float, bill: float, expected: str) -> None:
    assert matrix.quadrant_of(conf, bill, 50.0, 100.0) == expected


def test_billing_threshold_percentile_or_fixed(settings_factory) -> None:
    bills = pd.Series([10.0, 20.0, 30.0, 40.0, 50.0])
    assert matrix.billing_cut(bills, settings_factory()) == pytest.approx(30.0)
    assert matrix.billing_cut(bills, settings_factory(billing_percentile=80)) == pytest.approx(42)
    assert matrix.billing_cut(bills, settings_factory(billing_threshold=25)) == 25.0


def test_build_matrix_stores_quadrants_and_exports(
    db: Database, settings_factory, case_ids: dict[int, int], period: Period, tmp_path: Path
) -> None:
    settings: Settings = settings_factory(conformity_threshold=60, billing_threshold=200)
    with db.engine.begin() as conn:
        conformity.score_interactions(conn, settings, period.start, period.end)
        summary = matrix.build_matrix(conn, settings, period.end)
    with db.session() as session:
        stored = {s.customer_id: s for s in session.scalars(select(CustomerScore))}
        assert session.scalar(select(func.count()).select_from(CustomerScore)) == 4
        for score in stored.values():
            high_conf, high_bill = score.conformity >= 60, float(score.billing) >= 200
            losing = score.recovery_cost > score.expected_value
            expected = {
                (True, False): "care",
                (True, True): "monitor",
            }.get((high_conf, high_bill), "let_go" if losing else "retain")
            assert score.quadrant == expected
        assert sum(q["customers"] for q in summary["quadrants"]) == 4
        assert summary["billing_threshold"] == 200
        some = next(iter(stored))
        found = matrix.customer_quadrant(session, some)
        assert found is not None and found.strategy.quadrant == stored[some].quadrant
        assert matrix.customer_quadrant(session, 999_999) is None
        out = tmp_path / "retain.csv"
        count = matrix.export_quadrants(session, out)
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert count == len(rows) == 4
    assert set(rows[0]) == set(matrix.EXPORT_COLUMNS)


MOODS = {
    "es": {
        "angry": [
            "Esto es una vergüenza, otra vez sin internet y nadie me da solución",
            "Estoy furioso, me cobraron doble y me colgaron",
            "Pésimo servicio, ya no aguanto más",
        ],
        "happy": [
            "Mil gracias, ya funciona todo perfecto",
            "Excelente atención, quedé muy contenta",
            "Qué maravilla, me resolvieron en un minuto",
        ],
    },
    "en": {
        "angry": [
            "This is a disgrace, no internet again and nobody fixes it",
            "I am furious, you charged me twice and hung up on me",
            "Terrible service, I cannot take it anymore",
        ],
        "happy": [
            "Thanks a million, everything works perfectly now",
            "Excellent support, I am very happy",
            "Wonderful, you fixed it in a minute",
        ],
    },
}


def _conversations(db: Database, customer_id: int | None, start: datetime, texts: list[str]) -> int:
    """Store one closed, bot-resolved conversation a day with the caller saying each text."""
    with db.session() as session:
        if customer_id is None:
            customer = Customer(name="Customer", phone="+573001112233", preferred_language="es")
            customer.accounts.append(
                Account(number="A-1", plan="Hogar", monthly_charge=Decimal("300"), currency="USD")
            )
            session.add(customer)
            session.flush()
            customer_id = customer.id
        for day, text in enumerate(texts):
            started = start + timedelta(days=day, hours=10)
            interaction = Interaction(
                channel="sms",
                twilio_sid=f"SM{started:%Y%m%d}{day:022d}",
                customer_id=customer_id,
                from_number="+573001112233",
                to_number="+15550001000",
                started_at=started,
                last_activity_at=started,
                ended_at=started + timedelta(minutes=2),
                status="closed",
                outcome="auto_resolved",
                language="es",
                duration_seconds=120,
                state={"steps": ["told_balance"]},
            )
            interaction.turns.append(
                Turn(sequence=0, speaker="caller", text=text, source="sms", created_at=started)
            )
            session.add(interaction)
    return customer_id


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_quadrant_follows_the_customer_from_angry_to_happy(
    db: Database, settings_factory, language: str
) -> None:
    """The run scores what the customer wrote and the matrix reads those scores: the same
    customer, billed above the threshold, is to retain while angry and to monitor once happy."""
    settings: Settings = settings_factory(billing_threshold=100, conformity_window_days=7)
    first = Period(START, START + timedelta(days=7))
    second = Period(first.end, first.end + timedelta(days=7))
    customer_id = _conversations(db, None, first.start, MOODS[language]["angry"])
    angry = runs.analyse(db, settings, first)
    with db.session() as session:
        before = matrix.customer_quadrant(session, customer_id)
    _conversations(db, customer_id, second.start, MOODS[language]["happy"])
    happy = runs.analyse(db, settings, second)
    with db.session() as session:
        after = matrix.customer_quadrant(session, customer_id)
        versions = set(session.scalars(select(InteractionScore.model_version)))
    assert before is not None and after is not None
    assert (before.quadrant, after.quadrant) == ("retain", "monitor")
    assert before.conformity < 50 <= after.conformity
    assert angry.results["scored_interactions"] == happy.results["scored_interactions"] == 3
    assert versions == {angry.results["model_version"]} == {happy.results["model_version"]}


def _scored(db: Database, settings: Settings) -> CustomerScore:
    """Run conformity and the matrix over the period; return the one customer's score."""
    with db.engine.begin() as conn:
        conformity.score_interactions(conn, settings, START, START + timedelta(days=7))
        matrix.build_matrix(conn, settings, START + timedelta(days=7))
    with db.session() as session:
        (score,) = session.scalars(select(CustomerScore)).all()
        session.expunge(score)
    return score


def _invoices(db: Database, customer_id: int, days_late: list[int | None]) -> None:
    """Give the customer one monthly invoice per entry, due 30, 60, ... days before the end:
    paid that many days after the due date (negative: early), or unpaid for None."""
    end = START + timedelta(days=7)
    with db.session() as session:
        account = session.scalars(select(Account).where(Account.customer_id == customer_id)).one()
        for month, late in enumerate(days_late, start=1):
            due = (end - timedelta(days=30 * month)).date()
            invoice = Invoice(
                number=f"F-{customer_id}-{month}",
                period_start=due - timedelta(days=45),
                period_end=due - timedelta(days=15),
                issued_on=due - timedelta(days=15),
                due_date=due,
                total=Decimal("300"),
                status="overdue" if late is None else "paid",
            )
            account.invoices.append(invoice)
            if late is not None:
                paid = datetime.combine(due, datetime.min.time(), START.tzinfo)
                session.add(
                    Payment(
                        account=account,
                        invoice=invoice,
                        amount=Decimal("300"),
                        paid_at=paid + timedelta(days=late, hours=12),
                        method="card",
                        reference=f"P-{customer_id}-{month}",
                    )
                )
        session.commit()


def test_let_go_only_where_recovery_costs_more_than_the_customer_is_worth(
    db: Database, settings_factory
) -> None:
    """An unhappy customer billed 300 below a 1 000 threshold is worth 300 x 12 = 3 600: kept
    while recovery costs less, let go once the cost setting exceeds that value."""
    _conversations(db, None, START, MOODS["es"]["angry"])
    cheap = _scored(db, settings_factory(billing_threshold=1000, recovery_cost=100))
    assert cheap.conformity < 50 and cheap.expected_value == Decimal("3600.00")
    assert cheap.quadrant == "retain" and cheap.recovery_cost == Decimal("100.00")
    dear = _scored(db, settings_factory(billing_threshold=1000, recovery_cost=3600.01))
    assert dear.quadrant == "let_go" and dear.recovery_cost == Decimal("3600.01")
    longer = settings_factory(
        billing_threshold=1000, recovery_cost=3600.01, customer_value_months=13
    )
    months = _scored(db, longer)
    assert (months.quadrant, months.expected_value) == ("retain", Decimal("3900.00"))


def test_payment_history_moves_a_high_billing_customer_from_retain_to_let_go(
    db: Database, settings_factory
) -> None:
    """Billed 300 above a 100 threshold and unhappy: retained while paying on time; paying two
    of six invoices on time leaves a third of the value; 90 days past due leaves none."""
    settings = settings_factory(billing_threshold=100, recovery_cost=2000)
    customer_id = _conversations(db, None, START, MOODS["en"]["angry"])
    _invoices(db, customer_id, [0, -3, 0, -1, 0, 0])
    punctual = _scored(db, settings)
    assert (punctual.quadrant, punctual.on_time_share, punctual.days_past_due) == (
        "retain",
        1.0,
        0,
    )
    assert punctual.expected_value == Decimal("3600.00")
    with db.session() as session:
        session.query(Payment).delete()
        session.query(Invoice).delete()
        session.commit()
    _invoices(db, customer_id, [0, 10, 25, -2, 40, 5])
    irregular = _scored(db, settings)
    assert irregular.on_time_share == pytest.approx(2 / 6) and irregular.days_past_due == 0
    assert (irregular.quadrant, irregular.expected_value) == ("let_go", Decimal("1200.00"))
    retained = _scored(db, settings_factory(billing_threshold=100, recovery_cost=1000))
    assert retained.quadrant == "retain"
    recent = _scored(
        db, settings_factory(billing_threshold=100, recovery_cost=2000, payment_history_months=1)
    )
    assert (recent.on_time_share, recent.quadrant) == (1.0, "retain")  # last month: on time
    with db.session() as session:
        session.query(Payment).delete()
        session.query(Invoice).delete()
        session.commit()
    _invoices(db, customer_id, [0, 0, None])  # the invoice due 90 days before the end is unpaid
    lost = _scored(db, settings_factory(billing_threshold=100, recovery_cost=1000))
    assert (lost.days_past_due, lost.expected_value, lost.quadrant) == (90, Decimal("0"), "let_go")
    late = _scored(
        db, settings_factory(billing_threshold=100, recovery_cost=1000, payment_lost_days=91)
    )
    assert late.quadrant == "retain"  # 2 of 3 on time: 2 400 of value, above the cost

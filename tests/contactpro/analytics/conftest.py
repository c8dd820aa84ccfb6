"""Fixtures: a migrated SQLite database under tmp_path and a constructed data set whose analysis
results are known exactly (see the comments of the tests); the installed ``contactpro`` run on
such a database."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from contactpro import migrate
from contactpro.analytics.patterns import Period
from contactpro.config import Settings, load_settings
from contactpro.db import Database
from contactpro.models import Account, Customer, Escalation, Interaction, Turn
from tests.cli.test_entry_point import ENTRY_POINT
from tests.conftest import AUTH_TOKEN

START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
END = START + timedelta(days=7)

# (key, customer, channel, day offset, hour, minute, intent, tier, outcome, seconds, steps,
#  escalation reason, queue seconds, caller text, extra state)
CASES: list[tuple[Any, ...]] = [
    (
        1,
        "c1",
        "voice",
        0,
        9,
        10,
        "check_balance",
        "rules",
        "auto_resolved",
        60,
        ["told_balance"],
        None,
        None,
        "cuánto debo, gracias perfecto",
        {},
    ),
    (
        2,
        "c1",
        "voice",
        2,
        9,
        20,
        "check_balance",
        "rules",
        "auto_resolved",
        90,
        ["told_balance"],
        None,
        None,
        "otra vez el saldo por favor",
        {},
    ),
    (
        3,
        "c2",
        "sms",
        0,
        10,
        0,
        "pay_bill",
        "model",
        "auto_resolved",
        120,
        ["told_balance"],
        None,
        None,
        "I want to pay my bill, thanks",
        {},
    ),
    (
        4,
        "c2",
        "voice",
        1,
        10,
        30,
        "complaint",
        "llm",
        "escalated",
        600,
        ["asked_clarification"],
        "complaint",
        120,
        "this is outrageous, terrible service",
        {},
    ),
    (5, "c3", "voice", 1, 14, 0, None, "none", "abandoned", 30, [], None, None, "eh", {}),
    (
        6,
        None,
        "voice",
        3,
        14,
        15,
        "check_balance",
        "rules",
        "escalated",
        300,
        [],
        "unknown_caller",
        60,
        "my balance please",
        {},
    ),
    (
        7,
        "c4",
        "voice",
        4,
        20,
        0,
        "check_balance",
        "rules",
        "auto_resolved",
        45,
        ["told_balance"],
        None,
        None,
        "excelente, muchas gracias",
        {"csat": 5, "offer_accepted": True},
    ),
    (
        8,
        "c4",
        "voice",
        8,
        9,
        0,
        "check_balance",
        "rules",
        "auto_resolved",
        50,
        ["told_balance"],
        None,
        None,
        "saldo",
        {},
    ),
    (
        9,
        "c1",
        "voice",
        -2,
        9,
        0,
        "check_balance",
        "rules",
        "auto_resolved",
        40,
        ["told_balance"],
        None,
        None,
        "saldo",
        {},
    ),
]
CUSTOMERS = {
    "c1": ("standard", "100.00"),
    "c2": ("premium", "300.00"),
    "c3": ("vip", "50.00"),
    "c4": ("standard", "500.00"),
}


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Return test settings with a SQLite database under ``tmp_path``."""
    values = {
        "env": "test",
        "validate_twilio_signature": "false",
        "var_dir": str(tmp_path / "var"),
        "database_url": f"sqlite:///{tmp_path / 'analytics.sqlite3'}",
        "secret_key": "x" * 32,
        "company_timezone": "UTC",  # the constructed cases are written in UTC hours
        "recommendation_min_contacts": 1,  # seven contacts: every figure may be cited
        **overrides,
    }
    return load_settings(values, environ={}, dotenv_path=None)


def populate(db: Database) -> dict[int, int]:
    """Insert the constructed data set; return interaction ids by case key."""
    ids: dict[int, int] = {}
    with db.session() as session:
        customers: dict[str, Customer] = {}
        for n, (key, (segment, charge)) in enumerate(CUSTOMERS.items()):
            customer = Customer(
                name=f"Customer {key}",
                phone=f"+5730000000{n}",
                segment=segment,
                preferred_language="es",
            )
            customer.accounts.append(
                Account(number=f"A-{key}", plan="Hogar", monthly_charge=Decimal(charge))
            )
            session.add(customer)
            customers[key] = customer
        session.flush()
        for (
            key,
            who,
            channel,
            day,
            hour,
            minute,
            intent,
            tier,
            outcome,
            seconds,
            steps,
            reason,
            queue,
            text,
            extra,
        ) in CASES:
            started = START + timedelta(days=day, hours=hour, minutes=minute)
            customer = customers.get(who) if who else None
            interaction = Interaction(
                channel=channel,
                twilio_sid=f"CA{key:032d}",
                customer=customer,
                from_number=customer.phone if customer else "+15550009999",
                to_number="+15550001000",
                started_at=started,
                last_activity_at=started + timedelta(seconds=seconds),
                ended_at=started + timedelta(seconds=seconds),
                status="closed",
                outcome=outcome,
                language="es",
                duration_seconds=seconds,
                state={"steps": steps, **extra},
            )
            interaction.turns.append(
                Turn(sequence=0, speaker="bot", text="Hola", source="system", created_at=started)
            )
            interaction.turns.append(
                Turn(
                    sequence=1,
                    speaker="caller",
                    text=text,
                    source="speech",
                    asr_confidence=0.9,
                    intent=intent,
                    confidence=0.8 if intent else 0.2,
                    tier=tier,
                    latency_ms=10.0,
                    created_at=started,
                )
            )
            session.add(interaction)
            session.flush()
            if reason:
                session.add(
                    Escalation(
                        interaction_id=interaction.id,
                        customer_id=interaction.customer_id,
                        reason=reason,
                        queue="support",
                        queue_seconds=queue,
                        queue_result="answered",
                        created_at=started,
                    )
                )
            ids[key] = interaction.id
    return ids


def installed_contactpro(
    settings: Settings, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``contactpro`` on the database and files of ``settings``, as an operator
    does, with ``env`` added to its environment; without an LLM key, its prose is deterministic."""
    assert ENTRY_POINT, "the contactpro entry point is not installed"
    environ = {
        **os.environ,
        "CONTACTPRO_ENV": "test",
        "CONTACTPRO_DATABASE_URL": settings.database_url,
        "CONTACTPRO_VAR_DIR": str(settings.var_dir),
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        **env,
    }
    environ.pop("ANTHROPIC_API_KEY", None)
    return subprocess.run(
        [ENTRY_POINT, *args], env=environ, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    migrate.upgrade(settings.database_url)
    database = Database(settings.database_url)
    yield database
    database.dispose()


@pytest.fixture
def case_ids(db: Database) -> dict[int, int]:
    return populate(db)


@pytest.fixture
def period() -> Period:
    return Period(START, END)


@pytest.fixture
def settings_factory(tmp_path: Path) -> Callable[..., Settings]:
    return lambda **overrides: make_settings(tmp_path, **overrides)

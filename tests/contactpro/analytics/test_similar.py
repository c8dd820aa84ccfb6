"""Similar cases for the agent console: read from the persistent index, same request first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.analytics.similar import similar_cases, similar_to_escalation
from contactpro.console import agent_queue
from contactpro.errors import NotFoundError
from contactpro.improve import index
from contactpro.models import CaseVector, Customer, Escalation, Interaction, Turn
from tasks.interactions import close_interaction

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
# (intent, channel, outcome, last step, escalation reason, segment, hour, caller text)
PAST = [
    ("connection_problem", "voice", "escalated", "troubleshooting", "troubleshooting_failed",
     "premium", 19, "no tengo internet desde ayer, ya reinicié el módem"),
    ("connection_problem", "voice", "escalated", "troubleshooting", "troubleshooting_failed",
     "premium", 19, "my internet is down since yesterday, router restarted"),
    ("connection_problem", "sms", "auto_resolved", "told_outage", None,
     "standard", 10, "se cayó el servicio de internet en mi barrio"),
    ("debt_negotiation", "sms", "escalated", "offered_plans", "offer_refused",
     "standard", 11, "desde ayer no puedo pagar la factura, quiero pagar en cuotas"),
    ("debt_negotiation", "sms", "escalated", "offered_plans", "offer_refused",
     "standard", 12, "no puedo pagar desde ayer, me dan cuotas?"),
    ("billing_inquiry", "voice", "auto_resolved", "told_balance", None,
     "standard", 9, "cuánto debo este mes"),
]  # fmt: skip


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Hashing vectors (no model to load, and easily fooled by shared words); tasks run inline."""
    return {**app_config, "improve_case_encoder": "hashing", "task_always_eager": True}


def _interaction(
    session: Session, n: int, row: tuple[Any, ...], status: str = "closed"
) -> Interaction:
    intent, channel, outcome, step, reason, segment, hour, text = row
    customer = Customer(name=f"Cliente {n}", phone=f"+5730011100{n:02d}", segment=segment)
    session.add(customer)
    session.flush()
    started = START + timedelta(days=n % 3, hours=hour - 9, minutes=n)
    interaction = Interaction(
        channel=channel,
        twilio_sid=f"CA{n:032d}",
        customer_id=customer.id,
        from_number=customer.phone,
        to_number="+15550001000",
        status=status,
        outcome=outcome if status == "closed" else None,
        language="es",
        started_at=started,
        state={"steps": [step]},
    )
    interaction.turns = [
        Turn(sequence=1, speaker="caller", text=text, source="speech", intent=intent)
    ]
    session.add(interaction)
    session.flush()
    if reason:
        session.add(
            Escalation(
                interaction_id=interaction.id,
                customer_id=customer.id,
                reason=reason,
                queue="support",
                status="resolved",
                created_at=started,
            )
        )
    session.commit()
    return interaction


@pytest.fixture
def seeded(session: Session) -> list[Interaction]:
    """Closed past conversations (connection, debt, billing), indexed once."""
    past = [_interaction(session, n, row) for n, row in enumerate(PAST)]
    assert index.index_pending(session, index.HashingEncoder()) == len(PAST)
    session.commit()
    return past


def _escalated_connection(session: Session, text: str) -> Escalation:
    row = ("connection_problem", "voice", None, "troubleshooting", None, "premium", 20, text)
    interaction = _interaction(session, 50, row, status="active")
    interaction.started_at = START + timedelta(days=5)
    escalation = Escalation(
        interaction_id=interaction.id,
        customer_id=interaction.customer_id,
        reason="troubleshooting_failed",
        queue="support",
    )
    session.add(escalation)
    session.commit()
    return escalation


def test_a_connection_escalation_is_matched_with_connection_cases(
    seeded: list[Interaction], session: Session
) -> None:
    """Words shared with a debt chat do not outrank the request: connection cases come first."""
    escalation = _escalated_connection(session, "desde ayer no puedo navegar, quiero ayuda")
    encoder = index.HashingEncoder()
    # Character hashing puts short texts far apart: a low bar that still keeps out nothing-alike.
    found = similar_to_escalation(session, escalation.id, encoder, k=3, min_similarity=0.01)
    connection = {seeded[0].id, seeded[1].id, seeded[2].id}
    assert all(c.similarity >= 0.01 for c in found.cases)
    assert [c.interaction_id for c in found.cases][:1] != [], "cases are found"
    assert found.cases[0].interaction_id in connection
    assert {c.interaction_id for c in found.cases} == connection
    # By characters alone the debt chat is the closest text: the request is what decides.
    by_text = index.search(session, encoder, "desde ayer no puedo navegar, quiero ayuda", {}, k=1)
    assert by_text[0].case.intent == "debt_negotiation"
    assert found.cases[0].escalation_reason == "troubleshooting_failed"
    assert sum(found.outcomes.values()) == len(found.cases)


def test_the_explanation_is_the_failure_pattern_in_the_agents_language(
    seeded: list[Interaction], session: Session
) -> None:
    """Failure step and reason, segment, hours and probable cause, not a count of outcomes."""
    escalation = _escalated_connection(session, "sin internet desde ayer")
    found = similar_to_escalation(session, escalation.id, index.HashingEncoder(), language="es")
    text = found.summary()
    assert "most similar past cases" not in text
    assert text.startswith("Casos pasados parecidos: 3.")
    assert "Causa probable: troubleshooting · el diagnóstico no funcionó (2 de 2 casos" in text
    assert "premium en 2 de 3" in text and "19:00 (2)" in text
    english = similar_to_escalation(session, escalation.id, index.HashingEncoder())
    assert (
        "Probable root cause: troubleshooting · troubleshooting did not help" in english.summary()
    )
    assert found.explanation is not None and found.explanation.facts["cases"] == 3


def test_the_console_packet_shows_the_index_or_says_it_falls_back(
    app: Flask, seeded: list[Interaction], session: Session
) -> None:
    """The agent's escalation packet reads the index; with no index the same-reason list."""
    settings = app.extensions["contactpro"].settings
    escalation = _escalated_connection(session, "no tengo internet")
    similar = agent_queue.similar_cases(session, settings, escalation, "en")
    assert similar["kind"] == "text" and similar["summary"].startswith("Past cases like this")
    session.execute(CaseVector.__table__.delete())
    session.commit()
    assert (
        similar_cases(session, escalation.interaction_id, index.HashingEncoder()).indexed is False
    )
    fallback = agent_queue.similar_cases(session, settings, escalation, "en")
    assert fallback["kind"] == "reason"
    assert [c["reason"] for c in fallback["cases"]] == ["troubleshooting_failed"] * 2
    with pytest.raises(NotFoundError):
        similar_cases(session, 10**9, index.HashingEncoder())


def test_a_conversation_is_indexed_as_it_closes(
    app: Flask, seeded: list[Interaction], session: Session
) -> None:
    """Closing a conversation embeds it at once (once: closing again adds nothing)."""
    escalation = _escalated_connection(session, "otra vez sin señal")
    with app.app_context():
        close_interaction.run(escalation.interaction_id)
        close_interaction.run(escalation.interaction_id)
    rows = session.scalars(
        select(CaseVector).where(CaseVector.ref_id == escalation.interaction_id)
    ).all()
    assert [(r.source, r.encoder, r.intent) for r in rows] == [
        ("live", "hashing-1024", "connection_problem")
    ]
    assert rows[0].failure_reason == "troubleshooting_failed"


def test_nothing_below_the_minimum_similarity_is_shown(
    seeded: list[Interaction], session: Session
) -> None:
    """Same request or not, a case under the bar is never "similar"; a silent caller (or one
    whose words were erased) matches nothing."""
    escalation = _escalated_connection(session, "desde ayer no puedo navegar, quiero ayuda")
    encoder = index.HashingEncoder()
    loose = similar_to_escalation(session, escalation.id, encoder, k=3, min_similarity=0.01)
    bar = max(c.similarity for c in loose.cases) - 1e-6  # only the closest passes
    strict = similar_to_escalation(session, escalation.id, encoder, k=3, min_similarity=bar)
    assert len(strict.cases) == 1 < len(loose.cases)
    assert all(c.similarity >= bar for c in strict.cases)
    interaction = session.get(Interaction, escalation.interaction_id)
    assert interaction is not None
    for turn in interaction.turns:  # as erasure (or a silent call) leaves it: no words
        turn.text = ""
    session.commit()
    nothing = similar_to_escalation(session, escalation.id, encoder, k=3, min_similarity=0.0)
    assert nothing.cases == [] and nothing.summary() == ""

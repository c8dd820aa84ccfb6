"""Replay copies the accounts it needs into a throwaway database and never touches live data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpro.improve import replay
from contactpro.improve.dataset import Conversation, Message
from contactpro.improve.proposed import read_proposed
from contactpro.models import Customer, Escalation, Interaction, Turn


def test_replay_answers_from_the_copied_account(
    app: Flask, session: Session, customer_factory: Callable[..., Customer], tmp_path: Path
) -> None:
    """A known caller is verified and told the balance from the copy; live tables gain no row."""
    customer = customer_factory(phone="+573001112233", balance="125000")
    conversation = Conversation(
        "live-1",
        [Message("user", "cuánto debo"), Message("user", "4050"), Message("user", "sí, gracias")],
        channel="sms",
        language="es",
        resolved=False,
        intents=["billing_inquiry"],
        extra_meta={"customer_id": customer.id, "from_number": "+573001112233"},
    )
    stranger = Conversation(
        "stranger", [Message("user", "how much do I owe")], channel="voice", language="en"
    )
    rt = app.extensions["contactpro"]
    proposal = tmp_path / "p"
    proposal.mkdir()
    before = {
        table: session.scalar(select(func.count()).select_from(table))
        for table in (Interaction, Turn, Escalation)
    }
    result = replay.replay(rt.db, rt.settings, [conversation, stranger], read_proposed(proposal))
    known, unknown = result.baseline
    replies = " ".join(m.content for m in known.transcript if m.role == "assistant")
    assert "125.000" in replies, replies
    assert known.resolved and not known.wrong_resolution and known.caller_turns == 3
    greeting = unknown.transcript[0]
    assert greeting.role == "assistant" and "help" in greeting.content  # in the call's language
    assert not unknown.resolved and unknown.caller_turns == 1
    assert result.changed == [] and result.summary["delta"]["resolved"] == 0
    session.expire_all()
    after = {
        table: session.scalar(select(func.count()).select_from(table))
        for table in (Interaction, Turn, Escalation)
    }
    assert after == before

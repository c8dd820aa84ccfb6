"""Hand-offs to people: the escalation packet and its priority."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.messaging import media
from contactpro.models import Escalation, Interaction, Turn, utcnow

log = logging.getLogger(__name__)

# Every reason the bot hands over for (dialog handlers, voice, the journal); also the label
# analytics group escalations by. The console has a string for each in both languages
# (tests/webhooks/console/test_strings.py finds every reason the code can produce).
REASONS = {
    "agent_request": "the customer asked for a person",
    "not_understood": "the bot did not understand the request after asking again",
    "no_input": "the caller did not answer",
    "unknown_caller": "no account is linked to the caller's number",
    "complaint": "the customer made a complaint",
    "technical_error": "the bot hit a technical problem",
    "no_account": "no account was found for the customer",
    "no_article": "the knowledge base has no answer to the question",
    "not_resolved": "the customer said the answer did not solve it",
    "turn_limit": "the conversation went on too long without a resolution",
    "identification_failed": "the customer could not be identified",
    "verification_failed": "the customer's identity could not be verified",
    "troubleshooting_failed": "the troubleshooting steps did not fix the connection",
    "retention_refused": "the customer refused the retention offer and wants to cancel",
    "offer_refused": "the customer refused the payment plans offered",
    "payment_not_found": "a payment the customer reported was not found",
    "voicemail": "the caller left a voicemail",
    "customer_media": "the customer sent a photo or a document for a person to look at",
}
_BASE_PRIORITY = {"complaint": 70, "technical_error": 65, "agent_request": 55}
_SEGMENT_BONUS = {"vip": 25, "premium": 10}


def priority_for(reason: str, interaction: Interaction) -> int:
    """Score 0-100: complaints and valuable customers first."""
    score = _BASE_PRIORITY.get(reason, 50)
    if interaction.customer is not None:
        score += _SEGMENT_BONUS.get(interaction.customer.segment, 0)
    return min(score, 100)


def customer_snapshot(interaction: Interaction) -> dict[str, Any] | None:
    """Return what an agent needs to know about the customer and their accounts."""
    customer = interaction.customer
    if customer is None:
        return None
    return {
        "id": customer.id,
        "name": customer.name,
        "phone": customer.phone,
        "segment": customer.segment,
        "preferred_language": customer.preferred_language,
        "accounts": [
            {
                "number": account.number,
                "plan": account.plan,
                "status": account.status,
                "balance": str(account.balance),
                "currency": account.currency,
                "due_date": account.due_date.isoformat() if account.due_date else None,
                "days_past_due": account.days_past_due,
                "debt_amount": str(account.debt_amount),
            }
            for account in customer.accounts
        ],
    }


def transcript(turns: list[Turn]) -> list[dict[str, Any]]:
    """Return the conversation so far, with what the bot understood of each turn."""
    return [
        {
            "sequence": turn.sequence,
            "speaker": turn.speaker,
            "text": turn.text,
            "source": turn.source,
            "intent": turn.intent,
            "confidence": turn.confidence,
            "tier": turn.tier,
            "reply": turn.reply,
            "at": turn.created_at.isoformat(),
        }
        for turn in turns
    ]


def summarise(interaction: Interaction, reason: str, turns: list[Turn]) -> str:
    """Write the bot's one-paragraph summary for the agent."""
    who = interaction.customer.name if interaction.customer else "An unidentified customer"
    intents = [t.intent for t in turns if t.speaker == "caller" and t.intent]
    asked = ", ".join(dict.fromkeys(i.replace("_", " ") for i in intents)) or "nothing recognisable"
    steps = ", ".join((interaction.state or {}).get("steps", [])) or "none"
    return (
        f"{who} contacted us by {interaction.channel} "
        f"in {'Spanish' if interaction.language == 'es' else 'English'}. "
        f"They asked about: {asked}. Steps the bot completed: {steps}. "
        f"Escalated because {REASONS.get(reason, reason)}."
    )


def escalate(
    session: Session, settings: Settings, interaction: Interaction, reason: str
) -> Escalation:
    """Write the escalation packet for ``interaction`` (once; a second call returns it)."""
    existing = session.scalars(
        select(Escalation).where(Escalation.interaction_id == interaction.id)
    ).first()
    if existing is not None:
        return existing
    session.flush()
    turns = list(
        session.scalars(
            select(Turn).where(Turn.interaction_id == interaction.id).order_by(Turn.sequence)
        )
    )
    escalation = Escalation(
        interaction_id=interaction.id,
        customer_id=interaction.customer_id,
        status="open",
        reason=reason,
        priority=priority_for(reason, interaction),
        queue=settings.agent_queue,
        created_at=utcnow(),
        context={
            "reason": reason,
            "reason_text": REASONS.get(reason, reason),
            "channel": interaction.channel,
            "language": interaction.language,
            "from_number": interaction.from_number,
            "customer": customer_snapshot(interaction),
            "transcript": transcript(turns),
            "steps_tried": list((interaction.state or {}).get("steps", [])),
            "media": media.of_interaction(session, interaction.id),
            "summary": summarise(interaction, reason, turns),
        },
    )
    # Written with the turn that announces it: one flush less per hand-over.
    session.add(escalation)
    log.info(
        "escalated",
        extra={"interaction_id": interaction.id, "reason": reason, "priority": escalation.priority},
    )
    return escalation

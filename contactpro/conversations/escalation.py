"""Hand-offs to people: the escalation packet and its priority.

The packet holds the whole conversation up to the turn that hands over, and what the
conversations it continues (a call picked up by an SMS, a call back) tried and left waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.messaging import media
from contactpro.models import Account, Customer, Escalation, Interaction, Turn, utcnow
from contactpro.phone import to_e164

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
    "identity_refused": "the customer would not give the data that confirms their identity",
    "troubleshooting_failed": "the troubleshooting steps did not fix the connection",
    "visit_requested": "the customer asked for a technician's visit instead of the guide's steps",
    "retention_refused": "the customer refused the retention offer and wants to cancel",
    "offer_refused": "the customer refused the payment plans offered",
    "wants_to_pay": "the customer wants to pay but did not choose one of the payment options",
    "payment_not_found": "a payment the customer reported was not found",
    "voicemail": "the caller left a voicemail",
    "customer_media": "the customer sent a photo or a document for a person to look at",
    "billing_dispute": "the customer disputes a charge (charged twice, not recognised, wrong)",
    "invoice_request": "the customer asked for a copy of an invoice the bot could not send",
    "cancellation_withdrawal": "the customer withdrew a cancellation the team already processed",
    "reply_not_delivered": "the bot's answer could not be sent to the customer",
    "several_accounts": "the customer's request is about several of their accounts at once",
}
UNDELIVERED_REASON = "reply_not_delivered"
# How many conversations back a chain of carried-over conversations is followed.
MAX_EARLIER_CONVERSATIONS = 5
_BASE_PRIORITY = {
    "complaint": 70,
    "technical_error": 65,
    "billing_dispute": 60,
    "agent_request": 55,
    "wants_to_pay": 55,  # a debtor ready to pay: a person closes the agreement
}
# Abuse or an accusation of theft: a person takes it before any other complaint.
ABUSE_BONUS = 15
_SEGMENT_BONUS = {"vip": 25, "premium": 10}


def priority_for(reason: str, interaction: Interaction) -> int:
    """Score 0-100: complaints (abusive ones first) and valuable customers first."""
    score = _BASE_PRIORITY.get(reason, 50)
    if handoff_details(interaction).get("abuse"):
        score += ABUSE_BONUS
    if interaction.customer is not None and _holder_writing(interaction, interaction.customer):
        score += _SEGMENT_BONUS.get(interaction.customer.segment, 0)
    return min(score, 100)


def _holder_writing(interaction: Interaction, customer: Customer) -> bool:
    """Return True when the sender is known to be ``customer``: from the number on file, or
    verified. Claiming a VIP's id from another number earns none of the VIP's priority."""
    if (interaction.state or {}).get("verified"):
        return True
    wrote = to_e164(interaction.from_number)
    return wrote is not None and wrote == to_e164(customer.phone)


def handoff_details(interaction: Interaction) -> dict[str, Any]:
    """Return what the bot gathered for the agent beyond the transcript (dialog ``handoff``)."""
    details = (interaction.state or {}).get("handoff")
    return dict(details) if isinstance(details, dict) else {}


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
            "interaction_id": turn.interaction_id,
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


def earlier_conversations(session: Session, interaction: Interaction) -> list[Interaction]:
    """Return the conversations ``interaction`` continues (carried over), oldest first."""
    chain: list[Interaction] = []
    seen = {interaction.id}
    previous_id = (interaction.state or {}).get("continued_from")
    while previous_id is not None and previous_id not in seen:
        previous = session.get(Interaction, previous_id)
        if previous is None or len(chain) >= MAX_EARLIER_CONVERSATIONS:
            break
        chain.append(previous)
        seen.add(previous.id)
        previous_id = (previous.state or {}).get("continued_from")
    return chain[::-1]


def _turns(session: Session, interaction_ids: list[int]) -> list[Turn]:
    """Return the turns of these conversations, in their order and then in sequence."""
    rows = session.scalars(select(Turn).where(Turn.interaction_id.in_(interaction_ids)))
    order = {interaction_id: i for i, interaction_id in enumerate(interaction_ids)}
    return sorted(rows, key=lambda t: (order[t.interaction_id], t.sequence))


def left_waiting(session: Session, previous: Interaction) -> dict[str, Any]:
    """Return what the conversation carried over from was waiting for: the question, the
    account and the payment offers on the table."""
    state = previous.state or {}
    slots = state.get("slots") or {}
    account = session.get(Account, state["account_id"]) if state.get("account_id") else None
    return {
        "interaction_id": previous.id,
        "channel": previous.channel,
        "started_at": previous.started_at.isoformat(),
        "flow": state.get("flow"),
        "awaiting": state.get("awaiting"),
        "request": state.get("pending_intent"),
        "account": account.number if account else None,
        "offers": slots.get("offers", []),
        "proposed": slots.get("proposed"),
    }


def steps_of(interaction: Interaction) -> list[str]:
    """Return the steps the bot recorded in one conversation."""
    return list((interaction.state or {}).get("steps", []))


def earlier_steps(earlier: Sequence[Interaction]) -> list[dict[str, Any]]:
    """Return the steps of each earlier conversation that has some, with its channel, oldest
    first: the packet's ``steps_tried`` lists them before this conversation's own."""
    return [
        {"interaction_id": i.id, "channel": i.channel, "steps": steps}
        for i in earlier
        if (steps := steps_of(i))
    ]


def summarise(
    interaction: Interaction,
    reason: str,
    turns: list[Turn],
    steps: list[str],
    earlier: Sequence[Interaction] = (),
) -> str:
    """Write the bot's one-paragraph summary for the agent: ``steps`` are this conversation's,
    the earlier conversations' steps are named apart."""
    who = interaction.customer.name if interaction.customer else "An unidentified customer"
    intents = [t.intent for t in turns if t.speaker == "caller" and t.intent]
    asked = ", ".join(dict.fromkeys(i.replace("_", " ") for i in intents)) or "nothing recognisable"
    before = ", ".join(dict.fromkeys(i.channel for i in earlier))
    carried = f" It continues an earlier conversation by {before}." if earlier else ""
    previous = "".join(
        f" In the earlier conversation by {group['channel']}: {', '.join(group['steps'])}."
        for group in earlier_steps(earlier)
    )
    channel = interaction.channel
    how = "called us" if channel == "voice" else f"contacted us by {channel}"
    return (
        f"{who} {how} "
        f"in {'Spanish' if interaction.language == 'es' else 'English'}.{carried} "
        f"They asked about: {asked}. Steps the bot completed: {', '.join(steps) or 'none'}."
        f"{previous} Escalated because {REASONS.get(reason, reason)}."
    )


def escalate(
    session: Session, settings: Settings, interaction: Interaction, reason: str
) -> Escalation:
    """Write the escalation packet for ``interaction`` (once; a second call returns it).

    Call it once the turn that hands over is stored: the packet holds what was said last.
    """
    existing = session.scalars(
        select(Escalation).where(Escalation.interaction_id == interaction.id)
    ).first()
    if existing is not None:
        return existing
    session.flush()
    earlier = earlier_conversations(session, interaction)
    turns = _turns(session, [i.id for i in earlier] + [interaction.id])
    steps = steps_of(interaction)
    before = earlier_steps(earlier)
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
            # Every step, the earlier conversations' first; ``earlier_steps`` tells them apart.
            "steps_tried": [s for group in before for s in group["steps"]] + steps,
            "earlier_steps": before,
            # Steps of an earlier conversation may include "verified": this says whether the
            # customer is verified in this one (verification carries over to the same number).
            "verified": bool((interaction.state or {}).get("verified")),
            "continued_from": left_waiting(session, earlier[-1]) if earlier else None,
            "details": handoff_details(interaction),
            "media": media.of_interaction(session, interaction.id),
            "summary": summarise(interaction, reason, turns, steps, earlier),
        },
    )
    session.add(escalation)
    log.info(
        "escalated",
        extra={"interaction_id": interaction.id, "reason": reason, "priority": escalation.priority},
    )
    return escalation


def hand_over_undelivered(
    session: Session, settings: Settings, interaction: Interaction, reply: str, why: str
) -> Escalation:
    """Hand a conversation to a person when the bot's answer could not be sent for good
    (Twilio refused it, retries ran out, WhatsApp's window closed): the agent sees the answer
    the customer never received and why."""
    state = dict(interaction.state or {})
    handoff = {**handoff_details(interaction), "undelivered": {"reply": reply, "why": why}}
    interaction.state = {**state, "handoff": handoff, "escalated": True}
    log.warning(
        "answer not delivered: handed over",
        extra={"interaction_id": interaction.id, "reason": why},
    )
    return escalate(session, settings, interaction, UNDELIVERED_REASON)


def call_texted_by_agent(session: Session, from_number: str) -> Interaction | None:
    """Return the call whose escalation an agent holds and has texted ``from_number`` from
    since taking it: a text from that number answers the agent, not a new conversation."""
    sender = to_e164(from_number)
    if sender is None:
        return None
    # The call's number, or the customer's (the agent may text the number on the account).
    return session.scalars(
        select(Interaction)
        .join(Escalation, Escalation.interaction_id == Interaction.id)
        .join(Turn, Turn.interaction_id == Interaction.id)
        .outerjoin(Customer, Customer.id == Interaction.customer_id)
        .where(
            Escalation.status == "claimed",
            Escalation.claimed_at.is_not(None),
            Interaction.channel == "voice",
            or_(Interaction.from_number == sender, Customer.phone == sender),
            Turn.speaker == "agent",
            Turn.action == "agent_sms",
            Turn.created_at >= Escalation.claimed_at,
        )
        .order_by(Turn.created_at.desc())
        .limit(1)
    ).first()

"""Agent requests and complaints: hand over with the context gathered so far."""

from __future__ import annotations

from sqlalchemy import select

from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.models import Escalation, Turn


def agent_request(ctx: TurnContext) -> Decision:
    """The customer asked for a person."""
    ctx.state.finish()
    return Decision(ctx.say("handoff_as_asked"), ESCALATE, reason="agent_request")


def complaint(ctx: TurnContext) -> Decision:
    """A complaint always reaches a person, with priority; abuse or an accusation of theft
    (whatever the bot was asking) is acknowledged and goes first, with what it interrupted."""
    state = ctx.state
    if not ctx.understood.entities.get("abuse"):
        state.finish()
        return Decision("", ESCALATE, reason="complaint")
    state.handoff["abuse"] = True
    if state.flow is not None:
        state.handoff["interrupted"] = {"flow": state.flow, "awaiting": state.awaiting}
    state.finish()
    return Decision(ctx.say("complaint_heard"), ESCALATE, reason="complaint", step="heard_abuse")


def agent_writing(ctx: TurnContext) -> bool:
    """Return True when an agent has taken this text conversation's case and written to the
    customer since: the conversation is theirs, and the bot no longer answers in it."""
    if ctx.channel == "voice":
        return False
    escalation = ctx.session.scalars(
        select(Escalation)
        .where(Escalation.interaction_id == ctx.interaction.id)
        .order_by(Escalation.id.desc())
    ).first()
    if escalation is None or escalation.status != "claimed" or escalation.claimed_at is None:
        return False
    wrote = ctx.session.scalars(
        select(Turn.id).where(
            Turn.interaction_id == ctx.interaction.id,
            Turn.speaker == "agent",
            Turn.created_at >= escalation.claimed_at,
        )
    ).first()
    return wrote is not None

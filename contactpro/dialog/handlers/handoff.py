"""Agent requests and complaints: hand over with the context gathered so far."""

from __future__ import annotations

from contactpro.dialog.context import ESCALATE, Decision, TurnContext


def agent_request(ctx: TurnContext) -> Decision:
    """The customer asked for a person."""
    ctx.state.finish()
    return Decision("", ESCALATE, reason="agent_request")


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

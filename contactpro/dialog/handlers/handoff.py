"""Agent requests and complaints: hand over with the context gathered so far."""

from __future__ import annotations

from contactpro.dialog.context import ESCALATE, Decision, TurnContext


def agent_request(ctx: TurnContext) -> Decision:
    """The customer asked for a person."""
    ctx.state.finish()
    return Decision("", ESCALATE, reason="agent_request")


def complaint(ctx: TurnContext) -> Decision:
    """A complaint always reaches a person, with priority."""
    ctx.state.finish()
    return Decision("", ESCALATE, reason="complaint")

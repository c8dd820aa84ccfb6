"""Cancellation with retention, by the customer's priority-matrix quadrant.

retain (low conformity, high billing): an economic benefit, and a person if refused; care (high
conformity, low billing): the loyalty programme; monitor (high, high): preventive attention;
let go (low, low): the polite cancellation process. Each ends retained, cancelled or escalated.
"""

from __future__ import annotations

from contactpro.analytics.matrix import customer_quadrant
from contactpro.dialog import identity
from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.models import CancellationRequest

OFFERS = {"retain": "discount_50_3m", "care": "loyalty_double_speed", "monitor": "preventive_visit"}


def quadrant(ctx: TurnContext) -> str:
    """Return the customer's quadrant from the latest analysis (``care`` before any analysis)."""
    customer = ctx.customer
    found = customer_quadrant(ctx.session, customer.id) if customer else None
    return found.quadrant if found is not None else "care"


def _record(ctx: TurnContext, outcome: str) -> None:
    account = ctx.account
    if account is None:
        return
    ctx.session.add(
        CancellationRequest(
            account_id=account.id,
            interaction_id=ctx.interaction.id,
            quadrant=ctx.state.slots.get("quadrant", "care"),
            offer=ctx.state.slots.get("offer"),
            outcome=outcome,
        )
    )
    ctx.state.outcome_detail = outcome


def start(ctx: TurnContext) -> Decision:
    """Make the quadrant's retention offer, or go straight to confirming for ``let_go``."""
    if (question := identity.require(ctx, identity.VERIFIED, "cancellation")) is not None:
        return question
    account = ctx.account
    if account is None:
        return Decision("", ESCALATE, reason="no_account")
    where = quadrant(ctx)
    offer = OFFERS.get(where)
    if offer is None:
        ctx.state.start("cancellation", "cancel_confirm", quadrant=where, offer=None)
        return Decision(ctx.say("cancel_confirm", account=account.number), step="asked_cancel")
    ctx.state.start("cancellation", "retention", quadrant=where, offer=offer)
    return Decision(ctx.say(f"cancel_offer_{where}"), step=f"offered_{offer}")


def reply(ctx: TurnContext) -> Decision:
    """Handle the answer to the retention offer or to the cancellation confirmation."""
    intent = ctx.understood.intent
    state = ctx.state
    account = ctx.account
    if state.awaiting == "retention":
        if intent == "affirm":
            _record(ctx, "retained")
            state.offer_accepted = True
            state.finish()
            return Decision(ctx.say("retained"), step="retained", resolved=True)
        if intent in ("deny", "cancellation"):
            if state.slots.get("quadrant") == "retain":
                _record(ctx, "escalated")
                state.finish()
                return Decision("", ESCALATE, reason="retention_refused")
            state.awaiting = "cancel_confirm"
            return Decision(
                ctx.say("cancel_confirm", account=account.number if account else ""),
                step="asked_cancel",
            )
    elif state.awaiting == "cancel_confirm":
        if intent in ("affirm", "cancellation"):
            _record(ctx, "cancelled")
            state.finish()
            return Decision(ctx.say("cancel_done"), step="cancelled", resolved=True)
        if intent == "deny":
            _record(ctx, "retained")
            state.finish()
            return Decision(ctx.say("cancel_kept"), step="kept_service", resolved=True)
    state.finish()
    return Decision("", ESCALATE, reason="not_understood")

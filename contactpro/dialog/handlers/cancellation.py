"""Cancellation with retention, by the customer's priority-matrix quadrant.

retain (low conformity, high billing): an economic benefit, and a person if refused; care (high
conformity, low billing): the loyalty programme; monitor (high, high): preventive attention;
let go (low, low): the polite cancellation process. Each ends retained, cancelled or escalated.

Before the first conformity analysis there is no quadrant; :func:`default_quadrant` reads one
from the payment history and the bill instead of treating everyone as *care*. The economic
benefit goes only to customers with the managers' minimum tenure (``offer_min_tenure_months``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from statistics import median

from sqlalchemy import select

from contactpro.console.settings import current_config
from contactpro.dialog import identity
from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.models import Account, CancellationRequest, Customer, CustomerScore

OFFERS = {"retain": "discount_50_3m", "care": "loyalty_double_speed", "monitor": "preventive_visit"}
# The default rule's cut-offs: more than this many days past due is low conformity, and
# beyond COLLECTIONS_DAYS the account is a collections case that gets no retention benefit.
LATE_DAYS = 30
COLLECTIONS_DAYS = 90


def default_quadrant(ctx: TurnContext, customer: Customer) -> str:
    """Place a customer no analysis has scored yet, from payment history and billing.

    Conformity is low when an open account is more than ``LATE_DAYS`` past due; billing is
    high when the customer's monthly charge is at least the median of open accounts in the
    same currency (or the fixed ``billing_threshold``). Over ``COLLECTIONS_DAYS`` past due
    the customer is let go whatever the bill: a debtor is never offered a benefit.
    """
    accounts = [a for a in customer.accounts if a.status != "cancelled"]
    if not accounts:
        return "let_go"
    late = max(a.days_past_due for a in accounts)
    if late > COLLECTIONS_DAYS:
        return "let_go"
    currency = accounts[0].currency
    charge = sum((a.monthly_charge for a in accounts if a.currency == currency), Decimal(0))
    if ctx.settings.billing_threshold > 0:
        cut = Decimal(str(ctx.settings.billing_threshold))
    else:
        charges = ctx.session.scalars(
            select(Account.monthly_charge).where(
                Account.status != "cancelled", Account.currency == currency
            )
        ).all()
        cut = Decimal(str(median(charges))) if charges else Decimal(0)
    high_bill, high_conf = charge >= cut, late <= LATE_DAYS
    if high_conf:
        return "monitor" if high_bill else "care"
    return "retain" if high_bill else "let_go"


def _tenure_months(customer: Customer, today: date) -> int | None:
    opened = [a.opened_on for a in customer.accounts if a.opened_on is not None]
    if not opened:
        return None  # unknown: not held against the customer
    first = min(opened)
    return (today.year - first.year) * 12 + today.month - first.month


def quadrant(ctx: TurnContext) -> str:
    """Return the quadrant whose offer the customer gets.

    The latest analysis decides; before any, :func:`default_quadrant`. A *retain* customer
    below the managers' minimum tenure gets the preventive offer instead of the discount.
    """
    customer = ctx.customer
    if customer is None:
        return "let_go"
    score = ctx.session.get(CustomerScore, customer.id)  # one row per customer: the latest
    where = score.quadrant if score is not None else default_quadrant(ctx, customer)
    if where == "retain":
        minimum = int(current_config(ctx.session, ctx.settings)["offer_min_tenure_months"])
        tenure = _tenure_months(customer, ctx.today)
        if tenure is not None and tenure < minimum:
            return "monitor"
    return where


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

"""Payments: how to pay, confirming a payment made, and a payment link by SMS."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from contactpro.dialog import identity
from contactpro.dialog.confirmations import send_confirmation
from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.models import Account

RECENT_PAYMENT_DAYS = 10


def payment_link(ctx: TurnContext, account: Account) -> str:
    """Return the account's payment link, tagged so it cannot be guessed from the number."""
    tag = hmac.new(ctx.settings.secret_key.encode(), account.number.encode(), hashlib.sha256)
    return f"{ctx.settings.payment_link_base.rstrip('/')}/{account.number}?t={tag.hexdigest()[:12]}"


def start_how(ctx: TurnContext) -> Decision:
    """Explain where and how to pay (no identification needed).

    The account number is said only to a verified customer: caller id alone is not enough.
    """
    ctx.state.finish()
    account = ctx.account if ctx.state.customer_id and ctx.state.verified else None
    if account is None:
        return Decision(ctx.say("payment_how_generic"), step="told_how_to_pay", resolved=True)
    return Decision(
        ctx.say("payment_how", account=account.number), step="told_how_to_pay", resolved=True
    )


def start_made(ctx: TurnContext) -> Decision:
    """Confirm a payment the customer says they made."""
    if (question := identity.require(ctx, identity.VERIFIED, "payment_made")) is not None:
        return question
    account = ctx.account
    if account is None:
        return Decision("", ESCALATE, reason="no_account")
    since = ctx.interaction.started_at - timedelta(days=RECENT_PAYMENT_DAYS)
    recent = [p for p in account.payments if p.paid_at >= since]
    if recent:
        last = max(recent, key=lambda p: p.paid_at)
        ctx.state.finish()
        return Decision(
            ctx.say(
                "payment_found",
                amount=last.amount,
                currency=account.currency,
                paid_on=last.paid_at.astimezone(ctx.zone).date(),
            ),
            step="confirmed_payment",
            resolved=True,
        )
    ctx.state.start("payment", "payment_review")
    return Decision(ctx.say("payment_not_found"), step="payment_not_found")


def start_link(ctx: TurnContext) -> Decision:
    """Text the customer a link to pay their balance."""
    if (question := identity.require(ctx, identity.VERIFIED, "payment_link")) is not None:
        return question
    account = ctx.account
    customer = ctx.customer
    if account is None or customer is None:
        return Decision("", ESCALATE, reason="no_account")
    link = payment_link(ctx, account)
    body = ctx.say(
        "payment_link_sms",
        account=account.number,
        balance=account.balance,
        currency=account.currency,
        link=link,
    )
    if not send_confirmation(
        ctx, customer.phone, body, purpose="payment_link", variables={"1": account.number}
    ):
        return Decision("", ESCALATE, reason="technical_error")
    ctx.state.finish()
    return Decision(
        ctx.say("payment_link_sent", balance=account.balance, currency=account.currency),
        step="sent_payment_link",
        resolved=True,
    )


def reply(ctx: TurnContext) -> Decision:
    """After "we don't see your payment": yes hands over, no moves on."""
    intent = ctx.understood.intent
    ctx.state.finish()
    if intent == "affirm":
        return Decision("", ESCALATE, reason="payment_not_found")
    return Decision(ctx.say("how_can_i_help"), step="declined_payment_review")

"""Payments: how to pay, confirming a payment made, and a payment link by SMS.

A payment check and a payment link are for the account the customer named (its number or last
digits); a customer with several accounts who named none is asked which one.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from contactpro.dialog import accounts
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
    With several accounts it is the one named, else none is said.
    """
    account = None
    if ctx.state.customer_id and ctx.state.verified:
        account = accounts.requested(ctx)
    ctx.state.finish()
    if account is None:
        return Decision(ctx.say("payment_how_generic"), step="told_how_to_pay", resolved=True)
    return Decision(
        ctx.say("payment_how", account=account.number), step="told_how_to_pay", resolved=True
    )


def start_made(ctx: TurnContext) -> Decision:
    """Confirm a payment the customer says they made."""
    account = accounts.for_request(ctx, "payment", "payment_made")
    return account if isinstance(account, Decision) else _made(ctx, account)


def _made(ctx: TurnContext, account: Account) -> Decision:
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
                account=account.number,
            ),
            step="confirmed_payment",
            resolved=True,
        )
    ctx.state.start("payment", "payment_review", account=account.id)
    return Decision(ctx.say("payment_not_found", account=account.number), step="payment_not_found")


def start_link(ctx: TurnContext) -> Decision:
    """Text the customer a link to pay their balance."""
    account = accounts.for_request(ctx, "payment", "payment_link")
    return account if isinstance(account, Decision) else _link(ctx, account)


def _link(ctx: TurnContext, account: Account) -> Decision:
    customer = ctx.customer
    if customer is None:
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
        ctx.say(
            "payment_link_sent",
            balance=account.balance,
            currency=account.currency,
            account=account.number,
        ),
        step="sent_payment_link",
        resolved=True,
    )


def reply(ctx: TurnContext) -> Decision:
    """The account asked for, then the payment check or link; after "we don't see your
    payment": yes hands over, no moves on."""
    if ctx.state.awaiting == accounts.AWAITING:
        picked = accounts.answer(ctx)
        if isinstance(picked, Decision):
            return picked
        return (
            _link(ctx, picked)
            if ctx.state.slots.get("purpose") == "payment_link"
            else _made(ctx, picked)
        )
    intent = ctx.understood.intent
    ctx.state.finish()
    if intent == "affirm":
        return Decision("", ESCALATE, reason="payment_not_found")
    return Decision(ctx.say("how_can_i_help"), step="declined_payment_review")


def claims(ctx: TurnContext) -> bool:
    """Return True when the turn answers the account question by naming a listed account."""
    return accounts.claims(ctx)

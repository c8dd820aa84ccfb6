"""Billing inquiry: balance, due date, last payment, last invoice and why it changed."""

from __future__ import annotations

from decimal import Decimal

from contactpro.dialog import identity, sms
from contactpro.dialog.accounts import REQUEST_DIGITS, open_accounts, remember_named, requested
from contactpro.dialog.context import Decision, TurnContext
from contactpro.dialog.replies import MONTHS_ES
from contactpro.models import Account, Invoice

MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()


def _month(invoice: Invoice, language: str) -> str:
    index = invoice.period_start.month - 1
    return MONTHS_ES[index] if language == "es" else MONTHS_EN[index]


def invoice_change(ctx: TurnContext, account: Account) -> str:
    """Explain the last invoice against the one before: what was added or grew."""
    invoices = sorted(account.invoices, key=lambda i: i.period_start)
    if len(invoices) < 2:
        return ""
    last, previous = invoices[-1], invoices[-2]
    difference = last.total - previous.total
    if difference == 0:
        return ""
    values = {
        "month": _month(last, ctx.language),
        "total": last.total,
        "currency": account.currency,
        "difference": abs(difference),
    }
    if difference < 0:
        return ctx.say("invoice_lower", **values)
    before: dict[str, Decimal] = {}
    for item in previous.items:
        before[item["description"]] = before.get(item["description"], Decimal(0)) + Decimal(
            item["amount"]
        )
    reasons = [
        item["description"]
        for item in last.items
        if Decimal(item["amount"]) > before.get(item["description"], Decimal(0))
    ]
    return ctx.say("invoice_change", reasons=", ".join(reasons) or "-", **values)


def _overdue_first(accounts: list[Account]) -> list[Account]:
    """Order accounts so the overdue ones come first, the oldest debt first."""
    return sorted(accounts, key=lambda a: (a.debt_amount <= 0, -a.days_past_due, -a.debt_amount))


def summary(ctx: TurnContext, accounts: list[Account]) -> Decision:
    """Tell every open account's balance, due date and overdue debt, one line each.

    Overdue accounts come first. When the SMS budget cannot carry every line (with the closing
    question the engine adds), as many lines as fit are told and the reply says which accounts
    were left out (by their last four digits) and how to ask for one of them.
    """
    ordered = _overdue_first(accounts)
    lines = [
        {
            "number": a.number,
            "balance": a.balance,
            "currency": a.currency,
            "due_date": a.due_date,
            "debt": a.debt_amount,
            "days": a.days_past_due,
        }
        for a in ordered
    ]

    def render(shown: int) -> str:
        more = [account.number[-4:] for account in ordered[shown:]]
        return ctx.say("balance_accounts", accounts=lines[:shown], total=len(lines), more=more)

    text = render(len(lines))
    if ctx.channel == "sms":
        closing = ctx.say("confirm_resolved")
        shown = len(lines)
        while shown > 1 and not sms.fits(f"{text} {closing}", ctx.settings.max_sms_segments):
            shown -= 1
            text = render(shown)
    return Decision(text, step="told_balance", resolved=True)


def start(ctx: TurnContext) -> Decision:
    """Tell the balance, due date, overdue debt, last payment and how the last bill changed.

    A customer with several open accounts hears every one of them, never just the first,
    unless the request names one.
    """
    if (question := identity.require(ctx, identity.VERIFIED, "billing_inquiry")) is not None:
        remember_named(ctx)
        return question
    listed = open_accounts(ctx.customer)
    # Resumed after verification, the request named the account, not the security answer.
    account = requested(ctx, REQUEST_DIGITS)
    ctx.state.finish()
    if account is None and len(listed) > 1:
        return summary(ctx, listed)
    if account is None:
        return Decision("", "escalate", reason="no_account")
    if account.balance <= 0 and account.debt_amount <= 0:
        parts = [ctx.say("balance_zero", account=account.number)]
    else:
        parts = [
            ctx.say(
                "balance",
                account=account.number,
                balance=account.balance,
                currency=account.currency,
                due_date=account.due_date,
                debt=account.debt_amount,
                days=account.days_past_due,
            )
        ]
    if account.payments:
        last = max(account.payments, key=lambda p: p.paid_at)
        parts.append(
            ctx.say(
                "last_payment",
                amount=last.amount,
                currency=account.currency,
                paid_on=last.paid_at.astimezone(ctx.zone).date(),
            )
        )
    if change := invoice_change(ctx, account):
        parts.append(change)
    return Decision(" ".join(parts), step="told_balance", resolved=True)

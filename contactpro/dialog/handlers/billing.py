"""Billing inquiry: balance, due date, last payment, last invoice and why it changed; a
disputed charge and a copy of an invoice.

A disputed charge (charged twice, a charge not recognised, a wrong amount) is never answered
with the balance: the customer is shown the invoices and payments the bot sees for the month
in question (those that look duplicated marked) and the dispute goes to a person with them.
A copy of an invoice is its details, in the thread (by SMS on a call).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from contactpro.dialog import identity, sms
from contactpro.dialog.accounts import (
    OTHER_ACCOUNT,
    REQUEST_DIGITS,
    digits_named,
    named,
    open_accounts,
    remember_named,
    requested,
)
from contactpro.dialog.confirmations import send_confirmation
from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.dialog.localtime import local_date
from contactpro.dialog.replies import MONTHS_ES
from contactpro.models import Account, Invoice, Payment
from contactpro.nlu.rules import month_named
from contactpro.nlu.text import normalise

# What the request asked beyond the balance, kept through the identity questions.
DISPUTE_SLOT, COPY_SLOT, MONTH_SLOT = "billing_dispute", "invoice_copy", "month"
CHANGE_SLOT = "bill_change"  # "¿por qué me llegó tan cara?": what changed, account by account
# The accounts a balance answer was about, kept while "did that answer your question?" waits, so
# a follow-up ("¿y la otra?", "and the other account?") is read against them.
TOLD_SLOT = "balance_told"
# "y la otra?", "and the other account?", "what about the other one": the account not told.
_OTHER = OTHER_ACCOUNT
_ACCOUNT_WORD = re.compile(r"\b(cuenta|linea|account|line)\b")
# Words of a follow-up that asks the same again, "y de la cuenta 0000111800?", "what about 1800".
_FOLLOW_UP_WORDS = 8
_ASKED_SLOTS = (DISPUTE_SLOT, COPY_SLOT, CHANGE_SLOT)
# After a bill that went up was explained, a charge the customer says they never made or used
# ("pero yo no hice llamadas de larga distancia", "I didn't make any long distance calls")
# disputes it: a person takes it with the charges, never a guide for a fault.
_NOT_MINE = re.compile(
    r"\b(no|nunca|jamas) (\w+ ){0,2}?(hice|he hecho|realice|use|he usado|pedi|contrate|"
    r"solicite|autorice|compre)\b|"
    r"\b(didn'?t|did not|never|haven'?t|have not) (\w+ )?(make|made|use|used|order|ordered|"
    r"ask for|asked for|authori[sz]e|authori[sz]ed|buy|bought|sign up for|signed up for)\b|"
    r"\b(not mine|no son mi[oa]s|no es mi[oa])\b"
)
# Without a month named, a dispute is about the charges of this many days back.
RECENT_DAYS = 35
# Two payments of the same amount this close together look like one charge taken twice.
DUPLICATE_DAYS = 7
# At most this many payments of one account are shown (the latest).
MAX_PAYMENTS = 4

MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()


def month_name(month: int, language: str) -> str:
    """Return the name of ``month`` (1 to 12) in ``language``."""
    return (MONTHS_ES if language == "es" else MONTHS_EN)[month - 1]


def _month(invoice: Invoice, language: str) -> str:
    return month_name(invoice.period_start.month, language)


def _grew(last: Invoice, previous: Invoice) -> list[str]:
    """Return the items of ``last`` that were not billed in ``previous`` or billed more."""
    before: dict[str, Decimal] = {}
    for item in previous.items:
        before[item["description"]] = before.get(item["description"], Decimal(0)) + Decimal(
            item["amount"]
        )
    return [
        item["description"]
        for item in last.items
        if Decimal(item["amount"]) > before.get(item["description"], Decimal(0))
    ]


def last_change(account: Account, language: str) -> dict[str, Any] | None:
    """Return how the account's last invoice compares with the one before (``change`` is
    ``up``, ``down`` or ``same``; ``reasons`` the items that grew), or None with fewer than
    two invoices."""
    invoices = sorted(account.invoices, key=lambda i: i.period_start)
    if len(invoices) < 2:
        return None
    last, previous = invoices[-1], invoices[-2]
    difference = last.total - previous.total
    change = "up" if difference > 0 else "down" if difference < 0 else "same"
    return {
        "month": _month(last, language),
        "total": last.total,
        "currency": account.currency,
        "difference": abs(difference),
        "change": change,
        "reasons": (", ".join(_grew(last, previous)) or "-") if change == "up" else "",
    }


def invoice_change(ctx: TurnContext, account: Account, *, same: bool = False) -> str:
    """Explain the last invoice against the one before: what was added or grew (with
    ``same``, also that it did not change)."""
    found = last_change(account, ctx.language)
    if found is None or (found["change"] == "same" and not same):
        return ""
    change, reasons = found.pop("change"), found.pop("reasons")
    if change == "up":
        return ctx.say("invoice_change", reasons=reasons, **found)
    return ctx.say("invoice_lower" if change == "down" else "invoice_same", **found)


def _overdue_first(accounts: list[Account]) -> list[Account]:
    """Order accounts so the overdue ones come first, the oldest debt first."""
    return sorted(accounts, key=lambda a: (a.debt_amount <= 0, -a.days_past_due, -a.debt_amount))


def _fitted(ctx: TurnContext, render: Callable[[int], str], count: int, opening: str = "") -> str:
    """Return ``opening`` and ``render`` of as many of ``count`` account lines as fit the SMS
    budget with the closing question the engine adds (every line on other channels)."""
    text = f"{opening} {render(count)}".strip()
    if ctx.channel == "sms":
        closing = ctx.say("confirm_resolved")
        shown = count
        while shown > 1 and not sms.fits(f"{text} {closing}", ctx.settings.max_sms_segments):
            shown -= 1
            text = f"{opening} {render(shown)}".strip()
    return text


def summary(ctx: TurnContext, accounts: list[Account], opening: str = "") -> Decision:
    """Tell every open account's balance, due date and overdue debt, one line each, after
    ``opening`` when given.

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

    return Decision(_fitted(ctx, render, len(lines), opening), step="told_balance", resolved=True)


def changes(ctx: TurnContext, accounts: list[Account]) -> Decision:
    """Answer "why is my bill so high?" for several accounts: each one's last bill against the
    one before (what grew) and the overdue debt its balance carries.

    The accounts whose bill went up come first (the largest rise first), then the overdue ones;
    when the SMS budget cannot carry every line, the accounts left out are named as in
    :func:`summary`.
    """
    found = {a.id: last_change(a, ctx.language) for a in accounts}

    def rise(account: Account) -> Decimal:
        change = found[account.id]
        return change["difference"] if change and change["change"] == "up" else Decimal(0)

    ordered = sorted(_overdue_first(accounts), key=lambda a: -rise(a))
    lines = [
        {
            "number": a.number,
            "balance": a.balance,
            "currency": a.currency,
            "debt": a.debt_amount,
            "days": a.days_past_due,
            "bill": found[a.id],
        }
        for a in ordered
    ]

    def render(shown: int) -> str:
        more = [account.number[-4:] for account in ordered[shown:]]
        return ctx.say("bill_changes_accounts", accounts=lines[:shown], total=len(lines), more=more)

    return Decision(_fitted(ctx, render, len(lines)), step="told_bill_changes", resolved=True)


def _asked(ctx: TurnContext) -> dict[str, Any]:
    """Return what the request asks beyond the balance: this turn's words, else (resumed
    after the identity questions) what the request said before them."""
    entities = ctx.understood.entities
    if ctx.state.flow == "identity" and ctx.understood.intent != "billing_inquiry":
        slots = ctx.state.slots
        return {k: slots[k] for k in (*_ASKED_SLOTS, MONTH_SLOT) if slots.get(k)}
    asked = {k: entities[k] for k in _ASKED_SLOTS if entities.get(k)}
    if asked and (month := month_named(ctx.text)) is not None:
        asked[MONTH_SLOT] = month
    return asked


def start(ctx: TurnContext) -> Decision:
    """Tell the balance, due date, overdue debt, last payment and how the last bill changed;
    take a disputed charge to a person; send a copy of an invoice.

    A customer with several open accounts hears every one of them, never just the first,
    unless the request names one.
    """
    asked = _asked(ctx)
    disputed = _disputed_rise(ctx)
    if (question := identity.require(ctx, identity.VERIFIED, "billing_inquiry")) is not None:
        remember_named(ctx)
        ctx.state.slots.update(asked)
        return question
    if disputed is not None and not asked.get(DISPUTE_SLOT):
        # "Yo no hice esas llamadas" after the rise was explained: the charges of that bill.
        ctx.state.finish()
        month = max(disputed.invoices, key=lambda i: i.period_start).period_start.month
        return dispute(ctx, [disputed], "unrecognised", month)
    listed = open_accounts(ctx.customer)
    asks_other = bool(_OTHER.search(normalise(ctx.text)))
    if asks_other and len(listed) == 1 and ctx.state.slots.get(TOLD_SLOT):
        # "¿y la otra cuenta?" from someone with one account: there is no other.
        ctx.state.finish()
        ctx.state.slots[TOLD_SLOT] = [listed[0].id]
        only = ctx.say("balance_only_one", account=listed[0].number)
        return Decision(only, step="told_only_account", resolved=True)
    # Resumed after verification, the request named the account, not the security answer.
    account = requested(ctx, REQUEST_DIGITS)
    if account is None and asks_other:
        account = _the_other(ctx, listed)
    ctx.state.finish()
    decision = _told(ctx, asked, account, listed)
    if decision.step == "told_balance":
        told = [account] if account is not None else listed
        ctx.state.slots[TOLD_SLOT] = [a.id for a in told]
    return decision


def _the_other(ctx: TurnContext, listed: list[Account]) -> Account | None:
    """Return the one open account a balance answer of this conversation did not tell."""
    told = ctx.state.slots.get(TOLD_SLOT, [])
    others = [a for a in listed if a.id not in told]
    return others[0] if told and len(others) == 1 else None


def _disputed_rise(ctx: TurnContext) -> Account | None:
    """Return the account whose bill rise this conversation just explained when the turn says
    the customer never made or used what was charged ("yo no hice esas llamadas"), else None."""
    told = ctx.state.slots.get(TOLD_SLOT) or []
    if len(told) != 1 or ctx.customer is None or not _NOT_MINE.search(normalise(ctx.text)):
        return None
    account = next((a for a in open_accounts(ctx.customer) if a.id == told[0]), None)
    change = last_change(account, ctx.language) if account is not None else None
    return account if change is not None and change["change"] == "up" else None


def follows_up(ctx: TurnContext) -> bool:
    """Return True when, after a balance answer, the turn asks the same about another account
    ("¿y de la cuenta 0000111800?", a bare account number, "¿y la otra?", "and the other
    one?") or says a charge of the bill explained is not theirs ("yo no hice esas llamadas")."""
    if not ctx.state.slots.get(TOLD_SLOT) or ctx.customer is None:
        return False
    if _disputed_rise(ctx) is not None:
        return True
    norm = normalise(ctx.text)
    if _OTHER.search(norm):
        return True
    if len(norm.split()) > _FOLLOW_UP_WORDS:
        return False
    if not (runs := digits_named(ctx.text, REQUEST_DIGITS, ctx.customer)):
        return False
    # The customer's own account, or digits given as an account (someone else's is refused).
    return bool(named(runs, open_accounts(ctx.customer))) or bool(_ACCOUNT_WORD.search(norm))


def balance_line(ctx: TurnContext, account: Account) -> str:
    """Say ``account``'s balance, due date and overdue debt."""
    return ctx.say(
        "balance",
        account=account.number,
        balance=account.balance,
        currency=account.currency,
        due_date=account.due_date,
        debt=account.debt_amount,
        days=account.days_past_due,
    )


def _told(
    ctx: TurnContext, asked: dict[str, Any], account: Account | None, listed: list[Account]
) -> Decision:
    """Answer the billing request on ``account`` (every one of ``listed`` when None)."""
    concerned = [account] if account is not None else listed
    if asked.get(DISPUTE_SLOT) and concerned:
        return dispute(ctx, concerned, str(asked[DISPUTE_SLOT]), asked.get(MONTH_SLOT))
    if asked.get(COPY_SLOT) and concerned:
        return invoice_copy(ctx, concerned, asked.get(MONTH_SLOT), asked[COPY_SLOT] == "email")
    if account is None and len(listed) > 1:
        return changes(ctx, listed) if asked.get(CHANGE_SLOT) else summary(ctx, listed)
    if account is None:
        return Decision("", "escalate", reason="no_account")
    if account.balance <= 0 and account.debt_amount <= 0:
        parts = [ctx.say("balance_zero", account=account.number)]
    else:
        parts = [balance_line(ctx, account)]
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
    if change := invoice_change(ctx, account, same=bool(asked.get(CHANGE_SLOT))):
        parts.append(change)
    return Decision(" ".join(parts), step="told_balance", resolved=True)


def _in_month(invoices: list[Invoice], month: int) -> list[Invoice]:
    """Return the latest year's invoices for ``month`` (the period they bill)."""
    found = [i for i in invoices if i.period_start.month == month]
    latest = max((i.period_start.year for i in found), default=None)
    return [i for i in found if i.period_start.year == latest]


def _duplicates(payments: list[Payment], invoices: list[Invoice]) -> set[str]:
    """Return the references of payments (and numbers of invoices) that look taken twice: one
    invoice paid twice, the same amount paid within ``DUPLICATE_DAYS``, one period billed
    twice."""
    twice: set[str] = set()
    for index, first in enumerate(payments):
        for second in payments[index + 1 :]:
            same_invoice = first.invoice_id is not None and first.invoice_id == second.invoice_id
            close = abs(first.paid_at - second.paid_at) <= timedelta(days=DUPLICATE_DAYS)
            if same_invoice or (first.amount == second.amount and close):
                twice |= {first.reference, second.reference}
    for index, bill in enumerate(invoices):
        for other in invoices[index + 1 :]:
            if bill.period_start == other.period_start:
                twice |= {bill.number, other.number}
    return twice


def _charges(ctx: TurnContext, account: Account, month: int | None) -> dict[str, Any]:
    """Return the invoices and payments of ``account`` a dispute is about, duplicates marked."""
    if month is not None and (invoices := _in_month(list(account.invoices), month)):
        ids = {i.id for i in invoices}
        # A month's bill is paid in its own month or in the cycle after it is issued.
        spans = [(date(i.period_start.year, month, 1), i.period_end) for i in invoices] + [
            (i.issued_on, i.issued_on + timedelta(days=RECENT_DAYS)) for i in invoices
        ]
        payments = [
            p
            for p in account.payments
            if p.invoice_id in ids
            or any(a <= local_date(p.paid_at, ctx.zone) <= b for a, b in spans)
        ]
    else:
        since = ctx.today - timedelta(days=RECENT_DAYS)
        payments = [p for p in account.payments if local_date(p.paid_at, ctx.zone) >= since]
        recent = [i for i in account.invoices if i.issued_on >= since]
        invoices = recent or sorted(account.invoices, key=lambda i: i.period_start)[-1:]
    payments = sorted(payments, key=lambda p: p.paid_at)[-MAX_PAYMENTS:]
    twice = _duplicates(payments, invoices)
    return {
        "number": account.number,
        "currency": account.currency,
        "invoices": [
            {
                "number": i.number,
                "month": _month(i, ctx.language),
                "total": i.total,
                "status": i.status,
                "twice": i.number in twice,
            }
            for i in invoices
        ],
        "payments": [
            {
                "reference": p.reference,
                "amount": p.amount,
                "on": local_date(p.paid_at, ctx.zone),
                "method": p.method,
                "twice": p.reference in twice,
            }
            for p in payments
        ],
    }


def _stored(charges: dict[str, Any]) -> dict[str, Any]:
    """Return the charges as JSON for the hand-over (amounts and days as text)."""
    return {
        "account": charges["number"],
        "currency": charges["currency"],
        "invoices": [
            {**i, "total": str(i["total"]), "month": i["month"]} for i in charges["invoices"]
        ],
        "payments": [
            {**p, "amount": str(p["amount"]), "on": p["on"].isoformat()}
            for p in charges["payments"]
        ],
    }


def dispute(ctx: TurnContext, concerned: list[Account], kind: str, month: int | None) -> Decision:
    """Show the charges the bot sees for the disputed month and hand the dispute to a person
    with them (never answered with the balance, never marked resolved)."""
    seen = [_charges(ctx, account, month) for account in concerned]
    ctx.state.handoff.update(
        {"dispute": kind, "month": month, "charges": [_stored(c) for c in seen]}
    )
    return Decision(
        ctx.say("dispute_charges", kind=kind, accounts=seen),
        ESCALATE,
        reason="billing_dispute",
        step="showed_disputed_charges",
    )


def _copy_of(account: Account, month: int | None) -> tuple[Invoice | None, bool]:
    """Return the invoice asked for (the month's, else the latest) and whether the month named
    had none."""
    if month is not None and (found := _in_month(list(account.invoices), month)):
        return found[-1], False
    latest = max(account.invoices, key=lambda i: i.period_start, default=None)
    return latest, month is not None


def _written(ctx: TurnContext) -> str:
    """Return the written channel a copy is read on (a call's copy goes by SMS)."""
    return "sms" if ctx.channel == "voice" else ctx.channel


def invoice_copy(
    ctx: TurnContext, concerned: list[Account], month: int | None, by_email: bool
) -> Decision:
    """Send a copy of the invoice asked for (its details): in the thread on a written channel,
    by SMS on a call. E-mail cannot be sent from here: the customer is told how to get it."""
    copies = []
    for account in concerned:
        invoice, missing = _copy_of(account, month)
        if invoice is None:
            continue
        copies.append(
            ctx.templates.render(
                "invoice_copy",
                ctx.language,
                channel=_written(ctx),
                account=account.number,
                number=invoice.number,
                start=invoice.period_start,
                end=invoice.period_end,
                issued=invoice.issued_on,
                due=invoice.due_date,
                items=invoice.items,
                total=invoice.total,
                status=invoice.status,
                currency=account.currency,
                missing=month_name(month, ctx.language) if missing and month else "",
            )
        )
    if not copies:
        ctx.state.handoff["invoice_month"] = month
        return Decision("", ESCALATE, reason="invoice_request")
    email = ctx.say("invoice_copy_no_email") if by_email else ""
    if ctx.channel != "voice":
        return Decision(
            f"{' '.join(copies)} {email}".strip(), step="sent_invoice_copy", resolved=True
        )
    customer = ctx.customer
    if customer is None or not send_confirmation(
        ctx, customer.phone, " ".join(copies), purpose="invoice_copy"
    ):
        return Decision("", ESCALATE, reason="invoice_request")
    return Decision(
        f"{ctx.say('invoice_copy_sent')} {email}".strip(), step="sent_invoice_copy", resolved=True
    )

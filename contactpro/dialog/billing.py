"""Billing inquiry: the balance and due date read from the caller's own account."""

from __future__ import annotations

from contactpro.dialog.replies import format_date, format_money, render
from contactpro.models import Account, Customer


def primary_account(customer: Customer) -> Account | None:
    """Return the account a billing question is about: the first one not cancelled."""
    active = [a for a in customer.accounts if a.status != "cancelled"]
    return active[0] if active else None


def balance_reply(account: Account, language: str) -> str:
    """Tell the balance and due date of ``account`` in ``language``."""
    if account.balance <= 0:
        return render("balance_zero", language, account=account.number)
    return render(
        "balance",
        language,
        account=account.number,
        balance=format_money(account.balance, account.currency, language),
        due_date=format_date(account.due_date, language) if account.due_date else "-",
    )

"""Masks for showing identifiers to people who do not need them in full."""

from __future__ import annotations

from typing import Any

VISIBLE_CHARS = 4


def mask_identifier(value: str | None, visible: int = VISIBLE_CHARS) -> str:
    """Hide all but the last ``visible`` letters or digits: ``1.020.345.678`` -> ``******5678``.

    Separators are dropped so the mask does not reveal the layout; a value of ``visible``
    characters or fewer is hidden entirely.
    """
    chars = [ch for ch in (value or "") if ch.isalnum()]
    if len(chars) <= visible:
        return "*" * len(chars)
    return "*" * (len(chars) - visible) + "".join(chars[-visible:])


def mask_customer_ids(context: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of an escalation context with account numbers and national ids masked.

    For console users whose role does not need the full identifiers (agents: the bot has
    already identified the customer); the stored context is not changed.
    """
    context = _mask_details(context)
    customer = context.get("customer")
    if not isinstance(customer, dict):
        return context
    masked = {**customer}
    if masked.get("national_id"):
        masked["national_id"] = mask_identifier(str(masked["national_id"]))
    masked["accounts"] = [
        {**account, "number": mask_identifier(str(account.get("number") or ""))}
        for account in customer.get("accounts") or []
    ]
    return {**context, "customer": masked}


def _mask_details(context: dict[str, Any]) -> dict[str, Any]:
    """Return ``context`` with the account numbers in the bot's hand-over details masked (the
    account a payment claim, a disputed charge or a withdrawn cancellation is about)."""
    details = context.get("details")
    if not isinstance(details, dict):
        return context
    shown = {**details}
    claim = details.get("payment_claim")
    if isinstance(claim, dict) and claim.get("account"):
        shown["payment_claim"] = {**claim, "account": mask_identifier(str(claim["account"]))}
    withdrawal = details.get("withdrawal")
    if isinstance(withdrawal, dict) and withdrawal.get("account"):
        shown["withdrawal"] = {**withdrawal, "account": mask_identifier(str(withdrawal["account"]))}
    leaving = details.get("cancellation")
    if isinstance(leaving, dict) and leaving.get("account"):
        shown["cancellation"] = {**leaving, "account": mask_identifier(str(leaving["account"]))}
    if isinstance(details.get("charges"), list):
        shown["charges"] = [
            {**c, "account": mask_identifier(str(c.get("account") or ""))}
            if isinstance(c, dict)
            else c
            for c in details["charges"]
        ]
    return {**context, "details": shown}

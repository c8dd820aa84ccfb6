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

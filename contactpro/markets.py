"""The market a customer is served in: the country whose prices, coverage and currency apply.

A market is named by its ISO 3166 country code in lower case (``co``, ``mx``, ``us``), as the
knowledge base's market folders are. An account's currency says its market; a number's
country calling code says it for someone without an account.
"""

from __future__ import annotations

from contactpro.models import Account
from contactpro.phone import to_e164

CURRENCY_MARKETS = {"COP": "co", "MXN": "mx", "USD": "us"}
CALLING_CODE_MARKETS = {"57": "co", "52": "mx", "1": "us"}


def market_of_number(number: str | None) -> str | None:
    """Return the market of a phone number's country calling code, None when not served."""
    e164 = to_e164(number)
    if e164 is None:
        return None
    for code, market in sorted(CALLING_CODE_MARKETS.items(), key=lambda item: -len(item[0])):
        if e164[1:].startswith(code):
            return market
    return None


def market_of(account: Account | None, number: str | None) -> str | None:
    """Return the market of ``account`` (its currency), else of ``number``; None when unknown."""
    if account is not None and account.currency in CURRENCY_MARKETS:
        return CURRENCY_MARKETS[account.currency]
    return market_of_number(number)

"""Dates a customer says: "el 15 de enero", "January 15", "nov 4", "7/11", "en marzo", "ayer",
"mañana", "el próximo viernes", "a fin de mes", "el 15".

The dialog reads dates with the reader the rules' ``date`` entity uses
(:mod:`contactpro.nlu.dates`), so what the rules store is what the dialog acts on. A day and
month carry no year: a payment still to make is in the coming months, except a date just past
("el 30 de noviembre" said on 5 December), which is the past and is answered as such; a
payment already made is the latest such day on or before today. Every relative date counts
from the customer's own today (``TurnContext.today``).
"""

from __future__ import annotations

from contactpro.markets import CURRENCY_MARKETS
from contactpro.models import Account
from contactpro.nlu.dates import MONTHS, RECENT_PAST_DAYS, day_alone, said_date

__all__ = ["MONTHS", "RECENT_PAST_DAYS", "day_alone", "month_first", "said_date"]


def month_first(account: Account | None) -> bool | None:
    """Return whether ``account``'s market writes the month first ("11/7" is 7 November in the
    United States, "7/11" elsewhere); None when the market is unknown."""
    if account is None or account.currency not in CURRENCY_MARKETS:
        return None
    return CURRENCY_MARKETS[account.currency] == "us"

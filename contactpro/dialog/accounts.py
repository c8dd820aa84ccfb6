"""Which of the customer's accounts a request is about.

A customer with several accounts names one by its full number (or contract number), by its last
digits ("la que termina en 7654"), or, answering a list, by its position ("la 2", "the second
one", "la última") or a word of its plan ("la móvil"). A consequential request (a cancellation,
a payment check, a payment link) acts on the account named; when a customer with several
accounts names none, :func:`ask` lists them and :func:`answer` reads the choice, instead of
guessing the first one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from contactpro.dialog import identity
from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.models import Account, Customer
from contactpro.nlu.numbers import words_to_digits
from contactpro.nlu.text import normalise

AWAITING = "account_choice"
NAMED_SLOT = identity.NAMED_SLOT
# Fewer digits than this are a position in a list ("la 2"), never the end of an account number.
MIN_DIGITS = 3
_ORDINALS = (
    r"primer[oa]?|first|1st",
    r"segund[oa]|second|2nd",
    r"tercer[oa]?|third|3rd",
    r"cuart[oa]|fourth|4th",
    r"quint[oa]|fifth|5th",
    r"sext[oa]|sixth|6th",
    r"s[eé]?ptim[oa]|seventh|7th",
    r"octav[oa]|eighth|8th",
    r"noven[oa]|ninth|9th",
    r"decim[oa]|tenth|10th",
)
_LAST = re.compile(r"\b(ultim[oa]|last)\b")
# "the second one": "one" is a pronoun there, not a position.
_PRONOUN_ONE = re.compile(r"\b(the|that|this|[a-z]+(?:st|nd|rd|th)|last|other) one\b")
_PLAN_WORDS_IGNORED = frozenset({"plan", "mb", "gb", "de", "del", "con", "linea", "cuenta"})


def open_accounts(customer: Customer | None) -> list[Account]:
    """Return the customer's accounts that are not cancelled, in their stored order."""
    return [a for a in (customer.accounts if customer else []) if a.status != "cancelled"]


def digits_named(text: str) -> list[str]:
    """Return the digit runs of ``text`` long enough to be (the end of) an account number."""
    return [d for d in identity.digits_in(text) if len(d) >= MIN_DIGITS]


def _names(account: Account, digits: Sequence[str]) -> bool:
    numbers = [n for n in (account.number, account.contract_number) if n]
    return any(n.endswith(d) for n in numbers for d in digits)


def named(digits: Sequence[str], accounts: Sequence[Account]) -> list[Account]:
    """Return the accounts whose number or contract number ends with one of ``digits``."""
    return [a for a in accounts if _names(a, digits)]


def _position(text: str, count: int) -> int | None:
    """Return the 0-based position a reply to a list names ("la 2", "the second one")."""
    norm = _PRONOUN_ONE.sub(r"\1", normalise(text))
    positions = {i for i, pattern in enumerate(_ORDINALS) if re.search(rf"\b({pattern})\b", norm)}
    positions |= {int(n) - 1 for n in re.findall(r"\b\d{1,2}\b", words_to_digits(norm))}
    if _LAST.search(norm):
        positions.add(count - 1)
    if len(positions) == 1 and 0 <= (only := positions.pop()) < count:
        return only
    return None


def _plan_words(account: Account) -> set[str]:
    words = set(normalise(account.plan or "").split()) - _PLAN_WORDS_IGNORED
    return {w for w in words if len(w) > 2 and not w.isdigit()}


def _by_plan(text: str, accounts: Sequence[Account]) -> Account | None:
    """Return the one account a word of whose plan the reply says ("la móvil", "the home one")."""
    words = set(normalise(text).split())
    hits = [a for a in accounts if words & _plan_words(a)]
    return hits[0] if len(hits) == 1 else None


def picked(text: str, accounts: Sequence[Account]) -> Account | None:
    """Return the account a reply to the list picks: by number or last digits, position or plan."""
    hits = named(digits_named(text), accounts)
    if hits:
        return hits[0] if len(hits) == 1 else None
    if (position := _position(text, len(accounts))) is not None:
        return accounts[position]
    return _by_plan(text, accounts)


def remember_named(ctx: TurnContext) -> None:
    """Keep the digits the request named while identity questions are asked (call after
    ``identity.require`` returned a question: it starts the identity flow afresh)."""
    if digits := digits_named(ctx.text):
        ctx.state.slots[NAMED_SLOT] = digits


def requested(ctx: TurnContext) -> Account | None:
    """Return the account the request is about: the one it named, else the customer's only one.

    Resumed after identity questions, the request is the one said before them: the answer to
    the security question ("4050") names no account.
    """
    accounts = open_accounts(ctx.customer)
    resumed = ctx.state.flow == "identity"
    digits = ctx.state.slots.get(NAMED_SLOT, []) if resumed else digits_named(ctx.text)
    hits = named(digits, accounts) if digits else []
    if len(hits) == 1:
        return hits[0]
    return accounts[0] if len(accounts) == 1 else None


def ask(ctx: TurnContext, flow: str, purpose: str, **slots: object) -> Decision:
    """List the customer's open accounts and ask which one ``purpose`` is for."""
    accounts = open_accounts(ctx.customer)
    ctx.state.start(flow, AWAITING, accounts=[a.id for a in accounts], purpose=purpose, **slots)
    listed = [{"number": a.number, "plan": a.plan} for a in accounts]
    return Decision(
        ctx.say("which_account", accounts=listed, purpose=purpose), step="asked_which_account"
    )


def answer(ctx: TurnContext) -> Account | Decision:
    """Read the answer to :func:`ask`: the account picked, or the question once more, then a
    person (``not_understood``)."""
    ids: list[int] = ctx.state.slots.get("accounts", [])
    accounts = sorted(
        (a for a in open_accounts(ctx.customer) if a.id in ids), key=lambda a: ids.index(a.id)
    )
    if (account := picked(ctx.text, accounts)) is not None:
        return account
    if ctx.state.slots.get("retries", 0) >= 1:
        ctx.state.finish()
        return Decision("", ESCALATE, reason="not_understood")
    ctx.state.slots["retries"] = ctx.state.slots.get("retries", 0) + 1
    listed = [{"number": a.number, "plan": a.plan} for a in accounts]
    return Decision(
        ctx.say("which_account_again", accounts=listed, purpose=ctx.state.slots.get("purpose")),
        step="asked_which_account_again",
    )


def claims(ctx: TurnContext) -> bool:
    """Return True when the turn answers the account question by naming a listed account."""
    if ctx.state.awaiting != AWAITING:
        return False
    ids: list[int] = ctx.state.slots.get("accounts", [])
    accounts = [a for a in open_accounts(ctx.customer) if a.id in ids]
    accounts.sort(key=lambda a: ids.index(a.id))
    return picked(ctx.text, accounts) is not None

"""Debt negotiation as collection teams run it: tell the debt, offer, agree, confirm by SMS.

Two cash settlements with a discount and the shortest instalment plan go on the table first;
a refusal gets one counter-offer (the longest plan the policy allows), then a person.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from contactpro.dialog import identity
from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.dialog.offers import DebtPolicy, Offer, counter_offer, opening_offers
from contactpro.models import Account, PaymentAgreement
from contactpro.nlu.text import normalise
from contactpro.providers.telephony import TelephonyError

_ORDINALS = (
    ("1", r"\b(1|uno|una|primera?o?|first|one)\b"),
    ("2", r"\b(2|dos|segunda?o?|second|two)\b"),
    ("3", r"\b(3|tres|tercera?o?|third|three)\b"),
)
_INSTALMENTS = re.compile(r"\b(cuotas?|plazos?|instal+ments?|monthly payments?|payment plan)\b")
_LUMP_SUM = re.compile(r"\b(contado|unico|una sola|de una|lump|single|one payment|all at once)\b")
_REFUSAL = re.compile(
    r"\b(no puedo|ninguna|ninguno|none|can'?t|cannot|no me sirve|muy caro|"
    r"too (much|expensive)|no tengo)\b"
)


def _as_slot(offer: Offer) -> dict[str, Any]:
    return {
        "code": offer.code,
        "kind": offer.kind,
        "debt": str(offer.debt),
        "total": str(offer.total),
        "discount": str(offer.discount_pct),
        "amounts": [str(a) for a in offer.amounts],
        "first_due": offer.first_due.isoformat(),
    }


def _from_slot(data: dict[str, Any]) -> Offer:
    return Offer(
        data["code"],
        data["kind"],
        Decimal(data["debt"]),
        Decimal(data["total"]),
        Decimal(data["discount"]),
        tuple(Decimal(a) for a in data["amounts"]),
        date.fromisoformat(data["first_due"]),
    )


def describe(ctx: TurnContext, offer: Offer, currency: str) -> str:
    """Say one offer in the conversation's language."""
    if offer.kind == "settlement":
        discount = f"{offer.discount_pct.normalize():f}"
        return ctx.say(
            "offer_settlement",
            total=offer.total,
            currency=currency,
            due=offer.first_due,
            discount=discount,
        )
    return ctx.say(
        "offer_instalments",
        n=offer.instalments,
        amount=offer.amounts[0],
        currency=currency,
        due=offer.first_due,
    )


def chosen(text: str, offers: list[Offer]) -> Offer | None:
    """Return the offer the customer picked, by number, ordinal or kind."""
    norm = normalise(text)
    picks = [code for code, pattern in _ORDINALS if re.search(pattern, norm)]
    if len(picks) == 1 and int(picks[0]) <= len(offers):
        return offers[int(picks[0]) - 1]
    if _INSTALMENTS.search(norm):
        plans = [o for o in offers if o.kind == "instalments"]
        return plans[0] if len(plans) == 1 else None
    if _LUMP_SUM.search(norm):
        return offers[0]
    return None


def start(ctx: TurnContext) -> Decision:
    """Tell the debt and put the opening offers on the table."""
    if (question := identity.require(ctx, identity.VERIFIED, "debt_negotiation")) is not None:
        return question
    account = ctx.account
    if account is None:
        return Decision("", ESCALATE, reason="no_account")
    if account.debt_amount <= 0:
        ctx.state.finish()
        return Decision(
            ctx.say("debt_none", balance=account.balance, currency=account.currency),
            step="told_no_debt",
            resolved=True,
        )
    policy = DebtPolicy.from_settings(ctx.settings)
    offers = opening_offers(
        account.debt_amount, account.days_past_due, account.currency, policy, ctx.today
    )
    ctx.state.start("debt", "offer_choice", offers=[_as_slot(o) for o in offers], retries=0)
    text = ctx.say(
        "debt_offers",
        debt=account.debt_amount,
        currency=account.currency,
        days=account.days_past_due,
        offers=[describe(ctx, o, account.currency) for o in offers],
    )
    return Decision(text, step="offered_plans")


def _accept(ctx: TurnContext, account: Account, offer: Offer) -> Decision:
    agreement = PaymentAgreement(
        account_id=account.id,
        interaction_id=ctx.interaction.id,
        kind=offer.kind,
        debt_amount=offer.debt,
        total=offer.total,
        discount_pct=offer.discount_pct,
        instalments=offer.instalments,
        instalment_amount=offer.amounts[0],
        first_due=offer.first_due,
        status="active",
    )
    ctx.session.add(agreement)
    account.offer_code = offer.code
    ctx.state.finish()
    ctx.state.outcome_detail = "agreement"
    ctx.state.offer_accepted = True
    summary = describe(ctx, offer, account.currency)
    customer = ctx.customer
    if customer is not None:
        body = ctx.say(
            "debt_confirmation_sms",
            account=account.number,
            offer=summary,
            total=offer.total,
            currency=account.currency,
        )
        try:
            ctx.telephony.send_sms(customer.phone, body)
        except TelephonyError:
            ctx.state.steps.append("confirmation_sms_failed")
    return Decision(
        ctx.say("debt_accepted", offer=summary), step=f"accepted_{offer.code}", resolved=True
    )


def _counter(ctx: TurnContext, account: Account, offers: list[Offer]) -> Decision:
    policy = DebtPolicy.from_settings(ctx.settings)
    offer = counter_offer(
        account.debt_amount,
        account.days_past_due,
        account.currency,
        policy,
        ctx.today,
        [o.code for o in offers],
    )
    if offer is None:
        ctx.state.finish()
        return Decision("", ESCALATE, reason="offer_refused")
    ctx.state.awaiting = "counter"
    ctx.state.slots["counter"] = _as_slot(offer)
    return Decision(
        ctx.say("debt_counter", offer=describe(ctx, offer, account.currency)),
        step="counter_offered",
    )


def reply(ctx: TurnContext) -> Decision:
    """Handle the customer's answer to the offers or to the counter-offer."""
    account = ctx.account
    if account is None:
        return Decision("", ESCALATE, reason="no_account")
    intent = ctx.understood.intent
    norm = normalise(ctx.text)
    offers = [_from_slot(o) for o in ctx.state.slots.get("offers", [])]
    if ctx.state.awaiting == "counter":
        counter = _from_slot(ctx.state.slots["counter"])
        if intent == "affirm" or chosen(ctx.text, [counter]) is not None:
            return _accept(ctx, account, counter)
        ctx.state.finish()
        return Decision("", ESCALATE, reason="offer_refused")
    if intent == "deny" or _REFUSAL.search(norm):
        return _counter(ctx, account, offers)
    if (offer := chosen(ctx.text, offers)) is not None:
        return _accept(ctx, account, offer)
    if ctx.state.slots.get("retries", 0) >= 1:
        ctx.state.finish()
        return Decision("", ESCALATE, reason="not_understood")
    ctx.state.slots["retries"] = ctx.state.slots.get("retries", 0) + 1
    return Decision(ctx.say("debt_pick_again"), step="asked_offer_again")

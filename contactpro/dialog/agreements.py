"""The payment agreement in force on an account, and what it says is due now.

An account holds at most one active agreement: a new one replaces it (status ``replaced``), and
a payment link after an agreement is for what the agreement asks now (the settlement, or the
first instalment), not for the whole balance.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from contactpro.dialog.context import TurnContext
from contactpro.models import Account, PaymentAgreement

ACTIVE, REPLACED = "active", "replaced"


def in_force(ctx: TurnContext, account: Account) -> list[PaymentAgreement]:
    """Return the account's active agreements, latest first (one, unless data from before
    replacements were kept holds more)."""
    return list(
        ctx.session.scalars(
            select(PaymentAgreement)
            .where(PaymentAgreement.account_id == account.id, PaymentAgreement.status == ACTIVE)
            .order_by(PaymentAgreement.created_at.desc(), PaymentAgreement.id.desc())
        )
    )


def active(ctx: TurnContext, account: Account) -> PaymentAgreement | None:
    """Return the agreement in force on the account, if any."""
    return next(iter(in_force(ctx, account)), None)


def due_now(agreement: PaymentAgreement) -> Decimal:
    """Return what the agreement asks for first: the whole settlement, or the first instalment."""
    return agreement.total if agreement.kind == "settlement" else agreement.instalment_amount


def describe(ctx: TurnContext, agreement: PaymentAgreement, currency: str) -> str:
    """Say a booked agreement the way its offer was said."""
    first = agreement.instalment_amount
    last = agreement.total - first * (agreement.instalments - 1)
    return say_terms(
        ctx,
        agreement.kind,
        agreement.total,
        agreement.discount_pct,
        agreement.first_due,
        (agreement.instalments, first, last),
        currency,
    )


def say_terms(
    ctx: TurnContext,
    kind: str,
    total: Decimal,
    discount_pct: Decimal,
    first_due: date,
    plan: tuple[int, Decimal, Decimal],
    currency: str,
) -> str:
    """Say a single payment or a plan (instalments, first amount, last amount): the words of an
    offer and of the agreement booked from it are the same."""
    if kind == "settlement":
        return ctx.say(
            "offer_settlement",
            total=total,
            currency=currency,
            due=first_due,
            discount=percent(discount_pct, ctx.language),
        )
    count, first, last = plan
    return ctx.say(
        "offer_instalments", n=count, amount=first, last=last, currency=currency, due=first_due
    )


def percent(value: Decimal, language: str) -> str:
    """Write a percentage the way the language does: ``2,5`` in Spanish, ``2.5`` in English."""
    text = f"{value.normalize():f}"
    return text.replace(".", ",") if language == "es" else text

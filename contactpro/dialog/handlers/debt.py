"""Debt negotiation as collection teams run it: tell the debt, offer, restate, agree, confirm.

Two cash settlements and the shortest instalment plan go on the table first. A refusal shows
the options not yet shown (the longer plans), then a person. A request for a number of payments
("6 cuotas", "dos pagos", "could you do 6 monthly payments") or a month ("pagar en marzo") is
answered with that plan when the policy allows it, or the nearest allowed one and the reason.
Nothing is booked until the customer says yes to one offer restated with its amount, number of
payments and first due date; a refusal, a question or a counter-request never books.

A customer with several overdue accounts is asked which one the agreement is for. The managers'
maximum discount (configuration page) caps every offer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from contactpro.console.settings import current_config
from contactpro.dialog import identity
from contactpro.dialog.confirmations import send_confirmation
from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.dialog.offers import (
    DebtPolicy,
    Offer,
    instalment_plans,
    opening_offers,
    requested_plan,
    settlement_offers,
)
from contactpro.dialog.options import named_option
from contactpro.models import Account, PaymentAgreement
from contactpro.nlu.numbers import words_to_digits
from contactpro.nlu.text import normalise

_ORDINALS = (
    ("1", r"\b(1|uno|primera?o?|first|one)\b"),
    ("2", r"\b(2|dos|segunda?o?|second|two)\b"),
    ("3", r"\b(3|tres|tercera?o?|third|three)\b"),
)
_PAYMENTS = (
    r"(cuotas?|pagos?|meses|mensualidades|plazos?|contados?|partes|payments?|instal+ments?|"
    r"months?|monthly payments?|installments?)"
)
# "6 cuotas", "dos pagos", "6 monthly payments", "12 cuotas mensuales": a number of payments.
_COUNT = re.compile(rf"\b(\d{{1,2}})\s+(?:\w+\s+)?{_PAYMENTS}\b")
_INSTALMENTS = re.compile(r"\b(cuotas?|plazos?|instal+ments?|monthly payments?|payment plan)\b")
_LUMP_SUM = re.compile(r"\b(contado|unico|una sola|de una|lump|single|one payment|all at once)\b")
_REFUSAL = re.compile(
    r"\b(no puedo|ninguna|ninguno|none|neither|can'?t|cannot|no me sirve|muy caro|"
    r"too (much|expensive)|no tengo|doesn'?t work|don'?t work|no acepto|no quiero|no gracias|"
    r"no thanks|i don'?t want|no deal|not agreed)\b"
)
_OPTIONS = re.compile(
    r"\b((que|cuales|otras) (opciones|alternativas)|opciones (hay|tengo)|what (are )?(my |the )?"
    r"options|which options|options do i have|other options|what can you offer|"
    r"que me (ofrece|ofreces|puede ofrecer))\b"
)
_ACCEPT = re.compile(
    r"\b(acepto|aceptamos|de acuerdo|dale|listo|confirmo|registralo|hagamoslo|"
    r"i accept|agreed|deal|go ahead|sounds good|confirm)\b"
)
_MORE_DISCOUNT = re.compile(
    r"\b((mas|mayor|mejor|otro) descuento|descuento (mayor|mas grande|mejor)|"
    r"(more|bigger|better|higher|larger) discount|discount (of )?\d+)\b"
)
_HESITATION = re.compile(
    r"\b(pensarlo|pensar|lo pienso|lo voy a pensar|despues|luego|mas tarde|no se|"
    r"no estoy segur[oa]|tal vez|quizas|think about|think it over|later|not sure|maybe|perhaps)\b"
)
# A "yes" booking an agreement must be clear: a rule, the LLM, or a confident model.
AFFIRM_MIN_CONFIDENCE = 0.5
_QUESTION = re.compile(r"\?|^(que|cual|cuales|como|cuanto|what|which|how|can|could)\b")
_MONTHS = {
    **{
        m: i + 1
        for i, m in enumerate(
            "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
            "diciembre".split()
        )
    },
    **{
        m: i + 1
        for i, m in enumerate(
            "january february march april may june july august september october november "
            "december".split()
        )
    },
}
# "may" is left out: "may I pay in 6 payments" is no month.
_MONTH = re.compile(
    r"\b(pagar?|pago|pay|paying|hasta|until|for|en|in)\b.*\b("
    + "|".join(m for m in _MONTHS if m != "may")
    + r")\b"
)
SPOKEN = {
    "es": ("uno", "dos", "tres", "cuatro", "cinco"),
    "en": ("one", "two", "three", "four", "five"),
}


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


def policy_for(ctx: TurnContext) -> DebtPolicy:
    """Return the debt policy: the environment's tiers within the managers' maximum discount."""
    cap = current_config(ctx.session, ctx.settings)["offer_max_discount_percent"]
    return DebtPolicy.from_settings(ctx.settings, discount_cap=cap)


def percent(value: Decimal, language: str) -> str:
    """Write a percentage the way the language does: ``2,5`` in Spanish, ``2.5`` in English."""
    text = f"{value.normalize():f}"
    return text.replace(".", ",") if language == "es" else text


def describe(ctx: TurnContext, offer: Offer, currency: str) -> str:
    """Say one offer in the conversation's language."""
    if offer.kind == "settlement":
        return ctx.say(
            "offer_settlement",
            total=offer.total,
            currency=currency,
            due=offer.first_due,
            discount=percent(offer.discount_pct, ctx.language),
        )
    return ctx.say(
        "offer_instalments",
        n=offer.instalments,
        amount=offer.amounts[0],
        currency=currency,
        due=offer.first_due,
    )


def _ordinal_picks(norm: str) -> list[int]:
    """Return the option numbers named ("la 2", "the second one": "one" is a pronoun there)."""
    norm = re.sub(r"\b(first|second|third|the|that|this) one\b", r"\1", norm)
    return [int(code) for code, pattern in _ORDINALS if re.search(pattern, norm)]


def chosen(text: str, offers: list[Offer], described: Sequence[str] = ()) -> Offer | None:
    """Return the offer the customer picked from the list, by number, ordinal or kind, or by
    the words of its ``described`` text ("la del 15 % de descuento", "the 416,250 one")."""
    norm = normalise(text)
    if _COUNT.search(words_to_digits(norm)):
        return None  # "dos pagos" asks for two payments; it does not pick option two
    picks = _ordinal_picks(norm)
    if len(picks) == 1 and picks[0] <= len(offers):
        return offers[picks[0] - 1]
    if _INSTALMENTS.search(norm):
        plans = [o for o in offers if o.kind == "instalments"]
        return plans[0] if len(plans) == 1 else None
    if (named := named_option(text, described)) is not None and named < len(offers):
        return offers[named]
    if _LUMP_SUM.search(norm):
        settlements = [o for o in offers if o.kind == "settlement"]
        return settlements[0] if settlements else None
    return None


def requested_count(text: str) -> int | None:
    """Return the number of payments the customer asks for ("6 cuotas", "dos pagos"), if any."""
    match = _COUNT.search(words_to_digits(normalise(text)))
    if match is None:
        return None
    count = int(match.group(1))
    return count if 0 < count <= 60 else None


def requested_month(text: str, today: date) -> date | None:
    """Return the first day of the month the customer asks to pay in ("pagar en marzo")."""
    match = _MONTH.search(normalise(text))
    if match is None:
        return None
    month = _MONTHS[match.group(2)]
    year = today.year + (1 if month < today.month else 0)
    return date(year, month, 1)


def _overdue(ctx: TurnContext) -> list[Account]:
    customer = ctx.customer
    if customer is None:
        return []
    owing = [a for a in customer.accounts if a.status != "cancelled" and a.debt_amount > 0]
    return sorted(owing, key=lambda a: (-a.days_past_due, a.id))


def _all_offers(ctx: TurnContext, account: Account) -> list[Offer]:
    policy = policy_for(ctx)
    return settlement_offers(
        account.debt_amount, account.days_past_due, account.currency, policy, ctx.today
    ) + instalment_plans(account.debt_amount, account.currency, policy, ctx.today)


def _described(ctx: TurnContext, offers: list[Offer], account: Account) -> list[str]:
    return [describe(ctx, o, account.currency) for o in offers]


def _list_options(ctx: TurnContext, offers: list[Offer], currency: str) -> list[str]:
    ctx.state.slots["offers"] = [_as_slot(o) for o in offers]
    shown = ctx.state.slots.setdefault("shown", [])
    shown.extend(o.code for o in offers if o.code not in shown)
    ctx.state.slots.pop("proposed", None)
    ctx.state.awaiting = "offer_choice"
    return [describe(ctx, o, currency) for o in offers]


def _present(ctx: TurnContext, account: Account, several: bool) -> Decision:
    """Put the opening offers for ``account`` on the table."""
    ctx.state.account_id = account.id
    ctx.state.start("debt", "offer_choice", retries=0, shown=[])
    offers = opening_offers(
        account.debt_amount, account.days_past_due, account.currency, policy_for(ctx), ctx.today
    )
    described = _list_options(ctx, offers, account.currency)
    text = ctx.say(
        "debt_account_offers" if several else "debt_offers",
        account=account.number,
        debt=account.debt_amount,
        currency=account.currency,
        days=account.days_past_due,
        offers=described,
    )
    return Decision(text, step="offered_plans")


def start(ctx: TurnContext) -> Decision:
    """Tell the debt of every overdue account and put the opening offers on the table.

    A number of payments asked for in the opening request ("quiero pagarla en 6 cuotas") is
    kept through verification and answered as soon as the account is known.
    """
    asked = requested_count(ctx.text) or ctx.state.slots.get("asked_count")
    if (question := identity.require(ctx, identity.VERIFIED, "debt_negotiation")) is not None:
        if asked:
            ctx.state.slots["asked_count"] = asked
        return question
    customer = ctx.customer
    if customer is None or not [a for a in customer.accounts if a.status != "cancelled"]:
        return Decision("", ESCALATE, reason="no_account")
    overdue = _overdue(ctx)
    if not overdue:
        account = ctx.account
        ctx.state.finish()
        return Decision(
            ctx.say(
                "debt_none",
                balance=account.balance if account else 0,
                currency=account.currency if account else "COP",
            ),
            step="told_no_debt",
            resolved=True,
        )
    several = len([a for a in customer.accounts if a.status != "cancelled"]) > 1
    if len(overdue) == 1:
        presented = _present(ctx, overdue[0], several)
        if asked:
            return _counter_request(ctx, overdue[0], int(asked))
        return presented
    ctx.state.start("debt", "debt_account", accounts=[a.id for a in overdue], retries=0)
    accounts = [
        {
            "number": a.number,
            "debt": a.debt_amount,
            "currency": a.currency,
            "days": a.days_past_due,
        }
        for a in overdue
    ]
    return Decision(ctx.say("debt_accounts", accounts=accounts), step="asked_debt_account")


def _pick_account(ctx: TurnContext) -> Decision:
    ids: list[int] = ctx.state.slots.get("accounts", [])
    customer = ctx.customer
    accounts = [a for a in (customer.accounts if customer else []) if a.id in ids]
    accounts.sort(key=lambda a: ids.index(a.id))
    digits = identity.digits_in(ctx.text)
    picked = [a for a in accounts if any(len(d) >= 3 and a.number.endswith(d) for d in digits)]
    if not picked:
        picks = _ordinal_picks(normalise(ctx.text))
        if len(picks) == 1 and picks[0] <= len(accounts):
            picked = [accounts[picks[0] - 1]]
    if len(picked) == 1:
        return _present(ctx, picked[0], True)
    return _again(ctx, ctx.say("debt_which_account"))


def _again(ctx: TurnContext, text: str) -> Decision:
    """Ask once more; a second turn not understood goes to a person."""
    if ctx.state.slots.get("retries", 0) >= 1:
        ctx.state.finish()
        return Decision("", ESCALATE, reason="not_understood")
    ctx.state.slots["retries"] = ctx.state.slots.get("retries", 0) + 1
    return Decision(text, step="asked_offer_again")


def _restate(ctx: TurnContext, account: Account, offer: Offer, prefix: str = "") -> Decision:
    """Say the one offer back with its amount, payments and first due date, and ask for a yes."""
    ctx.state.slots["proposed"] = _as_slot(offer)
    ctx.state.awaiting = "offer_confirm"
    text = ctx.say(
        "debt_restate",
        offer=describe(ctx, offer, account.currency),
        total=offer.total,
        n=offer.instalments,
        currency=account.currency,
        account=account.number,
    )
    return Decision(f"{prefix} {text}".strip(), step="restated_offer")


def _book(ctx: TurnContext, account: Account, offer: Offer) -> Decision:
    """Record the agreement the customer accepted and text the confirmation."""
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
    sent = False
    if customer is not None and customer.phone:
        body = ctx.say(
            "debt_confirmation_sms",
            account=account.number,
            offer=summary,
            total=offer.total,
            currency=account.currency,
        )
        sent = send_confirmation(
            ctx,
            customer.phone,
            body,
            purpose="agreement_confirmation",
            variables={"1": account.number, "2": summary},
        )
    text = ctx.say(
        "debt_booked",
        offer=summary,
        total=offer.total,
        currency=account.currency,
        account=account.number,
        sent=sent,
    )
    return Decision(text, step=f"accepted_{offer.code}", resolved=True)


def _other_options(ctx: TurnContext, account: Account) -> Decision:
    """After a refusal: the offers not yet shown, else a person."""
    shown = ctx.state.slots.get("shown", [])
    fresh = [o for o in _all_offers(ctx, account) if o.code not in shown]
    if not fresh:
        ctx.state.finish()
        return Decision(ctx.say("debt_no_more_options"), ESCALATE, reason="offer_refused")
    described = _list_options(ctx, fresh, account.currency)
    return Decision(ctx.say("debt_other_options", offers=described), step="counter_offered")


def _options_again(ctx: TurnContext, account: Account) -> Decision:
    """Answer "what are my options?" with every option shown so far; never book."""
    shown = ctx.state.slots.get("shown", [])
    offers = [o for o in _all_offers(ctx, account) if o.code in shown]
    described = _list_options(ctx, offers, account.currency)
    return Decision(ctx.say("debt_options", offers=described), step="told_options")


def _counter_request(ctx: TurnContext, account: Account, count: int) -> Decision:
    """Answer a request for ``count`` payments with that plan or the nearest allowed one."""
    policy = policy_for(ctx)
    answer = requested_plan(
        count, account.debt_amount, account.days_past_due, account.currency, policy, ctx.today
    )
    options = list(policy.instalment_options)
    values = {
        "asked": count,
        "got": answer.offer.instalments,
        "options": options,
        "minimum": policy.min_instalment.get(account.currency, Decimal(0)),
        "currency": account.currency,
    }
    prefix = ctx.say(f"debt_plan_{answer.reason}", **values)
    return _restate(ctx, account, answer.offer, prefix)


def _month_request(ctx: TurnContext, account: Account, when: date) -> Decision:
    """Answer "can I pay in March?": the latest single payment the policy allows, or a plan."""
    settlements = settlement_offers(
        account.debt_amount, account.days_past_due, account.currency, policy_for(ctx), ctx.today
    )
    latest = settlements[-1]
    if when <= latest.first_due:
        return _restate(ctx, account, latest, ctx.say("debt_month_allowed"))
    prefix = ctx.say("debt_month_too_late", when=when, latest=latest.first_due)
    return _restate(ctx, account, latest, prefix)


def _best_discount(ctx: TurnContext, account: Account) -> Decision:
    """Answer "can you give me a bigger discount?": the largest allowed, restated."""
    best = settlement_offers(
        account.debt_amount, account.days_past_due, account.currency, policy_for(ctx), ctx.today
    )[0]
    prefix = ctx.say("debt_best_discount", discount=percent(best.discount_pct, ctx.language))
    return _restate(ctx, account, best, prefix)


def _affirmed(ctx: TurnContext) -> bool:
    """Return True for a clear yes: a hesitation or a weak guess of "yes" never books."""
    norm = normalise(ctx.text)
    if _HESITATION.search(norm) or re.match(r"(no|nope|nah|not)\b", norm):
        return False  # "no deal", "no, de acuerdo no"
    understood = ctx.understood
    sure = understood.tier in ("rules", "llm") or understood.confidence >= AFFIRM_MIN_CONFIDENCE
    return (understood.intent == "affirm" and sure) or bool(_ACCEPT.search(norm))


def _hesitates(ctx: TurnContext) -> bool:
    return bool(_HESITATION.search(normalise(ctx.text)))


def _refused(ctx: TurnContext) -> bool:
    return ctx.understood.intent == "deny" or bool(_REFUSAL.search(normalise(ctx.text)))


def claims(ctx: TurnContext) -> bool:
    """Return True when the turn answers the negotiation, whatever topic the model guessed.

    "¿Qué opciones tengo?" reads like a billing question and "pagar en marzo" like a payment
    question; while offers are on the table both belong to the negotiation.
    """
    if ctx.state.flow != "debt" or ctx.state.awaiting not in ("offer_choice", "offer_confirm"):
        return False
    norm = normalise(ctx.text)
    return bool(
        requested_count(ctx.text)
        or requested_month(ctx.text, ctx.today)
        or _OPTIONS.search(norm)
        or _MORE_DISCOUNT.search(norm)
        or _REFUSAL.search(norm)
        or _ACCEPT.search(norm)
    )


def reply(ctx: TurnContext) -> Decision:
    """Handle the customer's answer to the offers, to a restated offer or to the account asked."""
    state = ctx.state
    if state.awaiting == "debt_account":
        return _pick_account(ctx)
    account = ctx.account
    if account is None:
        return Decision("", ESCALATE, reason="no_account")
    norm = normalise(ctx.text)
    offers = [_from_slot(o) for o in state.slots.get("offers", [])]
    proposed = state.slots.get("proposed")
    if (count := requested_count(ctx.text)) is not None:
        return _counter_request(ctx, account, count)
    if (when := requested_month(ctx.text, ctx.today)) is not None:
        return _month_request(ctx, account, when)
    if _MORE_DISCOUNT.search(norm):
        return _best_discount(ctx, account)
    if state.awaiting == "offer_confirm" and proposed is not None:
        offer = _from_slot(proposed)
        picked = chosen(ctx.text, offers, _described(ctx, offers, account))
        if picked is not None and picked.code != offer.code:
            return _restate(ctx, account, picked)
        if _hesitates(ctx):
            return Decision(
                ctx.say("debt_think_it_over", offer=describe(ctx, offer, account.currency)),
                step="offer_left_open",
            )
        if _affirmed(ctx) and not _refused(ctx):
            return _book(ctx, account, offer)
        if _refused(ctx):
            return _other_options(ctx, account)
        if _OPTIONS.search(norm) or _QUESTION.search(norm):
            return _restate(ctx, account, offer)
        return _again(
            ctx, ctx.say("debt_confirm_again", offer=describe(ctx, offer, account.currency))
        )
    if _OPTIONS.search(norm):
        return _options_again(ctx, account)
    if (pick := chosen(ctx.text, offers, _described(ctx, offers, account))) is not None:
        return _restate(ctx, account, pick)
    if _refused(ctx):
        return _other_options(ctx, account)
    if _affirmed(ctx) and len(offers) == 1:
        return _restate(ctx, account, offers[0])
    if _QUESTION.search(norm):
        return _options_again(ctx, account)
    language = ctx.language if ctx.language in SPOKEN else "es"
    choices = [str(i + 1) for i in range(len(offers))]
    if ctx.channel == "voice":
        choices = list(SPOKEN[language][: len(offers)])
    return _again(ctx, ctx.say("debt_pick_among", choices=choices))

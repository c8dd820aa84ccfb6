"""Payments: how to pay, confirming a payment made, and a payment link by SMS.

A payment check and a payment link are for the account the customer named (its number or last
digits); a customer with several accounts who named none is asked which one.

A payment the customer says they made is checked against the account's payments with the
amount and the day they state ("ayer hice una transferencia de 250.000"): a payment that
matches is confirmed; when none does, the customer is told what is recorded and the claim, with
what they stated, goes to a person. When no payment is recent, any yes to "should an agent look
into it?" hands over, and an amount or a day given then is checked as a claim. A payment link
after an agreement is for what the agreement asks now (the settlement, or the first
instalment), and says so.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from contactpro.dialog import accounts, agreements, identity
from contactpro.dialog.amounts import stated_amount
from contactpro.dialog.confirmations import send_confirmation
from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.dialog.dates import day_alone, month_first, said_date
from contactpro.dialog.handlers import debt
from contactpro.dialog.handlers.billing import month_name
from contactpro.dialog.localtime import local_date
from contactpro.dialog.replies import in_units, quantum
from contactpro.models import Account, Payment
from contactpro.nlu.rules import hesitates, paid_amount
from contactpro.nlu.text import normalise
from contactpro.phone import to_e164

RECENT_PAYMENT_DAYS = 10
# A payment stated with its day matches one recorded this many days before or after it (a
# transfer made late in the day posts the next business day, or after a weekend).
CLAIM_DAYS_BEFORE, CLAIM_DAYS_AFTER = 1, 4
# A payment stated without its day is looked for this far back.
CLAIM_LOOKBACK_DAYS = 90
# A year said with a payment's day is one of these last years; any other number after the month
# is the amount ("el 20 de noviembre 89900 pesos" names no year 8990).
CLAIM_YEARS_BACK = 5
# After "should an agent look into it?": words that decline the review, words that ask for it
# ("revisen", "please check"), and other words of yes (insisting on the payment is one).
_DECLINES = re.compile(
    r"\b(no gracias|no thanks?|no thank you|no hace falta|no es necesario|no importa|no need|"
    r"not necessary|never mind|nevermind|olvidalo|forget it|dejalo( asi)?|asi esta bien|"
    r"esta bien asi|esperare|i'?ll wait|i will wait|i can wait|no te preocupes|no tranquil[oa]|"
    r"(?:no|nah|nope) (?:it'?s|it is|that'?s|that is|i'?m) (?:fine|ok|okay|alright|all right|good)|"
    r"(?:don'?t|do not) worry|i'?m good)\b"
)
_ASKS_REVIEW = re.compile(
    r"\b(revis\w*|verifi\w*|chequ\w*|check\w*|look into|look at|investig\w*|asesor|agent)\b"
)
_YES = re.compile(
    r"\b(si|claro|dale|porfa|por favor|yes|yeah|yep|sure|please|pls|ok|okay|confirm\w*|pague|"
    r"pagamos|paid|did pay)\b"
)
# "ya pagué 100 mil, quiero saldar el resto", "I paid 100, I want to settle the rest": the
# claim is checked, then the debt left is negotiated.
_SETTLE_REST = re.compile(
    r"\b(?:saldar|negociar|pagar|pago|cancelar|liquidar|arreglar|cubrir|financiar|diferir|"
    r"acuerdo)\b"
    r".{0,24}?\b(?:el resto|lo restante|el saldo (?:restante|pendiente)|lo demas|lo pendiente|"
    r"lo que (?:me )?(?:falta|queda|debo))\b|"
    r"\b(?:settle|pay(?: off)?|negotiate|clear|sort out|work out|plan)\b.{0,24}?"
    r"\b(?:the rest|what'?s left|the remain\w*|the balance|what i still owe)\b"
)
# The model's yes or no to the review counts only when it is this sure (a rule or the LLM always
# may); below it, as after "hmm" or "¿y eso?", the question is asked again.
REVIEW_MIN_CONFIDENCE = 0.5


def payment_link(ctx: TurnContext, account: Account, amount: Decimal | None = None) -> str:
    """Return the account's payment link, for ``amount`` when given (else the balance), tagged
    so that neither the number nor the amount can be changed or guessed."""
    message, query = account.number, {}
    if amount is not None:
        charged = str(in_units(amount, account.currency))
        message, query = f"{account.number}:{charged}", {"amount": charged}
    tag = hmac.new(ctx.settings.secret_key.encode(), message.encode(), hashlib.sha256)
    query["t"] = tag.hexdigest()[:12]
    return f"{ctx.settings.payment_link_base.rstrip('/')}/{account.number}?{urlencode(query)}"


@dataclass(frozen=True)
class Claim:
    """What the customer states about a payment they made: its amount and day, when said
    (``whole_month`` when only the month was: ``day`` is then its first; ``any_month`` when the
    day of the month was said alone, "fue el 4": that day of the month before matches too)."""

    amount: Decimal | None
    day: date | None
    whole_month: bool = False
    any_month: bool = False

    def matches(self, payment: Payment, paid_on: date, currency: str) -> bool:
        """Return True when ``payment`` (made on ``paid_on``) is the one stated."""
        if self.amount is not None and abs(payment.amount - self.amount) >= quantum(currency):
            return False
        if self.day is None:
            return True
        if self.whole_month:
            # "Pagué en noviembre": any day of it, or one posted in the days after it ended.
            start = (paid_on - timedelta(days=CLAIM_DAYS_AFTER)).replace(day=1)
            return start == self.day or paid_on.replace(day=1) == self.day
        days = [self.day, _month_before(self.day)] if self.any_month else [self.day]
        return any(-CLAIM_DAYS_BEFORE <= (paid_on - day).days <= CLAIM_DAYS_AFTER for day in days)


def _month_before(day: date) -> date:
    """Return ``day``'s day of the month in the month before (its last day when shorter)."""
    last = day.replace(day=1) - timedelta(days=1)
    return last.replace(day=min(day.day, last.day))


def _paid_day(day: date, today: date) -> date:
    """Return ``day`` in its latest year on or before ``today`` when the year read with it cannot
    be a payment's (the amount said after the month, "el 20 de noviembre 89900 pesos")."""
    if today.year - CLAIM_YEARS_BACK <= day.year and day <= today:
        return day
    for year in (today.year, today.year - 1):
        try:
            placed = day.replace(year=year)
        except ValueError:  # 29 February
            continue
        if placed <= today:
            return placed
    return day


def stated_claim(
    texts: list[str], today: date, *, month_first: bool | None = None, answer: bool = False
) -> Claim:
    """Return the amount and day of a payment the customer says they made, from their words:
    "$250.000", "250 mil", or a bare number right after "pagué" / "I paid" ("ya pagué 133718",
    "I paid 90.95"); "ayer", "el 5 de nov", "7/11" (``month_first`` as in :func:`said_date`);
    "en noviembre" (the month alone: any day of it). ``answer`` says the texts answer the
    question of when they paid, so a bare "el 4" or "fue el 4" is the day."""
    amounts = (stated_amount(t) or paid_amount(t) for t in texts)
    amount = next((a for a in amounts if a is not None), None)
    days = (said_date(t, today, past=True, month_first=month_first, paying=answer) for t in texts)
    said = next(((t, d) for t, d in zip(texts, days, strict=False) if d is not None), None)
    if said is None:
        return Claim(amount, None)
    text, (day, named) = said
    return Claim(
        amount,
        _paid_day(day, today),
        whole_month=not named,
        any_month=day_alone(text, paying=answer),
    )


def start_how(ctx: TurnContext) -> Decision:
    """Explain where and how to pay (no identification needed).

    The account number is said only to a verified customer: caller id alone is not enough.
    With several accounts it is the one named, else none is said.
    """
    account = None
    if ctx.state.customer_id and ctx.state.verified:
        account = accounts.requested(ctx)
    ctx.state.finish()
    if account is None:
        return Decision(ctx.say("payment_how_generic"), step="told_how_to_pay", resolved=True)
    return Decision(
        ctx.say("payment_how", account=account.number), step="told_how_to_pay", resolved=True
    )


def start_made(ctx: TurnContext) -> Decision:
    """Confirm a payment the customer says they made."""
    account = accounts.for_request(ctx, "payment", "payment_made")
    return account if isinstance(account, Decision) else _made(ctx, account)


def _paid_on(ctx: TurnContext, payment: Payment) -> date:
    """Return the day of ``payment`` on the customer's calendar (stored times are UTC)."""
    return local_date(payment.paid_at, ctx.zone)


def _found(ctx: TurnContext, account: Account, payment: Payment) -> Decision:
    ctx.state.finish()
    return Decision(
        ctx.say(
            "payment_found",
            amount=payment.amount,
            currency=account.currency,
            paid_on=_paid_on(ctx, payment),
            account=account.number,
        ),
        step="confirmed_payment",
        resolved=True,
    )


def _claim_said(
    ctx: TurnContext, account: Account, texts: list[str], answer: bool = False
) -> Claim:
    """Return what ``texts`` state about the payment, dates read the account's market's way
    (``answer``: they answer the question of when and how much)."""
    return stated_claim(texts, ctx.today, month_first=month_first(account), answer=answer)


def _made(ctx: TurnContext, account: Account) -> Decision:
    texts = identity.request_texts(ctx, "payment_made")
    claim = _claim_said(ctx, account, texts)
    if claim.amount is not None or claim.day is not None:
        checked = _check_claim(ctx, account, claim)
        if account.debt_amount > 0 and any(_SETTLE_REST.search(normalise(t)) for t in texts):
            return _settle_rest(ctx, account, claim, checked)
        return checked
    since = ctx.interaction.started_at - timedelta(days=RECENT_PAYMENT_DAYS)
    recent = [p for p in account.payments if p.paid_at >= since]
    if recent:
        return _found(ctx, account, max(recent, key=lambda p: p.paid_at))
    ctx.state.start("payment", "payment_review", account=account.id)
    return Decision(ctx.say("payment_not_found", account=account.number), step="payment_not_found")


def _check_claim(ctx: TurnContext, account: Account, claim: Claim) -> Decision:
    """Confirm the payment stated when one recorded matches it; else say what is recorded and
    hand the claim, as stated, to a person (it is never marked resolved)."""
    since = ctx.today - timedelta(days=CLAIM_LOOKBACK_DAYS)
    matching = [
        p
        for p in account.payments
        if claim.matches(p, _paid_on(ctx, p), account.currency)
        and (claim.day is not None or _paid_on(ctx, p) >= since)
    ]
    if matching:
        return _found(ctx, account, max(matching, key=lambda p: p.paid_at))
    last = max(account.payments, key=lambda p: p.paid_at, default=None)
    day = claim.day if not claim.whole_month else None
    month = claim.day if claim.whole_month else None
    ctx.state.handoff["payment_claim"] = {
        "account": account.number,
        "amount": format(claim.amount.normalize(), "f") if claim.amount is not None else None,
        "currency": account.currency,
        "date": day.isoformat() if day else None,
        "month": month.strftime("%Y-%m") if month else None,
        "last_recorded": (
            {"amount": str(last.amount), "date": _paid_on(ctx, last).isoformat()} if last else None
        ),
    }
    text = ctx.say(
        "payment_claim_unmatched",
        account=account.number,
        amount=in_units(claim.amount, account.currency) if claim.amount is not None else None,
        day=day,
        month=month_name(month.month, ctx.language) if month else None,
        currency=account.currency,
        last_amount=last.amount if last else None,
        last_day=_paid_on(ctx, last) if last else None,
        recent=day is not None and (ctx.today - day).days <= 2,
    )
    return Decision(text, ESCALATE, reason="payment_not_found", step="payment_claim_unmatched")


def _settle_rest(ctx: TurnContext, account: Account, claim: Claim, checked: Decision) -> Decision:
    """Go on from ``claim``, as ``checked`` answered it, to negotiating the debt left on
    ``account``.

    A claim no payment recorded matches is told so, and kept for the agent who may take the
    conversation later, but is no reason to stop: the debt on record is negotiated."""
    told = checked.text
    if checked.action == ESCALATE:
        told = ctx.say(
            "payment_claim_unmatched_settle",
            account=account.number,
            amount=claim.amount,
            day=None if claim.whole_month else claim.day,
            month=month_name(claim.day.month, ctx.language)
            if claim.whole_month and claim.day
            else None,
            currency=account.currency,
        )
    ctx.state.finish()
    rest = debt.start(ctx)
    return replace(rest, text=f"{told} {rest.text}".strip())


def start_link(ctx: TurnContext) -> Decision:
    """Text the customer a link to pay: what their agreement asks now, else their balance.

    Right after negotiating the debt of one account, the link is for that account unless the
    request names another one."""
    if (negotiated := _negotiated(ctx)) is not None:
        return _link(ctx, negotiated)
    account = accounts.for_request(ctx, "payment", "payment_link")
    return account if isinstance(account, Decision) else _link(ctx, account)


def _negotiated(ctx: TurnContext) -> Account | None:
    """Return the account this conversation negotiated the debt of (a verified customer who
    names no account in the request), else None."""
    if not ctx.state.verified or ctx.state.account_id is None:
        return None
    if accounts.digits_named(ctx.text, customer=ctx.customer) or accounts.requested(ctx):
        return None  # the account named, or the only one
    account = ctx.account
    return account if account in accounts.open_accounts(ctx.customer) else None


def _link(ctx: TurnContext, account: Account) -> Decision:
    """Text the link: for what the agreement in force asks now, else for the balance."""
    customer = ctx.customer
    if customer is None:
        return Decision("", ESCALATE, reason="no_account")
    agreement = agreements.active(ctx, account)
    if agreement is None:
        link = payment_link(ctx, account)
        values = {"account": account.number, "balance": account.balance}
        sms_key, said_key = "payment_link_sms", "payment_link_sent"
    else:
        due = agreements.due_now(agreement)
        link = payment_link(ctx, account, due)
        values = {
            "account": account.number,
            "amount": due,
            "settlement": agreement.kind == "settlement",
            "due": agreement.first_due,
            "agreement": agreements.describe(ctx, agreement, account.currency),
        }
        sms_key, said_key = "payment_link_agreement_sms", "payment_link_agreement_sent"
    # The link goes to the phone on file: said when this conversation comes from another one.
    elsewhere = to_e164(ctx.interaction.from_number) != to_e164(customer.phone)
    values["on_file_end"] = (customer.phone or "")[-4:] if elsewhere else ""
    body = ctx.say(sms_key, currency=account.currency, link=link, **values)
    if not send_confirmation(
        ctx, customer.phone, body, purpose="payment_link", variables={"1": account.number}
    ):
        return Decision("", ESCALATE, reason="technical_error")
    ctx.state.finish()
    return Decision(
        ctx.say(said_key, currency=account.currency, **values),
        step="sent_payment_link",
        resolved=True,
    )


def reply(ctx: TurnContext) -> Decision:
    """The account asked for, then the payment check or link; after "we don't see your
    payment", see :func:`_review_answer`."""
    if ctx.state.awaiting == accounts.AWAITING:
        picked = accounts.answer(ctx)
        if isinstance(picked, Decision):
            return picked
        return (
            _link(ctx, picked)
            if ctx.state.slots.get("purpose") == "payment_link"
            else _made(ctx, picked)
        )
    return _review_answer(ctx)


def _review_answer(ctx: TurnContext) -> Decision:
    """Answer "should an agent look into it?".

    An amount or a day said ("pagué 114.673 el 5 de noviembre") is checked as a claim; a no
    ("no gracias") moves on; the first message of a new conversation that asks about the
    payment again ("¿ya les llegó mi pago?") checks it again; any other yes, including one that
    insists on the payment ("sí porfa revisen, yo sí pagué"), hands over.
    """
    account_id = ctx.state.slots.get("account")
    account = ctx.session.get(Account, account_id) if account_id is not None else None
    if account is None:
        ctx.state.finish()
        return Decision("", ESCALATE, reason="payment_not_found")
    claim = _claim_said(ctx, account, [ctx.text], answer=True)
    if claim.amount is not None or claim.day is not None:
        ctx.state.finish()
        return _check_claim(ctx, account, claim)
    norm, intent = normalise(ctx.text), ctx.understood.intent
    review = bool(_ASKS_REVIEW.search(norm))
    if _unanswered(ctx, norm, review):
        # Neither a yes nor a no: ask again (the question restated answers "¿y eso?").
        return Decision(
            ctx.say("payment_not_found", account=account.number), step="asked_review_again"
        )
    if _DECLINES.search(norm) or (intent == "deny" and not review and not _YES.search(norm)):
        ctx.state.finish()
        return Decision(ctx.say("how_can_i_help"), step="declined_payment_review")
    if intent == "payment_made" and not review and _opens_new_conversation(ctx):
        return _made(ctx, account)  # asked again another day: the payment may be in by now
    ctx.state.finish()
    if review or _YES.search(norm) or intent in ("affirm", "payment_made"):
        return Decision("", ESCALATE, reason="payment_not_found")
    return Decision(ctx.say("how_can_i_help"), step="declined_payment_review")


def _unanswered(ctx: TurnContext, norm: str, review: bool) -> bool:
    """Return True when the turn neither asks for the review nor declines it: a hesitation, a
    question back ("hmm", "¿y eso?", "ajá?"), or the model's weak guess of a yes or a no."""
    if hesitates(ctx.text):
        return True
    if review or _DECLINES.search(norm) or _YES.search(norm):
        return False
    understood = ctx.understood
    guess = understood.tier not in ("rules", "llm") and understood.intent in ("affirm", "deny")
    return guess and understood.confidence < REVIEW_MIN_CONFIDENCE


def _opens_new_conversation(ctx: TurnContext) -> bool:
    """Return True on the first caller turn of a conversation that picked this question up."""
    return ctx.state.continued_from is not None and ctx.state.caller_turns <= 1


def claims(ctx: TurnContext) -> bool:
    """Return True when the turn answers the account question by naming a listed account."""
    return accounts.claims(ctx)

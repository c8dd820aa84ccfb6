"""Who is this, and is it really them: identification and a second factor before any data.

A caller is identified by caller id or by a national id / account number given by voice, keypad
or text, and verified by a second factor (the last four digits of their id, or their birth year,
whichever they did not just give) before any balance or personal data is disclosed. Failing the
second factor ``max_verification_attempts`` times hands the conversation to a person.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.models import Account, Customer
from contactpro.nlu.numbers import words_to_digits

IDENTIFIED, VERIFIED = "identified", "verified"


def digits_in(text: str) -> list[str]:
    """Return the digit runs in ``text``, spoken numbers included ("mil novecientos...")."""
    joined = re.sub(r"(?<=\d)[.\s-](?=\d)", "", words_to_digits(text))
    return re.findall(r"\d+", joined)


def find_by_identifier(ctx: TurnContext) -> Customer | None:
    """Look up a customer by the national id or account number in this turn."""
    entities = ctx.understood.entities
    candidates = [str(entities[k]) for k in ("national_id", "account_number") if k in entities]
    candidates += digits_in(ctx.text)
    for value in dict.fromkeys(candidates):
        if len(value) < 5:
            continue
        customer = ctx.session.scalars(
            select(Customer).where(Customer.national_id == value)
        ).first()
        if customer is None:
            account = ctx.session.scalars(select(Account).where(Account.number == value)).first()
            customer = account.customer if account else None
        if customer is not None:
            return customer
    return None


def _second_factor(ctx: TurnContext) -> str:
    """Ask for the factor the caller has not already given."""
    given = ctx.state.slots.get("identified_by")
    customer = ctx.customer
    last4 = (customer.national_id or "")[-4:] if customer else ""
    if given == "national_id" or not last4.isdigit():
        return "birth_year"  # also for ids that do not end in digits (a Mexican CURP)
    return "id4"


def _ask_verification(ctx: TurnContext) -> Decision:
    factor = _second_factor(ctx)
    ctx.state.slots["factor"] = factor
    ctx.state.awaiting = "verify"
    key = "ask_verify_birth_year" if factor == "birth_year" else "ask_verify_id4"
    return Decision(ctx.say(key), step="asked_verification")


def require(ctx: TurnContext, level: str, intent: str) -> Decision | None:
    """Return the question that stands between the caller and ``intent``, or None to go on."""
    if ctx.state.customer_id is None:
        ctx.state.start("identity", "identify")
        ctx.state.pending_intent = intent
        return Decision(ctx.say("ask_identify"), step="asked_identification")
    if level == VERIFIED and not ctx.state.verified:
        ctx.state.start("identity")
        ctx.state.pending_intent = intent
        return _ask_verification(ctx)
    return None


def _matches(ctx: TurnContext) -> bool:
    customer = ctx.customer
    if customer is None:
        return False
    given = digits_in(ctx.text)
    if ctx.state.slots.get("factor") == "birth_year":
        return customer.birth_year is not None and str(customer.birth_year) in given
    last4 = (customer.national_id or "")[-4:]
    return bool(last4) and any(d == last4 or (len(d) > 4 and d.endswith(last4)) for d in given)


def reply(ctx: TurnContext) -> Decision | None:
    """Handle the answer to an identity question; None means: resume the pending intent."""
    state = ctx.state
    if state.awaiting == "identify":
        customer = find_by_identifier(ctx)
        if customer is None:
            state.identify_attempts += 1
            if state.identify_attempts >= ctx.settings.max_verification_attempts:
                return Decision("", ESCALATE, reason="identification_failed")
            return Decision(ctx.say("identify_not_found"), step="identification_retry")
        state.customer_id = customer.id
        ctx.interaction.customer_id = customer.id
        if ctx.interaction.language is None:
            ctx.interaction.language = customer.preferred_language
        entities = ctx.understood.entities
        state.slots["identified_by"] = (
            "account_number" if "account_number" in entities else "national_id"
        )
        state.steps.append("identified")
        return _ask_verification(ctx)
    if state.awaiting == "verify":
        if _matches(ctx):
            state.verified = True
            state.steps.append("verified")
            state.awaiting = None
            return None
        state.verify_attempts += 1
        if state.verify_attempts >= ctx.settings.max_verification_attempts:
            state.finish()
            return Decision("", ESCALATE, reason="verification_failed")
        return Decision(
            f"{ctx.say('verify_failed_retry')} {_ask_verification(ctx).text}",
            step="verification_retry",
        )
    return None

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

from sqlalchemy import or_, select

from contactpro.dialog import identity
from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.models import Account, Customer
from contactpro.nlu.numbers import words_to_digits
from contactpro.nlu.text import normalise

AWAITING = "account_choice"
NAMED_SLOT = identity.NAMED_SLOT
# Fewer digits than this are a position in a list ("la 2"), never the end of an account number.
MIN_DIGITS = 3
# A balance or debt request names an account by its last four digits or more.
REQUEST_DIGITS = 4
# A run this long that is none of the customer's accounts may be someone else's account.
FOREIGN_MIN_DIGITS = 5
# Words that give the number after them as an account.
_ACCOUNT_WORDS = r"\b(?:cuenta|cta|account|acct|contrato|contract)\b"
# Positions in a list, by ordinal word: "la cuarta", "the fourth one" (digits and cardinals,
# "la 4", "la cuatro", "number four", are read as numbers).
_ORDINALS = (
    r"primer[oa]?|first|1st",
    r"segund[oa]|second|2nd",
    r"tercer[oa]?|third|3rd",
    r"cuart[oa]|fourth|4th",
    r"quint[oa]|fifth|5th",
    r"sext[oa]|sixth|6th",
    r"s[eé]?ptim[oa]|setim[oa]|seventh|7th",
    r"octav[oa]|eighth|8th",
    r"noven[oa]|ninth|9th",
    r"decim[oa]|tenth|10th",
)
# "la primera cuota", "the first payment", "primera vez": an ordinal that names no item.
_NOT_A_POSITION = (
    r"(?!\s+(?:cuotas?|pagos?|abonos?|mes(?:es)?|mensualidad(?:es)?|vez|payments?|"
    r"instal+ments?|months?|time|of the month|del mes))"
)
_LAST = re.compile(r"\b(ultim[oa]|last)\b" + _NOT_A_POSITION)
# "the second one", "that one": "one" is a pronoun there, not the number 1.
_PRONOUN_ONE = re.compile(
    rf"\b({'|'.join(_ORDINALS)}|[a-z]+(?:st|nd|rd|th)|the|that|this|which|last|any|other) one\b"
)
# "one" that is the number 1 ("one", "number one", "option one, please", "I'll take one"): a
# reply of it alone or after a word that asks for a number; elsewhere it is ambiguous ("one of
# them", "I want one that is cheaper").
_ONE_ALONE = re.compile(
    r"^(?:(?:ok|okay|yes|yeah|so|um|uh|i'?ll take|i take|i want|i choose|i pick|give me|"
    r"let'?s (?:do|go with)|go with)\s+)?(?:(?:number|option|choice|plan)\s+)?one"
    r"(?:\s+(?:please|thanks|thank you))?$|\b(?:number|option|choice) one\b(?! of\b)"
)
# Numbers that are no position: decimals, percentages ("la del 2,5 %").
_NOT_POSITION_NUMBER = re.compile(r"\d+(?:[.,]\d+)+|\d+\s*(?:%|por ?ciento|percent)")
# "la que termina en 81", "the one ending in eighty one": the digits after it end an account,
# however few.
_ENDS_IN = re.compile(
    r"\b(?:termina|terminada|acaba|finaliza|ending|ends|ended)\s+(?:en|in|with)\s+(.+)"
)
# A bare two-digit number that is no position in the list ("la ochenta y uno", "the eighty
# one", "81 por favor"): the last digits of an account, as a call reads them two at a time.
# Nothing else may be said with it ("la de 90 días" describes an account by its age).
_BARE_ENDING = re.compile(
    r"^(?:(?:la|el|the|la del|la de|el del|el de|number|numero|opcion|option)\s+)?(\d{2})"
    r"(?:\s+(?:por favor|porfa|please))?$"
)
_PLAN_WORDS_IGNORED = frozenset({"plan", "mb", "gb", "de", "del", "con", "linea", "cuenta"})
# "y la otra?", "and the other account?", "what about the other one": an account not yet told.
OTHER_ACCOUNT = re.compile(
    r"\b(?:(?:la|el|de la|del|en la|en el) otr[oa]|otra cuenta|otra linea|(?:the )?other "
    r"(?:one|account|line)|another (?:one|account|line))\b"
)

# "las dos", "ambas", "todas", "both", "all of them": every listed account, not a position.
EVERY_ACCOUNT = re.compile(
    r"\b(?:(?:las|los|a las|a los|en las|en los|de las|de los) (?:dos|tres|cuatro|2|3|4)"
    r"(?: cuentas| lineas)?|ambas|ambos|todas|todos|cada una|both(?: of them)?|all (?:of them|"
    r"three|four|my accounts|the accounts)|the two|each (?:one|of them))\b"
)


def open_accounts(customer: Customer | None) -> list[Account]:
    """Return the customer's accounts that are not cancelled, in their stored order."""
    return [a for a in (customer.accounts if customer else []) if a.status != "cancelled"]


def digits_named(
    text: str, min_digits: int = MIN_DIGITS, customer: Customer | None = None
) -> list[str]:
    """Return the digit runs of ``text`` long enough to be (the end of) an account number.

    With ``customer``, the answers they identify with (their id, its last four digits, their
    birth year) are left out: a request read back across the identity questions names no
    account by them.
    """
    answers = identity.own_answers(customer) if customer is not None else set()
    return [d for d in identity.digits_in(text) if len(d) >= min_digits and d not in answers]


def _names(account: Account, digits: Sequence[str]) -> bool:
    numbers = [n for n in (account.number, account.contract_number) if n]
    return any(n.endswith(d) for n in numbers for d in digits)


def named(digits: Sequence[str], accounts: Sequence[Account]) -> list[Account]:
    """Return the accounts whose number or contract number is one of ``digits``, else those
    whose number or contract number ends with one of them."""
    exact = [a for a in accounts if {a.number, a.contract_number} & set(digits)]
    return exact or [a for a in accounts if _names(a, digits)]


def positions(text: str, count: int, described: re.Pattern[str] | None = None) -> list[int]:
    """Return the positions (1 to ``count``) a reply names in a numbered list: "la 4", "la
    cuarta", "the fourth one", "number four", "one", "option one", "la última". "The second
    one" names one position ("one" is a pronoun there); "la primera cuota", "hace 2 meses" and
    "la del 2,5 %" name none. ``described`` matches the spans of the text (folded, numbers as
    digits) that describe something else and name no position."""
    norm = normalise(_NOT_POSITION_NUMBER.sub(" ", text))
    norm = _PRONOUN_ONE.sub(r"\1", norm)
    spoken = words_to_digits(norm)
    if described is not None:
        spoken = described.sub(" ", spoken)
    found = {int(n) for n in re.findall(rf"\b(\d{{1,2}})\b{_NOT_A_POSITION}", spoken)}
    if _ONE_ALONE.search(re.sub(r"[^\w\s']", " ", norm).strip()):
        found.add(1)
    for position, words in enumerate(_ORDINALS, start=1):
        if re.search(rf"\b({words})\b{_NOT_A_POSITION}", norm):
            found.add(position)
    if _LAST.search(norm):
        found.add(count)
    return sorted(p for p in found if 1 <= p <= count)


def by_ending(text: str, accounts: Sequence[Account]) -> Account | None:
    """Return the one account whose number ends in the digits a reply says after "termina en"
    or "ending in" ("la que termina en ochenta y uno", "the one ending in eight one"), or in a
    bare two-digit number that is no position in the list ("la ochenta y uno", "the eighty
    one")."""
    norm = _PRONOUN_ONE.sub(r"\1", normalise(_NOT_POSITION_NUMBER.sub(" ", text)))
    if (ending := _ENDS_IN.search(norm)) is not None:
        runs = identity.digits_in(ending[1])[:1]
    else:
        spoken = re.sub(r"(?<=\d)[.\s-](?=\d)", "", words_to_digits(norm))
        bare = _BARE_ENDING.match(re.sub(r"[^\w\s]", " ", spoken).strip())
        if bare is None or int(bare[1]) <= len(accounts):
            return None
        runs = [bare[1]]
    hits = [a for a in accounts if _names(a, runs)] if runs else []
    return hits[0] if len(hits) == 1 else None


def _plan_words(account: Account) -> set[str]:
    words = set(normalise(account.plan or "").split()) - _PLAN_WORDS_IGNORED
    return {w for w in words if len(w) > 2 and not w.isdigit()}


# What customers call a product in their words, as plans name it: "el internet de la casa" is
# the Hogar plan, "mi celular" the Móvil one, "my cell" the Mobile one.
_PRODUCT_WORDS = {
    "casa": {"hogar", "home", "casa"},
    "hogar": {"hogar", "home", "casa"},
    "home": {"hogar", "home", "casa"},
    "celular": {"movil", "mobile", "celular"},
    "cel": {"movil", "mobile", "celular"},
    "movil": {"movil", "mobile", "celular"},
    "cell": {"movil", "mobile", "celular"},
    "mobile": {"movil", "mobile", "celular"},
    "fibra": {"fibra", "fiber"},
    "fiber": {"fibra", "fiber"},
}


def by_plan(text: str, accounts: Sequence[Account]) -> Account | None:
    """Return the one account a word of whose plan the reply says ("la móvil", "the home one",
    "el internet de la casa")."""
    said = normalise(text).split()
    words = set(said).union(*(_PRODUCT_WORDS.get(w, set()) for w in said))
    hits = [a for a in accounts if words & _plan_words(a)]
    return hits[0] if len(hits) == 1 else None


def picked(text: str, accounts: Sequence[Account]) -> Account | None:
    """Return the account a reply to the list picks: by number or last digits (in words too,
    "la que termina en ochenta y uno"), position or plan."""
    hits = named(digits_named(text), accounts)
    if hits:
        return hits[0] if len(hits) == 1 else None
    if (ending := by_ending(text, accounts)) is not None:
        return ending
    if len(chosen := positions(text, len(accounts))) == 1:
        return accounts[chosen[0] - 1]
    return by_plan(text, accounts)


def listed_accounts(ctx: TurnContext) -> list[Account]:
    """Return the open accounts the question listed (slot ``accounts``), in the listed order."""
    ids: list[int] = ctx.state.slots.get("accounts", [])
    return sorted(
        (a for a in open_accounts(ctx.customer) if a.id in ids), key=lambda a: ids.index(a.id)
    )


def _said_as_account(text: str, run: str) -> bool:
    """Return True when ``text`` gives ``run`` as an account ("la cuenta 0000999999")."""
    joined = re.sub(r"(?<=\d)[.\s-](?=\d)", "", words_to_digits(normalise(text)))
    return re.search(rf"{_ACCOUNT_WORDS}\D{{0,20}}\b{run}\b", joined) is not None


def foreign_named(ctx: TurnContext, texts: Sequence[str]) -> list[str]:
    """Return the account numbers ``texts`` name that are none of the customer's: another
    customer's account or contract number, or digits given as an account ("la cuenta
    0000999999"). The customer's id, birth year and own accounts are never among them.
    """
    customer = ctx.customer
    if customer is None:
        return []
    said = [
        (text, run)
        for text in texts
        for run in digits_named(text, FOREIGN_MIN_DIGITS, customer)
        if not named([run], customer.accounts)
    ]
    if not said:
        return []
    runs = [run for _, run in said]
    held = ctx.session.scalars(
        select(Account).where(
            Account.customer_id != customer.id,
            or_(Account.number.in_(runs), Account.contract_number.in_(runs)),
        )
    )
    others = {n for a in held for n in (a.number, a.contract_number) if n}
    return list(
        dict.fromkeys(run for text, run in said if run in others or _said_as_account(text, run))
    )


def remember_named(ctx: TurnContext) -> None:
    """Keep the digits the request named while identity questions are asked (call after
    ``identity.require`` returned a question: it starts the identity flow afresh)."""
    if digits := digits_named(ctx.text):
        ctx.state.slots[NAMED_SLOT] = digits


def request_digits(
    ctx: TurnContext, min_digits: int = MIN_DIGITS, customer: Customer | None = None
) -> list[str]:
    """Return the runs of ``min_digits`` digits or more the request named, less the answers
    ``customer`` identifies with (:func:`digits_named`). Resumed after identity questions, the
    request is the one said before them: the answer to the security question ("4050") names no
    account."""
    if ctx.state.flow == "identity":
        answers = identity.own_answers(customer) if customer is not None else set()
        kept = ctx.state.slots.get(NAMED_SLOT, [])
        return [d for d in kept if len(d) >= min_digits and d not in answers]
    return digits_named(ctx.text, min_digits, customer)


def requested(ctx: TurnContext, min_digits: int = MIN_DIGITS) -> Account | None:
    """Return the account the request is about: the one it named (:func:`request_digits`),
    else the customer's only one."""
    accounts = open_accounts(ctx.customer)
    digits = request_digits(ctx, min_digits)
    hits = named(digits, accounts) if digits else []
    if len(hits) == 1:
        return hits[0]
    return accounts[0] if len(accounts) == 1 else None


def for_request(ctx: TurnContext, flow: str, intent: str) -> Account | Decision:
    """Return the account a consequential request (``intent``, in ``flow``) is for, or the
    question that stands before it: identity first (keeping the digits the request named), a
    hand-over without an open account, which account when several and none named (by its
    digits or, in words, by its product)."""
    if (question := identity.require(ctx, identity.VERIFIED, intent)) is not None:
        remember_named(ctx)
        return question
    if not open_accounts(ctx.customer):
        return Decision("", ESCALATE, reason="no_account")
    account = requested(ctx)
    if account is None and not request_digits(ctx, customer=ctx.customer):
        # "cancelar el internet de la casa": the product named in words, as the debt flow reads
        # it; the id the customer gave along with it ("..., cédula 1020304050") names no account
        held = open_accounts(ctx.customer)
        for text in identity.request_texts(ctx, intent):
            if (account := by_plan(text, held)) is not None:
                break
    return ask(ctx, flow, intent) if account is None else account


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
    accounts = listed_accounts(ctx)
    every = EVERY_ACCOUNT.search(normalise(ctx.text)) is not None and not digits_named(ctx.text)
    if not every and (account := picked(ctx.text, accounts)) is not None:
        return account
    if ctx.state.slots.get("retries", 0) >= 1:
        ctx.state.finish()
        return Decision("", ESCALATE, reason="several_accounts" if every else "not_understood")
    ctx.state.slots["retries"] = ctx.state.slots.get("retries", 0) + 1
    listed = [{"number": a.number, "plan": a.plan} for a in accounts]
    purpose = ctx.state.slots.get("purpose")
    if every:  # "las dos": one request at a time, the first one chosen now
        return Decision(
            ctx.say("which_account_first", accounts=listed, purpose=purpose),
            step="asked_which_account_first",
            question=ctx.say("which_account_again_question", accounts=listed, purpose=purpose),
        )
    return Decision(
        ctx.say("which_account_again", accounts=listed, purpose=purpose),
        step="asked_which_account_again",
        question=ctx.say("which_account_again_question", accounts=listed, purpose=purpose),
    )


def claims(ctx: TurnContext) -> bool:
    """Return True when the turn answers the account question by naming a listed account."""
    if ctx.state.awaiting != AWAITING:
        return False
    return picked(ctx.text, listed_accounts(ctx)) is not None

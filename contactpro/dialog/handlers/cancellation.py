"""Cancellation with retention, by the customer's priority-matrix quadrant.

retain (low conformity, high billing): an economic benefit, and a person if refused; care (high
conformity, low billing): the loyalty programme; monitor (high, high): preventive attention;
let go (low, low): the polite cancellation process. Each ends retained, cancelled or escalated.

Before the first conformity analysis there is no quadrant; :func:`default_quadrant` reads one
from the payment history and the bill instead of treating everyone as *care*. The economic
benefit goes only to customers with the managers' minimum tenure (``offer_min_tenure_months``),
and never above their maximum discount (``offer_max_discount_percent``): at 0 there is none.

A question about the offer ("¿eso me baja la factura?") is answered from its data, up to
``MAX_EXPLAINED`` times; one about leaving ("¿hay multa?") from the knowledge base, one about
paying the debt first with what is owed; "lo pienso" records nothing and leaves the question
standing; a discount asked for instead of another benefit is offered when the
managers' settings would allow one. A mobile line's loyalty benefit is double data.

An accepted offer is recorded on the cancellation request (``offer``); the customer is told
what was recorded and that the team applies it, since nothing here changes the bill.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from statistics import median
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.console.settings import current_config, record_audit
from contactpro.console.strings import translate
from contactpro.console.wording import offer_words
from contactpro.dialog import accounts, identity
from contactpro.dialog.agreements import percent
from contactpro.dialog.context import ESCALATE, Decision, DialogState, TurnContext
from contactpro.dialog.handlers import product_info
from contactpro.dialog.knowledge import Match
from contactpro.dialog.knowledge import answer as article_for
from contactpro.dialog.localtime import local_date
from contactpro.dialog.replies import in_units
from contactpro.models import (
    Account,
    CancellationRequest,
    Customer,
    CustomerScore,
    Escalation,
    Interaction,
    utcnow,
)
from contactpro.nlu.rules import (
    apply_rules,
    besides_cancelling,
    besides_refusal,
    denies_problem,
    visit_asked,
)
from contactpro.nlu.text import normalise

OFFERS = {"care": "loyalty_double_speed", "monitor": "preventive_visit"}
# The loyalty benefit fits the line cancelled: double speed means little on a mobile line,
# which gets double data instead.
MOBILE_LOYALTY = "loyalty_double_data"
_MOBILE_PLAN = re.compile(r"\b(movil|mobile|celular|cell|prepago|postpago)\b")
# How many questions about the offer are answered before an unclear answer asks yes or no.
MAX_EXPLAINED = 2
# The retain quadrant's benefit: this discount on the monthly charge for this many months,
# within the managers' maximum discount; recorded as ``discount_<percent>_<months>m``.
RETAIN_DISCOUNT = Decimal(50)
RETAIN_MONTHS = 3
# The default rule's cut-offs: more than this many days past due is low conformity, and
# beyond COLLECTIONS_DAYS the account is a collections case that gets no retention benefit.
LATE_DAYS = 30
COLLECTIONS_DAYS = 90
# The model's guess answers the offer or the confirmation only when it is this sure; a rule or
# the LLM always may. Below it the question is asked again: a guess never cancels a service.
ANSWER_MIN_CONFIDENCE = 0.5

# The outcome of a cancellation the customer took back afterwards.
WITHDRAWN = "withdrawn"
# The outcome of a request left unanswered at the offer or the confirmation (a hang-up, silence
# until the conversation closed): nothing was cancelled, the team sees who wanted to leave.
ABANDONED = "abandoned"
# The questions a request waits on once its account is known.
WAITING = ("retention", "cancel_confirm")
# Slot set while identity questions stand between the customer and a withdrawal.
WITHDRAW_SLOT = "withdraw"

# Staying, said in words, whatever the question: "me quedo", "mejor no cancelo", "acepto la
# visita", "ok I'll stay", "I'll take it", "I changed my mind".
_STAY = re.compile(
    r"\b(me quedo|quedarme|me voy a quedar|sigo con ustedes|mejor no|ya no (quiero )?cancel\w*|"
    r"cambie de opinion|me arrepenti|lo pense mejor|pensandolo bien|"
    r"(acepto|aceptamos|tomo|quiero|me sirve|prefiero)( (la|el|esa|esta|ese|este|su|tu))? "
    r"(oferta|visita|promo|promocion|beneficio|descuento|programa|velocidad|revision)|"
    r"i'?ll stay|i will stay|i'?m staying|i am staying|i want to stay|i'?d like to stay|"
    r"stay with you|keep (it|the service|my service|my account|my plan|the account)|"
    r"changed my mind|on second thought|i'?ll (take|accept) (it|that)|(lo|la) (acepto|tomo)|"
    r"(accept|take|i'?ll take|want) (the |that |this |your )?(offer|visit|deal|promo|discount|"
    r"program|speed))\b"
)
# A cancellation verb negated in the same clause: "no cancelo", "no quiero cancelar", "don't".
_NOT_CANCEL = re.compile(
    r"\b(no|nunca|don'?t|do not|not|never)\b(\s+\w+){0,2}?\s+(cancel\w*|dar de baja|"
    r"darlo de baja|darme de baja)"
)
_CANCEL = re.compile(
    r"\b(cancel\w*|dar de baja|darlo de baja|dalo de baja|darme de baja|de baja|la baja|"
    r"retirarme)\b"
)
# Not staying: "no me interesa", "I won't stay"; and a negation just before staying words
# ("no me quedo", "no quiero la oferta").
_NOT_STAY = re.compile(
    r"\b(no me interesa|won'?t stay|not staying|don'?t want to stay|not interested|"
    r"(me voy|me retiro|cancelo|cancelen) (igual|de todas (formas|maneras)|de todos modos)|"
    r"igual (me voy|me retiro|cancelo|quiero cancelar)|"
    r"(leaving|cancel\w*|going) (anyway|regardless|all the same))\b"
)
_NEGATED = re.compile(r"\b(no|not|don'?t|won'?t|never|nunca)\b(\s+\w+){0,2}\s*$")
# A question about what the offer changes: the bill, the price, how long it lasts.
_ABOUT_OFFER = re.compile(
    r"\b(factura|cobr\w*|cuesta|cuestan|costo|precio|pag\w*|mensualidad|baja\w*|dura\w*|"
    r"tiempo|meses|gratis|inclu\w*|bill|cost\w*|price|pay\w*|charge\w*|lower\w*|free|"
    r"how long|last\w*|includ\w*)\b"
)
# A request for a discount instead of the offer made: "prefiero un descuento", "a discount".
_DISCOUNT = re.compile(
    r"\b(descuento|rebaja|mas barato|precio mas bajo|discount|cheaper|lower price|reduced price|"
    # the price given as the reason: "está muy caro", "no me alcanza", "it's too expensive"
    r"muy car[oa]|demasiado car[oa]|(esta|es|sale|me sale) (tan )?car[oa]|no me alcanza|"
    r"pago (mucho|demasiado)|too expensive|so expensive|(costs?|paying|pay) too much|"
    r"can'?t afford( it)?)\b"
)
# Words that point at the offer on the table: "eso", "la oferta", "that", "the programme".
# Asking to hear the offer again: "repíteme la oferta", "¿cuál era?", "say that again".
_REPEAT = re.compile(
    r"\b(repit\w*|repet\w*|otra vez|de nuevo|cual era|no (te |le )?(escuche|entendi|oi)|"
    r"repeat|again|come again|pardon|(didn'?t|did not) (hear|catch))\b"
)
_OFFER_REF = re.compile(
    r"\b(eso|esa|esto|oferta|programa|visita|beneficio|promo\w*|velocidad|datos|that|this|it|"
    r"offer|program\w*|visit|deal|speed|data)\b"
)
# A question, with or without its mark: "y cuanto me cobran x cancelar", "any penalty for
# cancelling", "whats included" (a leading "y", "and", "but" does not make it an answer).
_QUESTION = re.compile(
    r"\?|^((y|e|o|pero|and|but|so|or) )?(que|cual|como|cuanto|cuanta|cuando|por que|puedo|"
    r"se puede|si cancelo|y si|hay|tiene|tienen|do|does|is|are|can|what|whats|what'?s|how|when|"
    r"which|why|if|any)\b"
)
# A charge for leaving, named without the word cancel: "is there an early termination fee?".
_FEE = re.compile(r"\b(multas?|penalidad\w*|penalizacion\w*|fees?|penalt\w*)\b")
# Taking time to decide: "lo pienso", "dejame pensarlo", "let me think about it", "idk". Neither
# a yes nor a no, and no unclear answer either: nothing is recorded and the question stands.
_THINK = re.compile(
    r"\b(lo (voy a )?pienso|lo pensare|lo voy a pensar|pensarlo|dejame pensar\w*|"
    r"tengo que pensar\w*|necesito pensar\w*|dame (un )?tiempo|te (aviso|confirmo)|no se|"
    r"no estoy segur[oa]|let me think|i'?ll think|think (about it|it over)|need (some )?time|"
    r"not sure|idk|i don'?t know|get back to you|let you know)\b"
)
# Undecided about leaving itself: "no se si cancelar", "not sure whether to cancel".
_UNDECIDED = re.compile(
    r"\b(no se si|no estoy segur[oa] (de|si)|not sure (if|whether|about)|"
    r"don'?t know (if|whether))\b"
)
# A "no" taken back by the words after it: "no mejor cancelen", "no actually cancel it"; or a
# "no" that refuses the offer, thanked or addressed, before asking to cancel ("no gracias quiero
# cancelar", "no señor, igual cancelen", "no thanks I want to cancel").
_TAKE_BACK = frozenset(
    "mejor actually better wait espera gracias thanks thank igual pues bueno ok okay oiga mire "
    "senor senora senorita still".split()
)
_NEGATIONS = frozenset({"no", "not", "never", "nunca", "don't", "dont"})
# Thanks said beside the answer ("ok gracias pero no"): it answers nothing.
_THANKS = re.compile(r"^((ok|okay|vale|bueno|listo) )?(muchas )?(gracias|thanks|thank you|thx)$")
# A question about paying what is owed before leaving: "y si pago la deuda primero?".
_PAY = re.compile(r"\b(pag\w*|pay\w*|abon\w*|settl\w*|clear\w*|salda\w*)\b")
# "Cancelar" what is owed is paying it ("cancelar la factura"), never leaving the company.
_OWED = re.compile(
    r"\b(deudas?|facturas?|saldo|mora|cuotas?|pagos?|debo|recibos?|mensualidad|debts?|bills?|"
    r"balance|invoices?|arrears|payments?|owe)\b"
)
# Words that point the cancellation at one line: "solo el celular", "cancelen el internet".
_ONLY_THAT = re.compile(
    r"\b(solo|solamente|unicamente|nada mas|only|just|instead|cancel\w*|dar de baja|de baja)\b"
)
# A reason for leaving said instead of an answer: moving house ("me voy a mudar", "I'm moving")
# or abroad ("me voy del país", "I'm leaving the country"). It is heard once, and the question
# asked again: no knowledge-base article says a service can be moved, so nothing is promised.
_MOVING = re.compile(
    r"\b((me|nos) (voy|vamos) a (mudar|cambiar de casa|cambiar de ciudad|ir a vivir)|"
    r"(me|nos) (mudo|mudamos)|mudarme|mudarnos|mudanza|(me|nos) (cambio|cambiamos) de "
    r"(casa|ciudad|direccion)|(i'?m|i am|we'?re|we are) (moving|relocating)|"
    r"(i'?m|i am|we'?re|we are) going to (move|relocate)|moving (house|out|away)|relocat\w*)\b"
)
_ABROAD = re.compile(
    r"\b((me|nos) (voy|vamos|iremos|ire) (a ir )?(del|de este|fuera del|al) (pais|exterior|"
    r"extranjero)|(me|nos) (voy|vamos) a vivir (a|al|en) (otro pais|el exterior|el extranjero)|"
    r"(leaving|leave) the country|moving (abroad|overseas|to another country)|"
    r"(going|move|moving|relocating) (abroad|overseas))\b"
)
# An offer left unanswered or refused and handed over stays on record for the customer to take
# this many days later, in another conversation ("hola otra vez, acepto la oferta").
OFFER_VALID_DAYS = 30
# Outcomes whose offer may still be taken: nothing was cancelled and nobody kept the service.
OPEN_OFFER_OUTCOMES = ("abandoned", "escalated")
# Slot set while identity questions stand between the customer and an offer on record.
TAKE_SLOT = "take_offer"
# The offer on the table named, not a bare yes: "acepto el descuento", "acepto la oferta", "ok
# I'll take the discount", "I accept the offer".
_TAKES_OFFER = re.compile(
    r"\b((acepto|aceptamos|tomo|quiero|me quedo con)( (la|el|esa|esta|ese|este|su|tu))? "
    r"(oferta|promo|promocion|beneficio|descuento|visita|programa)|"
    r"(accept|take|i'?ll take|want) (the |that |this |your )?(offer|deal|promo|discount|visit|"
    r"program))\b"
)
# "y la otra también", "the other one too", "and the other line": the customer's other line.
_ALSO = re.compile(r"\b(tambien|too|also|as well|igual)\b")
# "cancelen todo", "cancel everything", "las dos", "both": every line, one at a time.
_EVERYTHING = re.compile(r"\b(todo|todito|everything|all)\b")
_DISCOUNT_CODE = re.compile(r"^discount_(\d+(?:\.\d+)?)_")
# What a turn that kept the service left on record: the steps a change of mind comes after.
KEPT_STEPS = frozenset({"retained", "kept_service", "cancellation_withdrawn"})
_CLAUSE_BREAK = re.compile(r"[,.;:!¡¿]+")
# Words that join two clauses as a comma would: "me quedo pero quiero bajar el plan".
_CONJUNCTIONS = "pero|y|but|and|though"
_CONJUNCTION = re.compile(rf" (?:{_CONJUNCTIONS}) ")
# A speaker's own subject after a no begins a new clause the no does not negate: in "no ill stay"
# the no answers the question and "I'll stay" says what the customer does.
_SUBJECT = re.compile(r"^(i|i'?ll|ill|i'?m|im|i'?d|we|we'?ll|yo)$")
# What the rest of a keep-the-service answer must say to be a request of its own ("solo bajar
# el plan", "I want a cheaper plan", "¿cuánto cuesta el de 300?"): "el internet ya funciona
# bien" asks nothing, whatever article its words are alike to.
_ASKS = re.compile(
    r"\b(quiero|quisiera|queria|necesito|me gustaria|prefiero|solo|solamente|nada mas|como|"
    r"cuanto|cuanta|cual|cuales|puedo|pueden|tienen|tiene|hay|want|wanna|need|would like|"
    r"i'?d like|just|only|rather have|how|what|which|can|could|do you have|is there|are there|"
    r"bajenme|bajeme|bajame|cambienme|cambieme|cambiame|pasenme|paseme|pasame|downgrade|"
    r"switch me|move me)\b"
)
# Words that join a request to the answer before it and say nothing of what it asks: "pero
# quiero bajar el plan" asks what "quiero bajar el plan" asks.
_JOINER = re.compile(
    rf"^(({_CONJUNCTIONS}|mejor|entonces|pues|bueno|tambien|ademas|better|so|well|also) )+"
)


def default_quadrant(ctx: TurnContext, customer: Customer) -> str:
    """Place a customer no analysis has scored yet, from payment history and billing.

    Conformity is low when an open account is more than ``LATE_DAYS`` past due; billing is
    high when the customer's monthly charge is at least the median of open accounts in the
    same currency (or the fixed ``billing_threshold``). Over ``COLLECTIONS_DAYS`` past due
    the customer is let go whatever the bill: a debtor is never offered a benefit.
    """
    accounts = [a for a in customer.accounts if a.status != "cancelled"]
    if not accounts:
        return "let_go"
    late = max(a.days_past_due for a in accounts)
    if late > COLLECTIONS_DAYS:
        return "let_go"
    currency = accounts[0].currency
    charge = sum((a.monthly_charge for a in accounts if a.currency == currency), Decimal(0))
    if ctx.settings.billing_threshold > 0:
        cut = Decimal(str(ctx.settings.billing_threshold))
    else:
        charges = ctx.session.scalars(
            select(Account.monthly_charge).where(
                Account.status != "cancelled", Account.currency == currency
            )
        ).all()
        cut = Decimal(str(median(charges))) if charges else Decimal(0)
    high_bill, high_conf = charge >= cut, late <= LATE_DAYS
    if high_conf:
        return "monitor" if high_bill else "care"
    return "retain" if high_bill else "let_go"


def _tenure_months(customer: Customer, today: date) -> int | None:
    opened = [a.opened_on for a in customer.accounts if a.opened_on is not None]
    if not opened:
        return None  # unknown: not held against the customer
    first = min(opened)
    return (today.year - first.year) * 12 + today.month - first.month


def quadrant(ctx: TurnContext) -> str:
    """Return the quadrant whose offer the customer gets.

    The latest analysis decides; before any, :func:`default_quadrant`. A *retain* customer
    below the managers' minimum tenure gets the preventive offer instead of the discount.
    """
    customer = ctx.customer
    if customer is None:
        return "let_go"
    score = ctx.session.get(CustomerScore, customer.id)  # one row per customer: the latest
    where = score.quadrant if score is not None else default_quadrant(ctx, customer)
    if where == "retain" and _short_tenure(ctx, customer):
        return "monitor"
    return where


def _short_tenure(ctx: TurnContext, customer: Customer) -> bool:
    """Return True when ``customer`` is below the managers' minimum tenure for an economic
    benefit (an unknown tenure is not held against them)."""
    minimum = int(current_config(ctx.session, ctx.settings)["offer_min_tenure_months"])
    tenure = _tenure_months(customer, ctx.today)
    return tenure is not None and tenure < minimum


def retain_discount(ctx: TurnContext) -> Decimal:
    """Return the discount (percent) a *retain* customer is offered: ``RETAIN_DISCOUNT`` within
    the managers' maximum discount, read at the moment of the offer (0: no discount)."""
    cap = current_config(ctx.session, ctx.settings)["offer_max_discount_percent"]
    return min(RETAIN_DISCOUNT, Decimal(str(cap)))


def _benefit(ctx: TurnContext) -> dict[str, object]:
    """Return the values the retention offer and its confirmation are said with."""
    discount = Decimal(ctx.state.slots.get("discount", "0"))
    return {"discount": percent(discount, ctx.language), "months": RETAIN_MONTHS}


def _benefit_kind(ctx: TurnContext) -> str:
    """Return which benefit the offer on the table is, as its templates are named: ``retain``
    (the discount), ``care`` (double speed), ``care_mobile`` (double data), ``monitor``."""
    return _kind_of(str(ctx.state.slots.get("offer") or ""))


def _kind_of(offer: str) -> str:
    """Return which benefit the offer code ``offer`` is (see :func:`_benefit_kind`)."""
    if offer.startswith("discount_"):
        return "retain"
    return {MOBILE_LOYALTY: "care_mobile", "preventive_visit": "monitor"}.get(offer, "care")


def _loyalty(account: Account) -> str:
    """Return the loyalty benefit that fits the account's product."""
    return MOBILE_LOYALTY if _MOBILE_PLAN.search(normalise(account.plan or "")) else OFFERS["care"]


def _discount_allowed(ctx: TurnContext) -> Decimal:
    """Return the discount a customer asking for one may be given instead of the offer made:
    the retain discount within the managers' maximum, for the minimum tenure (0: none)."""
    customer = ctx.customer
    if customer is None or _short_tenure(ctx, customer):
        return Decimal(0)
    return retain_discount(ctx)


def _on_the_bill(ctx: TurnContext, account: Account | None) -> dict[str, object]:
    """Return the values an answer about the offer is said with: the benefit, the monthly
    charge of ``account`` and that charge with the discount on the table."""
    charge = account.monthly_charge if account is not None else Decimal(0)
    currency = account.currency if account is not None else "COP"
    discount = Decimal(ctx.state.slots.get("discount", "0"))
    return {
        "charge": in_units(charge, currency),
        "reduced": in_units(charge * (100 - discount) / 100, currency),
        "currency": currency,
        **_benefit(ctx),
    }


def _explain(ctx: TurnContext, account: Account | None, asked_discount: bool = False) -> Decision:
    """Answer a question about the offer from its data (what it changes on the bill, for how
    long) and ask again whether the customer stays."""
    ctx.state.slots["explained"] = ctx.state.slots.get("explained", 0) + 1
    kind = _benefit_kind(ctx)
    said = ctx.say(
        f"retention_explain_{kind}", asked_discount=asked_discount, **_on_the_bill(ctx, account)
    )
    if asked_discount and kind != "retain":
        said = f"{ctx.say('retention_no_discount')} {said}"
    question = ctx.say("retention_question")
    return Decision(f"{said} {question}", step="explained_offer", question=question)


def _counter_discount(ctx: TurnContext, account: Account | None) -> Decision:
    """Answer "prefiero un descuento" to another offer: the discount instead when the managers'
    settings allow one, else what the offer on the table gives."""
    discount = _discount_allowed(ctx)
    if discount <= 0 or account is None:
        return _explain(ctx, account, asked_discount=True)
    slots = ctx.state.slots
    slots["offer"] = f"discount_{discount.normalize():f}_{RETAIN_MONTHS}m"
    slots["discount"], slots["retries"], slots["explained"] = str(discount), 0, 0
    said = ctx.say("retention_counter_discount", **_on_the_bill(ctx, account))
    return Decision(said, step=f"offered_{slots['offer']}", question=ctx.say("retention_question"))


def _asks_discount(ctx: TurnContext) -> bool:
    """Return True when the customer asks for a discount or gives the price as the reason ("está
    muy caro", "it's too expensive"; not "no quiero descuento", "no es caro")."""
    for clause in _clauses(ctx, ctx.text):
        if (match := _DISCOUNT.search(clause)) and not _NEGATED.search(clause[: match.start()]):
            return True
    return False


def _asks_about_offer(ctx: TurnContext) -> bool:
    """Return True when the turn asks about the offer rather than answering it."""
    text = ctx.text.strip().lower()
    norm = normalise(text)
    return bool(_QUESTION.search(text) or _ABOUT_OFFER.search(norm) or _REPEAT.search(norm))


def _clauses(ctx: TurnContext, text: str) -> list[str]:
    """Split ``text`` into the clauses its answer is read from: at punctuation, at a conjunction
    ("me quedo pero ..."), and after a no that answers rather than negates ("nah mejor no
    cancelo", "no ill stay"): "no me quedo" keeps its no."""
    clauses = []
    for part in _CLAUSE_BREAK.split(text):
        for clause in _CONJUNCTION.split(f" {normalise(part)} "):
            clauses.extend(_after_no(ctx, clause.split()))
    return [c for c in clauses if c]


def _after_no(ctx: TurnContext, words: list[str]) -> list[str]:
    """Cut a clause after each no that answers the question: a leading no-word that negates
    nothing ("nah", "nope") or any no before the speaker's own subject ("wait no I'll stay")."""
    cuts = [0]
    for end in range(min(3, len(words) - 1), 0, -1):
        said = " ".join(words[:end])
        if _bare(ctx, said) == "deny" and not _NEGATED.search(said):
            cuts.append(end)
            break
    cuts += [
        i
        for i in range(max(cuts) + 1, len(words))
        if _SUBJECT.match(words[i]) and _bare(ctx, words[i - 1]) == "deny"
    ]
    return [" ".join(words[a:b]) for a, b in zip(cuts, [*cuts[1:], len(words)], strict=True)]


def _refusal(ctx: TurnContext, clause: str) -> re.Match[str] | None:
    """Return where the clause refuses to cancel ("no cancelo", "I don't want to cancel"); a yes
    between the no and the verb takes the no back ("no mejor sí cancelen todo"), and so does
    "mejor" or "actually" with no second no ("no mejor cancelen", "no actually cancel it"; yet
    "no, mejor no cancelo" refuses)."""
    for start in range(len(clause)):
        if (match := _NOT_CANCEL.match(clause, start)) is None:
            continue
        between = match.group(0).split()[1:-1]
        if any(_bare(ctx, w) == "affirm" for w in between):
            continue
        if _TAKE_BACK.intersection(between) and not _NEGATIONS.intersection(between):
            continue
        return match
    return None


def _staying(clause: str) -> bool | None:
    """Return True when the clause says staying, False when it negates it, None otherwise."""
    match = _STAY.search(clause)
    if match is None:
        return None
    return not _NEGATED.search(clause[: match.start()])


def _takes_visit(ctx: TurnContext, clause: str) -> bool:
    """Return True when ``clause`` asks for the technician's visit the retention offer is ("bueno
    que venga el técnico", "yes send the technician"): the offer taken, never a new request."""
    return (
        ctx.state.awaiting == "retention"
        and ctx.state.slots.get("offer") == OFFERS["monitor"]
        and visit_asked(normalise(clause)) is not None
    )


def _answer(ctx: TurnContext, yes: str, no: str) -> str | None:
    """Read the answer to a yes/no question about leaving: ``stay``, ``leave``, or None.

    ``yes`` and ``no`` say what a bare yes and a bare no mean for this question. Words decide
    first, clause by clause ("no, quiero cancelar" is a no and a cancellation); a reading that
    says both, a question, or nothing clear is None. The model's guess counts only when sure.
    """
    if _QUESTION.search(ctx.text.strip().lower()):
        return None
    votes: set[str] = set()
    clauses = _clauses(ctx, ctx.text)
    for clause in clauses:
        if len(clauses) > 1 and _THANKS.match(clause):
            continue
        stay = True if _takes_visit(ctx, clause) else _staying(clause)
        if _refusal(ctx, clause) or stay:
            votes.add("stay")
        elif stay is False or _NOT_STAY.search(clause) or _CANCEL.search(clause):
            votes.add("leave")
        elif (bare := apply_rules(clause, source="text", language=ctx.language).intent) in (
            "affirm",
            "deny",
        ):
            votes.add(yes if bare == "affirm" else no)
    if votes:
        return votes.pop() if len(votes) == 1 else None
    understood = ctx.understood
    if understood.tier not in ("rules", "llm") and understood.confidence < ANSWER_MIN_CONFIDENCE:
        return None
    return {"affirm": yes, "deny": no, "cancellation": "leave"}.get(understood.intent)


def _account(ctx: TurnContext) -> Account | None:
    """Return the account being cancelled (a flow begun before accounts were named: the
    conversation's account, the one its confirmation named)."""
    if (account_id := ctx.state.slots.get("account")) is None:
        return ctx.account
    return ctx.session.get(Account, account_id)


def _request_of(ctx: TurnContext, account: Account) -> CancellationRequest | None:
    """Return the account's cancellation request, the latest when older data holds several."""
    return _latest_request(ctx.session, account)


def _latest_request(session: Session, account: Account) -> CancellationRequest | None:
    return session.scalars(
        select(CancellationRequest)
        .where(CancellationRequest.account_id == account.id)
        .order_by(CancellationRequest.id.desc())
    ).first()


def _audit(ctx: TurnContext, action: str, row: CancellationRequest, before: str) -> None:
    _audit_row(ctx.session, ctx.interaction.id, action, row, before)


def _audit_row(
    session: Session, interaction_id: int, action: str, row: CancellationRequest, before: str
) -> None:
    record_audit(
        session,
        None,
        action,
        f"cancellation:{row.id}",
        {"outcome": before},
        {"outcome": row.outcome, "interaction_id": interaction_id},
    )


def _record(ctx: TurnContext, outcome: str) -> None:
    """Write how the request ended (see :func:`_write`)."""
    account = _account(ctx)
    if account is None:
        return
    _write(ctx.session, ctx.interaction.id, account, ctx.state.slots, outcome)
    ctx.state.outcome_detail = outcome


def _write(
    session: Session, interaction_id: int, account: Account, slots: dict[str, Any], outcome: str
) -> None:
    """Write how the request ended: one row per account, updated (and audited) when the
    account already has one."""
    row = _latest_request(session, account)
    if row is None:
        session.add(
            CancellationRequest(
                account_id=account.id,
                interaction_id=interaction_id,
                quadrant=slots.get("quadrant", "care"),
                offer=slots.get("offer"),
                outcome=outcome,
            )
        )
    else:
        before = row.outcome
        row.interaction_id, row.outcome = interaction_id, outcome
        row.quadrant, row.offer = slots.get("quadrant", row.quadrant), slots.get("offer")
        row.processed_at = row.processed_by = None  # a new outcome is new work for the team
        session.flush()
        _audit_row(session, interaction_id, "cancellation.update", row, before)


def record_abandoned(session: Session, interaction: Interaction) -> bool:
    """Record the request of a conversation left while the retention offer or the confirmation
    waited (no answer, a hang-up) as ``abandoned``, with the account and the offer made: the
    team sees the customer wanted to leave. Call it when the interaction closes abandoned;
    return True when a request was written."""
    state = DialogState.load(interaction.state)
    if not left_waiting(session, interaction.id, state, ABANDONED):
        return False
    state.outcome_detail = ABANDONED
    interaction.state = state.dump()
    return True


def left_waiting(session: Session, interaction_id: int, state: DialogState, outcome: str) -> bool:
    """Record the request as ``outcome`` when ``state`` leaves the flow while the offer or the
    confirmation waits (a silent caller handed over, a conversation left); return True when a
    request was written. Call it before the state leaves the flow."""
    if state.flow != "cancellation" or state.awaiting not in WAITING:
        return False
    account_id = state.slots.get("account", state.account_id)
    account = session.get(Account, account_id) if account_id is not None else None
    if account is None:
        return False
    _write(session, interaction_id, account, state.slots, outcome)
    if outcome == "escalated":
        state.handoff["cancellation"] = {
            "account": account.number,
            "offer": state.slots.get("offer"),
        }
    return True


def standing(ctx: TurnContext) -> list[CancellationRequest]:
    """Return the customer's recorded cancellations still to be carried out, latest first."""
    open_ids = [a.id for a in accounts.open_accounts(ctx.customer)]
    if not open_ids:
        return []
    return list(
        ctx.session.scalars(
            select(CancellationRequest)
            .where(
                CancellationRequest.account_id.in_(open_ids),
                CancellationRequest.outcome == "cancelled",
            )
            .order_by(CancellationRequest.id.desc())
        )
    )


def withdraws(ctx: TurnContext) -> bool:
    """Return True when the turn takes back a cancellation ("mejor no cancelo, me quedo", "que
    NO lo cancelen"): outside the cancellation flow, a recorded one stands or the turn was read
    as a cancellation while it negates it (never start a cancellation on "no cancelen")."""
    if not ctx.understood.entities.get("keep_service"):
        return False
    if ctx.state.flow in ("cancellation", "debt", "payment"):
        return False  # there "no cancelo" answers the flow (in debt talk, cancelar is paying)
    if any(_NOT_CANCEL.search(c) and not _refusal(ctx, c) for c in _clauses(ctx, ctx.text)):
        return False  # "no mejor sí cancelen todo": the yes took the no back
    if ctx.understood.intent == "cancellation":
        return True
    return ctx.state.customer_id is not None and bool(standing(ctx))


def withdraw(ctx: TurnContext) -> Decision:
    """Withdraw the customer's recorded cancellation (audited) and tell them the service stays;
    with none recorded, only tell them nothing will be cancelled."""
    if (question := identity.require(ctx, identity.VERIFIED, "cancellation")) is not None:
        accounts.remember_named(ctx)
        ctx.state.slots[WITHDRAW_SLOT] = True
        return question
    rows = standing(ctx)
    digits = accounts.request_digits(ctx)
    texts = identity.request_texts(ctx, "cancellation")
    ctx.state.finish()
    # "No quiero cancelar, solo bajar el plan": once told nothing is cancelled, the plan.
    _queue_other_request(ctx, texts)
    if not rows:
        return Decision(ctx.say("cancel_none_standing"), step="kept_service", resolved=True)
    held = {a.id: a for a in accounts.open_accounts(ctx.customer)}
    named = {a.id for a in accounts.named(digits, list(held.values()))} if digits else set()
    row = next((r for r in rows if r.account_id in named), rows[0])
    if row.processed_at is not None:
        return _too_late(ctx, row, held[row.account_id], row.processed_at)
    row.outcome, row.interaction_id = WITHDRAWN, ctx.interaction.id
    ctx.session.flush()
    _audit(ctx, "cancellation.withdraw", row, "cancelled")
    ctx.state.outcome_detail = WITHDRAWN
    return Decision(
        ctx.say("cancel_withdrawn", account=held[row.account_id].number),
        step="cancellation_withdrawn",
        resolved=True,
    )


def _too_late(
    ctx: TurnContext, row: CancellationRequest, account: Account, processed_at: datetime
) -> Decision:
    """The team already processed the cancellation (at ``processed_at``): only a person can
    restore the service, so the request stays as recorded and the withdrawal goes to one."""
    processed = local_date(processed_at, ctx.zone)
    ctx.state.handoff["withdrawal"] = {
        "request_id": row.id,
        "account": account.number,
        "processed_on": processed.isoformat(),
    }
    ctx.state.outcome_detail = "withdrawal_after_processing"
    return Decision(
        ctx.say("cancel_withdraw_processed", account=account.number, on=processed),
        ESCALATE,
        reason="cancellation_withdrawal",
        step="withdrawal_after_processing",
    )


def start(ctx: TurnContext) -> Decision:
    """Make the quadrant's retention offer, or go straight to confirming for ``let_go``.

    The cancellation is for the account the customer named (its number or last digits); a
    customer with several accounts who named none is asked which one, and one who asked for
    every line ("cancelen todo", "cancel everything") is told they go one at a time and asked
    which first. Resumed after identity questions asked for a withdrawal or for an offer on
    record, that goes on instead.
    """
    if ctx.state.slots.get(WITHDRAW_SLOT):
        return withdraw(ctx)
    if (row_id := ctx.state.slots.get(TAKE_SLOT)) is not None:
        ctx.state.finish()
        row = ctx.session.get(CancellationRequest, row_id)
        if row is not None and row.outcome in OPEN_OFFER_OUTCOMES:
            return _take_recorded(ctx, row)
    account = accounts.for_request(ctx, "cancellation", "cancellation")
    if isinstance(account, Decision):
        return _one_at_a_time(ctx, account)
    return _offer(ctx, account)


def _one_at_a_time(ctx: TurnContext, asked: Decision) -> Decision:
    """Word the account question for a request of every line ("cancelen todo", "las dos", "cancel
    everything"): they go one at a time, the first chosen now; any other question as asked."""
    if asked.step != "asked_which_account":
        return asked
    said = [normalise(t) for t in identity.request_texts(ctx, "cancellation")]
    if not any(accounts.EVERY_ACCOUNT.search(t) or _EVERYTHING.search(t) for t in said):
        return asked
    listed = [{"number": a.number, "plan": a.plan} for a in accounts.listed_accounts(ctx)]
    values = {"accounts": listed, "purpose": "cancellation"}
    return Decision(
        ctx.say("which_account_first", **values),
        step="asked_which_account_first",
        question=ctx.say("which_account_again_question", **values),
    )


def follows_up(ctx: TurnContext) -> Decision | None:
    """Cancel the customer's other line when, right after a cancellation was recorded, they ask
    for it ("y la otra también", "the other one too"): its confirmation is asked, without the
    offer the customer already turned down. None when the turn asks nothing of the kind."""
    state = ctx.state
    if state.awaiting not in (None, "confirm_resolution") or "cancelled" not in state.steps[-1:]:
        return None
    norm = normalise(ctx.text)
    if not accounts.OTHER_ACCOUNT.search(norm) or _OWED.search(norm) or re.search(r"\bno\b", norm):
        return None
    if not (_ALSO.search(norm) or _CANCEL.search(norm) or len(norm.split()) <= 4):
        return None
    done = {row.account_id for row in standing(ctx)}
    others = [a for a in accounts.open_accounts(ctx.customer) if a.id not in done]
    if len(others) != 1:
        state.finish()
        return start(ctx)
    state.start("cancellation", "cancel_confirm", quadrant=quadrant(ctx), offer=None)
    state.slots["account"] = others[0].id
    return _confirm(ctx, others[0].number)


def _accepts(ctx: TurnContext) -> bool:
    """Return True when the turn takes the offer in words ("bueno sí acepto el descuento", "ok
    I'll take the discount", "acepto la oferta") and says no leaving or question with it."""
    norm = normalise(ctx.text)
    if not _TAKES_OFFER.search(norm) or _refuses_offer(ctx):
        return False
    return _answer(ctx, yes="stay", no="leave") == "stay"


def taken_after_hand_over(ctx: TurnContext) -> Decision | None:
    """Take the offer a customer handed over at it accepts afterwards in the same conversation
    ("bueno sí acepto el descuento", "ok I'll take the discount"): recorded as retained with
    that offer, as an acceptance at the offer is, and the escalation closed with a note (left
    open, noted, when an agent holds it). None when the turn takes no offer on record."""
    if not _accepts(ctx):
        return None
    row = ctx.session.scalars(
        select(CancellationRequest)
        .where(
            CancellationRequest.interaction_id == ctx.interaction.id,
            CancellationRequest.outcome.in_(OPEN_OFFER_OUTCOMES),
            CancellationRequest.offer.is_not(None),
        )
        .order_by(CancellationRequest.id.desc())
    ).first()
    return None if row is None else _take_recorded(ctx, row)


def takes_offer_on_record(ctx: TurnContext) -> Decision | None:
    """Take the offer still on record for the customer when a later conversation accepts it
    ("hola otra vez, acepto la oferta", "hi again, I accept the offer"): the latest offer left
    unanswered or handed over within ``OFFER_VALID_DAYS``, once the customer is verified. None
    when a flow is under way, the turn takes no offer, or none is on record."""
    state = ctx.state
    if state.flow is not None or state.awaiting not in (None, "confirm_resolution"):
        return None
    if ctx.customer is None or not _accepts(ctx):
        return None
    held = [a.id for a in accounts.open_accounts(ctx.customer)]
    since = utcnow() - timedelta(days=OFFER_VALID_DAYS)
    row = ctx.session.scalars(
        select(CancellationRequest)
        .where(
            CancellationRequest.account_id.in_(held),
            CancellationRequest.outcome.in_(OPEN_OFFER_OUTCOMES),
            CancellationRequest.offer.is_not(None),
            CancellationRequest.created_at >= since,
        )
        .order_by(CancellationRequest.id.desc())
    ).first()
    if row is None:
        return None
    if (question := identity.require(ctx, identity.VERIFIED, "cancellation")) is not None:
        ctx.state.slots[TAKE_SLOT] = row.id
        return question
    state.finish()
    return _take_recorded(ctx, row)


def _take_recorded(ctx: TurnContext, row: CancellationRequest) -> Decision:
    """Record the offer on ``row`` accepted (retained, as :func:`_retained` records it), settle
    the escalation it was handed over with, and tell the customer what was recorded."""
    account = ctx.session.get_one(Account, row.account_id)
    offer = str(row.offer or "")
    code = _DISCOUNT_CODE.match(offer)
    discount = Decimal(code.group(1)) if code else Decimal(0)
    handed_over_in = row.interaction_id if row.outcome == "escalated" else None
    slots = {"quadrant": row.quadrant, "offer": row.offer}
    _write(ctx.session, ctx.interaction.id, account, slots, "retained")
    ctx.state.outcome_detail = "retained"
    ctx.state.offer_accepted = True
    if handed_over_in is not None:
        _settle_escalation(ctx, handed_over_in, offer)
    said = ctx.say(
        f"retained_{_kind_of(offer)}",
        account=account.number,
        discount=percent(discount, ctx.language),
        months=RETAIN_MONTHS,
    )
    return Decision(said, step="retained", resolved=True)


def _translated(key: str, language: str) -> str:
    return translate(key, language)


def _settle_escalation(ctx: TurnContext, interaction_id: int, offer: str) -> None:
    """Close the escalations of conversation ``interaction_id`` still waiting for a person (the
    customer took the offer: nothing is left to do), noting why; one an agent holds stays open
    with the note, for the agent to close."""
    waiting = ctx.session.scalars(
        select(Escalation).where(
            Escalation.interaction_id == interaction_id,
            Escalation.status.in_(("open", "claimed", "abandoned")),
        )
    ).all()
    for escalation in waiting:
        language = escalation.interaction.language or ctx.language
        words = offer_words(offer, partial(_translated, language=language), language)
        note = translate("note_offer_taken_after_handoff", language).format(offer=words)
        before = {"status": escalation.status, "notes": escalation.notes}
        escalation.notes = f"{escalation.notes}\n{note}" if escalation.notes else note
        if escalation.status != "claimed":
            escalation.status, escalation.resolution = "resolved", "offer_accepted"
            escalation.resolved_at = utcnow()
        record_audit(
            ctx.session,
            None,
            "escalation.offer_taken",
            f"escalation:{escalation.id}",
            before=before,
            after={"status": escalation.status, "notes": escalation.notes},
        )


def _offer(ctx: TurnContext, account: Account) -> Decision:
    recorded = _request_of(ctx, account)
    if recorded is not None and recorded.outcome == "cancelled":
        # Asked again: the recorded request stands; a second one is never written.
        ctx.state.finish()
        return Decision(
            ctx.say(
                "cancel_already",
                account=account.number,
                on=local_date(recorded.created_at, ctx.zone),
            ),
            step="told_cancellation_standing",
            resolved=True,
        )
    where = quadrant(ctx)
    offer = _loyalty(account) if where == "care" else OFFERS.get(where)
    discount = Decimal(0)
    if where == "retain" and (discount := retain_discount(ctx)) > 0:
        offer = f"discount_{discount.normalize():f}_{RETAIN_MONTHS}m"
    if offer is None:
        # No benefit (let go, or a maximum discount of 0): straight to the confirmation.
        ctx.state.start(
            "cancellation", "cancel_confirm", quadrant=where, offer=None, account=account.id
        )
        return _confirm(ctx, account.number)
    ctx.state.start(
        "cancellation",
        "retention",
        quadrant=where,
        offer=offer,
        discount=str(discount),
        account=account.id,
    )
    if _kept_before(ctx) and _refuses_offer(ctx):
        # "No espera, no quiero la oferta, quiero cancelar" after taking it: refused, not
        # made again.
        return _refused(ctx, account.number)
    return Decision(
        ctx.say(f"cancel_offer_{_benefit_kind(ctx)}", **_benefit(ctx)), step=f"offered_{offer}"
    )


def _confirm(ctx: TurnContext, number: str) -> Decision:
    """Ask to confirm the cancellation of account ``number`` (after a silence, the question
    alone, without "Entendido.")."""
    return Decision(
        ctx.say("cancel_confirm", account=number),
        step="asked_cancel",
        question=ctx.say("cancel_confirm_question", account=number),
    )


def _again(ctx: TurnContext, key: str, **values: object) -> Decision:
    """Ask the same question once more; a second unclear answer goes to a person."""
    state = ctx.state
    if state.slots.get("retries", 0) >= 1:
        handed_over(ctx)
        state.finish()
        return Decision("", ESCALATE, reason="not_understood")
    state.slots["retries"] = state.slots.get("retries", 0) + 1
    return Decision(
        ctx.say(key, **values),
        step="asked_cancel_again",
        question=ctx.say(f"{key}_question", **values),
    )


def _retained(ctx: TurnContext) -> Decision:
    """Record the accepted offer and say what was recorded and who carries it out."""
    _record(ctx, "retained")
    account = _account(ctx)
    said = ctx.say(
        f"retained_{_benefit_kind(ctx)}",
        account=account.number if account else "",
        **_benefit(ctx),
    )
    ctx.state.offer_accepted = True
    ctx.state.finish()
    _queue_other_request(ctx)
    return Decision(said, step="retained", resolved=True)


def _kept(ctx: TurnContext) -> Decision:
    """Keep the service with no offer taken, then serve what else the message asked."""
    ctx.state.finish()
    _queue_other_request(ctx)
    return Decision(ctx.say("cancel_kept"), step="kept_service", resolved=True)


def _queue_other_request(ctx: TurnContext, texts: list[str] | None = None) -> None:
    """Queue the request said besides keeping the service ("no quiero cancelar, solo saber el
    saldo", "me quedo, pero quiero bajar el plan"): the engine takes it up once the
    cancellation is settled. Call it after leaving the flow."""
    other = _other_request(ctx, texts or [ctx.text])
    if other is None:
        return
    topic, question = other
    if topic == "product_info":
        product_info.queue(ctx, question)  # answered from its own words, not the whole message
    elif topic not in ctx.state.queued:
        ctx.state.queued.append(topic)


def _other_request(ctx: TurnContext, texts: list[str]) -> tuple[str, str] | None:
    """Return the request (topic, and the words that ask it) one of ``texts`` makes besides
    keeping the service: a topic named after "no quiero cancelar", else a product question an
    article answers ("..., quiero un plan más barato"); None when they ask nothing else."""
    for text in texts:
        if (other := besides_cancelling(normalise(text))) is not None:
            return other[0], text
        for asked in _besides_keeping(ctx, text):
            if _ASKS.search(asked) and product_info.answers(ctx, asked):
                return "product_info", asked
    return None


def _besides_keeping(ctx: TurnContext, text: str) -> list[str]:
    """Return what ``text`` says besides keeping the service and a bare yes or no, clause by
    clause: the words around a refusal to cancel, those after staying ("me quedo, pero quiero
    bajar el plan"), every other clause whole. The whole message would drown the request in the
    refusal's words, and a clause on the offer ("con el descuento") in another's."""
    said = []
    for clause in _clauses(ctx, text):
        if (rest := besides_refusal(clause)) is not None:
            said.append(rest)
            continue
        kept = [m.end() for m in (_refusal(ctx, clause), _STAY.search(clause)) if m]
        if kept:
            said.append(clause[max(kept) :])
        elif _bare(ctx, clause) is None:
            said.append(clause)
    return [_JOINER.sub("", part.strip()) for part in said if part.strip()]


def _keeps(ctx: TurnContext) -> bool:
    """Return True when the turn keeps the service in words, or says a bare no besides asking
    something ("no, pero tienen algo más barato?"), and says leaving in none (a bare no may
    refuse the offer: "no, mejor no cancelo, quiero bajar el plan")."""
    kept = False
    for clause in _clauses(ctx, ctx.text):
        stay = _staying(clause)
        if _refusal(ctx, clause) or stay or _bare(ctx, clause) == "deny":
            kept = True
        elif stay is False or _NOT_STAY.search(clause) or _CANCEL.search(clause):
            return False
    return kept


def _bare(ctx: TurnContext, clause: str) -> str | None:
    """Return ``affirm`` or ``deny`` when the clause is a bare yes or no, else None."""
    intent = apply_rules(clause, source="text", language=ctx.language).intent
    return intent if intent in ("affirm", "deny") else None


def _kept_asking(ctx: TurnContext) -> Decision:
    """Keep the service for a customer who answered the offer by asking something else: staying
    takes the offer ("me quedo, y quiero saber el saldo") unless a bare no refused it ("no,
    mejor no cancelo, quiero bajar el plan"); then the other request is served."""
    if all(_bare(ctx, clause) != "deny" for clause in _clauses(ctx, ctx.text)):
        return _retained(ctx)
    ctx.state.slots["offer"] = None  # nothing for the team to apply
    _record(ctx, "retained")
    return _kept(ctx)


def reply(ctx: TurnContext) -> Decision:
    """Handle the answer to the account question, the retention offer or the confirmation.

    Only a clear yes to "do you confirm?" (or a cancellation said in words) records a
    cancellation; staying said in words ("me quedo", "acepto la visita", "I'll stay") keeps the
    service with the offer accepted; a question about the offer or a discount asked for is
    answered (:func:`_explain`, :func:`_counter_discount`); anything unclear asks again, then
    goes to a person.
    """
    state = ctx.state
    if state.awaiting == accounts.AWAITING:
        if any(_staying(c) or _refusal(ctx, c) for c in _clauses(ctx, ctx.text)):
            return _kept(ctx)  # "mejor no cancelo": no account was chosen, nothing to record
        picked = accounts.answer(ctx)
        return picked if isinstance(picked, Decision) else _offer(ctx, picked)
    account = _account(ctx)
    number = account.number if account else ""
    if state.awaiting == "retention":
        if (other := _other_line(ctx, account)) is not None:
            return _offer(ctx, other)  # "no, solo el celular": that line's offer instead
        if (thinking := _thinking(ctx, ctx.say("retention_again_question"))) is not None:
            return thinking  # "lo pienso": neither a yes nor a no
        if (told := _debt_first(ctx, account, ctx.say("retention_question"))) is not None:
            return told  # "¿y si pago la deuda primero?" asks about the debt, not the offer
        if _keeps(ctx) and _other_request(ctx, [ctx.text]) is not None:
            return _kept_asking(ctx)  # before the discount: "a cheaper plan" is not the offer
        discount_asked = _asks_discount(ctx)
        if discount_asked and _benefit_kind(ctx) != "retain":
            return _counter_discount(ctx, account)  # "sí, pero prefiero un descuento"
        answer = _answer(ctx, yes="stay", no="leave")
        if answer == "stay":
            return _retained(ctx)
        if answer == "leave":
            return _refused(ctx, number)
        if (heard := _reason_heard(ctx, ctx.say("retention_question"))) is not None:
            return heard  # "me voy a mudar": a reason, not an unclear answer
        if (told := _about_cancelling(ctx, ctx.say("retention_question"))) is not None:
            return told  # "¿cuánto me cobran por cancelar?" asks about leaving, not the offer
        asked = discount_asked or _asks_about_offer(ctx)
        if asked and state.slots.get("explained", 0) < MAX_EXPLAINED:
            return _explain(ctx, account, asked_discount=discount_asked)
        return _again(ctx, "retention_again")
    if state.awaiting == "cancel_confirm":
        if (other := _other_line(ctx, account)) is not None:
            # "sí, cancelar la 3104447654", "no, solo el celular" while confirming another
            # account: confirm that one. The offer refused was that account's: none was made
            # for this one, and none is recorded on it.
            state.slots["account"], state.slots["retries"] = other.id, 0
            state.slots["offer"] = None
            return _confirm(ctx, other.number)
        again = ctx.say("cancel_confirm_again_question", account=number)
        if (thinking := _thinking(ctx, again)) is not None:
            return thinking
        question = ctx.say("cancel_confirm_question", account=number)
        if (told := _debt_first(ctx, account, question)) is not None:
            return told
        if _keeps(ctx) and _other_request(ctx, [ctx.text]) is not None:
            answer = "stay"  # "no, pero ¿tienen algo más barato?" asks, then stays
        else:
            answer = _answer(ctx, yes="leave", no="stay")
        if answer == "leave":
            _record(ctx, "cancelled")
            state.finish()
            return Decision(ctx.say("cancel_done"), step="cancelled", resolved=True)
        if answer == "stay":
            if state.slots.get("offer") and _said_stay(ctx):
                return _retained(ctx)  # "mejor me quedo, acepto la visita": the offer stands
            # A bare no keeps the service without the offer refused before: nothing to apply.
            state.slots["offer"] = None
            _record(ctx, "retained")
            return _kept(ctx)
        if (heard := _reason_heard(ctx, question)) is not None:
            return heard
        if (told := _about_cancelling(ctx, question)) is not None:
            return told
        return _again(ctx, "cancel_confirm_again", account=number)
    state.finish()
    return Decision("", ESCALATE, reason="not_understood")


def _leaving_reason(ctx: TurnContext) -> str | None:
    """Return the reason for leaving the turn gives (``abroad``, ``moving``), else None."""
    norm = normalise(ctx.text)
    if _ABROAD.search(norm):
        return "abroad"
    return "moving" if _MOVING.search(norm) else None


def _reason_heard(ctx: TurnContext, question: str) -> Decision | None:
    """Acknowledge a reason for leaving given instead of an answer ("me voy a mudar", "I'm
    moving") and ask ``question`` again, once per flow: a reason is no unclear answer, and
    never counts towards a person."""
    slots = ctx.state.slots
    if slots.get("reason_heard") or (reason := _leaving_reason(ctx)) is None:
        return None
    slots["reason_heard"] = reason
    said = ctx.say("cancel_reason_heard", abroad=reason == "abroad")
    return Decision(f"{said} {question}", step="heard_leaving_reason", question=question)


def _about_cancelling(ctx: TurnContext, question: str) -> Decision | None:
    """Answer a question about cancelling itself asked at the offer or the confirmation ("¿cuánto
    me cobran por cancelar?", "is there a cancellation fee?") from the article that answers it,
    then ask ``question`` again; None when it asks nothing of the kind or no article answers."""
    if (match := _cancelling_article(ctx)) is None:
        return None
    said = ctx.say("kb_answer", answer=match.answer, title=match.article.title)
    return Decision(f"{said} {question}", step=f"answered_{match.article.slug}", question=question)


def _is_question(text: str) -> bool:
    """Return True when ``text`` asks something, with or without its question mark."""
    return bool(_QUESTION.search(text.strip().lower()) or _QUESTION.search(normalise(text)))


def _cancelling_article(ctx: TurnContext) -> Match | None:
    """Return the article answering the turn when it asks about cancelling itself ("¿cuánto me
    cobran por cancelar?", "is there an early termination fee?"), else None."""
    norm = normalise(ctx.text)
    if not _is_question(ctx.text) or not (_CANCEL.search(norm) or _FEE.search(norm)):
        return None
    question = ctx.text
    if not _CANCEL.search(norm) and (fee := _FEE.search(norm)) is not None:
        # A fee asked about while leaving is the fee for leaving: search for that, not for the
        # other words ("is there an early termination fee?").
        question = f"{fee.group(0)} {'cancel' if ctx.language == 'en' else 'cancelar'}"
    least = float(current_config(ctx.session, ctx.settings)["knowledge_min_score"])
    match = article_for(ctx.settings, ctx.language, ctx.market, question, least)
    return None if match is None or match.other_market else match


def _thinking(ctx: TurnContext, question: str) -> Decision | None:
    """Answer "lo pienso", "let me think about it" at the offer or the confirmation: nothing is
    recorded, the service stays and ``question`` waits for the answer (silence until the
    conversation closes records the request abandoned); "no sé si cancelar" is undecided too.
    None when the turn decides: leaving or staying."""
    if not _undecided(ctx):
        return None
    confirming = ctx.state.awaiting == "cancel_confirm"
    said = ctx.say("cancel_think_it_over", confirming=confirming)
    return Decision(said, step="thinking_it_over", question=question)


def _undecided(ctx: TurnContext) -> bool:
    """Return True when the turn takes time to decide ("lo pienso", "idk", "no sé si cancelar")
    and decides nothing ("no sé, mejor cancelen" leaves, "lo pensé mejor, me quedo" stays)."""
    norm = normalise(ctx.text)
    if not _THINK.search(norm) or _said_stay(ctx):
        return False
    return not _CANCEL.search(norm) or bool(_UNDECIDED.search(norm))


def _asks_debt_first(ctx: TurnContext) -> bool:
    """Return True when the turn asks about paying what is owed before leaving ("y si pago la
    deuda primero?", "what if I pay the debt first")."""
    norm = normalise(ctx.text)
    return _is_question(ctx.text) and bool(_OWED.search(norm) and _PAY.search(norm))


def _debt_first(ctx: TurnContext, account: Account | None, question: str) -> Decision | None:
    """Tell what ``account`` owes and that cancelling does not clear it, then ask ``question``
    again; None when the turn asks nothing of the kind."""
    if account is None or not _asks_debt_first(ctx):
        return None
    said = ctx.say(
        "cancel_debt_first",
        account=account.number,
        debt=in_units(account.debt_amount or Decimal(0), account.currency),
        currency=account.currency,
    )
    return Decision(f"{said} {question}", step="told_debt_before_cancelling", question=question)


def _other_line(ctx: TurnContext, account: Account | None) -> Account | None:
    """Return another of the customer's accounts the answer names instead of ``account``: by
    its digits ("sí, cancelar la 3104447654"), or by its product when it asks to cancel or says
    only that one ("no, solo el celular", "cancel the mobile instead"); never when it keeps the
    service ("no, me quedo con el celular") or only gives a reason ("el internet funciona bien")."""
    if account is None:
        return None
    held = accounts.open_accounts(ctx.customer)
    named = accounts.named(accounts.digits_named(ctx.text), held)
    pointed = _ONLY_THAT.search(normalise(ctx.text)) or _only_a_line(ctx, held)
    if not named and pointed and not _said_stay(ctx):
        clauses = _clauses(ctx, ctx.text)
        if not any(_refusal(ctx, c) for c in clauses):
            named = [line] if (line := accounts.by_plan(ctx.text, held)) is not None else []
    return named[0] if len(named) == 1 and named[0].id != account.id else None


def _only_a_line(ctx: TurnContext, held: list[Account]) -> bool:
    """Return True when the answer is a bare yes or no and a line, nothing else ("no, el
    celular", "no, the mobile one"): that line is the one meant; a reason ("no, el internet
    funciona bien") is no line named."""
    said = [c for c in _clauses(ctx, ctx.text) if _bare(ctx, c) is None]
    return bool(said) and all(
        len(c.split()) <= 3 and not denies_problem(c) and accounts.by_plan(c, held) is not None
        for c in said
    )


def _refused(ctx: TurnContext, number: str) -> Decision:
    """The offer refused: a *retain* customer goes to a person, who sees which account the
    customer wants cancelled and what was refused; anyone else is asked to confirm."""
    state = ctx.state
    if state.slots.get("quadrant") == "retain":
        _record(ctx, "escalated")
        state.handoff["cancellation"] = {"account": number, "offer": state.slots.get("offer")}
        state.finish()
        return Decision(ctx.say("handoff_offer_refused"), ESCALATE, reason="retention_refused")
    state.awaiting = "cancel_confirm"
    state.slots["retries"] = 0
    return _confirm(ctx, number)


def handed_over(ctx: TurnContext) -> None:
    """Record the request as escalated when the conversation goes to a person while the offer
    or the confirmation waits ("no, quiero hablar con un asesor", twice unclear): as after a
    refused offer, the person and the team see the account and the offer made. Call it before
    leaving the flow."""
    state = ctx.state
    if state.flow != "cancellation" or state.awaiting not in WAITING:
        return
    if (account := _account(ctx)) is None:
        return
    _record(ctx, "escalated")
    state.handoff["cancellation"] = {"account": account.number, "offer": state.slots.get("offer")}


def set_aside(ctx: TurnContext) -> None:
    """Record the request as ``abandoned`` when the customer turns to another topic while the
    offer or the confirmation waits ("¿y cuánto debo?"): the offer goes unanswered, yet the
    team sees the customer wanted to leave, whatever the conversation does next. Call it
    before leaving the flow."""
    left_waiting(ctx.session, ctx.interaction.id, ctx.state, ABANDONED)


def _refuses_offer(ctx: TurnContext) -> bool:
    """Return True when the turn refuses an offer in words ("no quiero la oferta", "I don't
    want the offer", "no me interesa")."""
    return any(_staying(c) is False or _NOT_STAY.search(c) for c in _clauses(ctx, ctx.text))


def _kept_before(ctx: TurnContext) -> bool:
    """Return True when the service was kept earlier in this conversation (an offer accepted,
    a cancellation refused or taken back)."""
    return bool(KEPT_STEPS.intersection(ctx.state.steps))


def changes_mind(ctx: TurnContext) -> bool:
    """Return True when, the service kept earlier in the conversation, the turn asks to cancel
    in words ("no mejor sí cancelen todo", "wait no, I don't want the offer, cancel it"): a
    clear change of mind, not a guess to ask about. Cancelling what is owed ("cancelar la
    factura") is paying it, never this."""
    if not _kept_before(ctx) or _OWED.search(normalise(ctx.text)):
        return False
    asked = any(_CANCEL.search(c) and not _refusal(ctx, c) for c in _clauses(ctx, ctx.text))
    return asked and _answer(ctx, yes="stay", no="leave") == "leave"


def stays_asking(ctx: TurnContext) -> tuple[str, str] | None:
    """Return the request (topic, and the words that ask it) a message makes besides staying
    ("me quedo pero quiero un plan más barato", "I'll stay but I want a cheaper plan"): staying
    asks nothing, the rest is the request. None when it says no staying, says leaving too or
    asks nothing else."""
    if not _said_stay(ctx) or not _keeps(ctx):
        return None
    return _other_request(ctx, [ctx.text])


def _answers_service_works(ctx: TurnContext) -> bool:
    """Return True when the turn says only a bare yes or no and that the service works ("no
    gracias, el internet funciona bien", "no thanks, the internet works fine"): an answer with
    its reason, which a model may read as a connection problem."""
    clauses = _clauses(ctx, ctx.text)
    return bool(clauses) and all(_bare(ctx, c) is not None or denies_problem(c) for c in clauses)


def _said_stay(ctx: TurnContext) -> bool:
    """Return True when staying was said in words, not with a bare no."""
    return any(_staying(c) for c in _clauses(ctx, ctx.text))


def claims(ctx: TurnContext) -> bool:
    """Return True when the turn answers the flow's pending question in words the model may
    have read as another topic ("mejor me quedo, acepto la oferta", "la 3104447654")."""
    state = ctx.state
    if state.awaiting == accounts.AWAITING:
        return accounts.claims(ctx)
    if state.awaiting in ("retention", "cancel_confirm"):
        yes, no = ("stay", "leave") if state.awaiting == "retention" else ("leave", "stay")
        worded = any(
            _STAY.search(c) or _refusal(ctx, c) or _CANCEL.search(c) or _takes_visit(ctx, c)
            for c in _clauses(ctx, ctx.text)
        )
        if _keeps(ctx) and _other_request(ctx, [ctx.text]) is not None:
            return True  # "no, mejor no cancelo, quiero bajar el plan" answers, then asks
        if _answers_service_works(ctx):
            return True  # "no gracias, el internet funciona bien": a reason, never a fault
        if _leaving_reason(ctx) is not None and _answer(ctx, yes, no) is None:
            return True  # "me voy a mudar": why the customer leaves, heard at the question
        if _cancelling_article(ctx) is not None:
            return True  # "is there a cancellation fee?" asks about leaving, answered here
        if _asks_debt_first(ctx) or _undecided(ctx):
            return True  # "¿y si pago la deuda primero?", "lo pienso": answered here
        if state.awaiting == "retention" and (
            _asks_discount(ctx)
            or (_asks_about_offer(ctx) and _OFFER_REF.search(normalise(ctx.text)))
        ):
            return True  # "¿eso me baja la factura?" asks about the offer, not about billing
        return worded and _answer(ctx, yes, no) is not None
    return False

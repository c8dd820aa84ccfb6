"""The conversation state machine: route each turn to the handler that owns it.

A turn either answers what the bot is waiting for (an id, a second factor, an offer choice, a
troubleshooting result...) or starts something new. A new business question in the middle of a
flow switches topic; asking for a person or complaining hands over from anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from contactpro.dialog import accounts, after_hours, agenda, identity
from contactpro.dialog.context import CONTINUE, ESCALATE, HANGUP, Decision, TurnContext
from contactpro.dialog.handlers import (
    billing,
    cancellation,
    clarify,
    connection,
    control,
    debt,
    handoff,
    payment,
    product_info,
)

Handler = Callable[[TurnContext], Decision]

START: dict[str, Handler] = {
    "billing_inquiry": billing.start,
    "payment_how": payment.start_how,
    "payment_made": payment.start_made,
    "payment_link": payment.start_link,
    "debt_negotiation": debt.start,
    "connection_problem": connection.start,
    "cancellation": cancellation.start,
    "product_info": product_info.start,
    "agent_request": handoff.agent_request,
    "complaint": handoff.complaint,
}
REPLY: dict[str, Handler] = {
    "payment": payment.reply,
    "debt": debt.reply,
    "connection": connection.reply,
    "cancellation": cancellation.reply,
}
# Intents that answer a question rather than ask a new one.
ANSWERS = frozenset({"affirm", "deny", "identification", "out_of_scope"})
# A flow's own intent repeated while it waits is an answer, not a topic switch.
FLOW_INTENTS = {
    "debt": {"debt_negotiation"},
    "connection": {"connection_problem"},
    "cancellation": {"cancellation"},
    "payment": {"payment_made"},
}

# Leaving a flow on a guess costs the customer their progress: ask for a clear signal.
SWITCH_MIN_CONFIDENCE = 0.5
# Flows a wrong guess would send somewhere costly ("quiero cancelar la deuda" read as leaving
# the company gets a retention offer): below this confidence from the model the customer is
# asked which of the two likeliest topics they mean instead.
CONSEQUENTIAL = frozenset({"cancellation"})
CONSEQUENTIAL_MIN_CONFIDENCE = 0.6
# A complaint hands over at once: on a first message the model must be at least this sure of
# it. A garbled message lands nearest to complaints ("Uno menachia cabería era más que
# necesario." 0.20, "pues la verdad es que el otro día fui y nada" 0.24) and is asked about.
COMPLAINT_MIN_CONFIDENCE = 0.3
# What each question invites, so the cascade can weigh short answers ("sí", "la dos", "4050").
EXPECTED: dict[str, tuple[str, ...]] = {
    "identify": ("identification",),
    "verify": ("identification",),
    "offer_choice": ("affirm", "deny", "debt_negotiation"),
    "offer_confirm": ("affirm", "deny", "debt_negotiation"),
    debt.AWAITING_KEEP: ("affirm", "deny", "debt_negotiation"),
    "debt_account": ("identification",),
    "retention": ("affirm", "deny", "cancellation"),
    "cancel_confirm": ("affirm", "deny", "cancellation"),
    "step_result": ("affirm", "deny", "connection_problem"),
    "payment_review": ("affirm", "deny"),
    accounts.AWAITING: ("identification",),
    "confirm_resolution": ("affirm", "deny", "goodbye"),
}
# While these questions wait, keypad digits are answers, not main-menu choices.
DIGITS_ARE_ANSWERS = frozenset(
    {"identify", "verify", "offer_choice", "debt_account", accounts.AWAITING}
)
# While a yes-or-no question waits, the keypad answers it: 1 is yes and 2 is no (a caller
# pressing 1 at "¿Lo acepto?" means yes, never the main menu's balance).
YES_NO_KEYS: Mapping[str, str] = {"1": "affirm", "2": "deny"}
# Intents a knowledge-base article may answer better than a weak guess of them (the others
# are about the customer's own account: an article is never the answer).
INFORMATIONAL = frozenset({"connection_problem", "cancellation", "product_info", "payment_how"})
# Questions whose yes books something (an agreement, a cancellation, a retention offer).
CONFIRMATIONS = frozenset({"offer_confirm", "cancel_confirm", "retention"})
# A spoken yes to one of them counts only when speech recognition was at least this sure.
MIN_SPOKEN_YES = 0.5
# What the bot still answers once a conversation is with an agent: questions, never actions.
WHILE_ESCALATED = frozenset({"billing_inquiry", "payment_how", "product_info"})
# A flow may claim a turn the model read as another topic ("¿qué opciones tengo?" mid-offer).
CLAIMS: dict[str, Callable[[TurnContext], bool]] = {
    "debt": debt.claims,
    "cancellation": cancellation.claims,
    "payment": payment.claims,
    "connection": connection.claims,
}

__all__ = ["CONTINUE", "ESCALATE", "HANGUP", "Decision", "decide", "listening_for"]


def listening_for(
    awaiting: str | None, slots: Mapping[str, Any] | None = None
) -> tuple[tuple[str, ...], dict[str, str] | None]:
    """Return the intents a pending question invites and the keypad menu to use."""
    if awaiting == clarify.AWAITING:
        expected = tuple((slots or {}).get("topics", ()))
    else:
        expected = EXPECTED.get(awaiting or "", ())
    menu: dict[str, str] | None = None
    if awaiting in DIGITS_ARE_ANSWERS:
        menu = {}
    elif "affirm" in expected and "deny" in expected:
        menu = dict(YES_NO_KEYS)
    return expected, menu


def _confident(ctx: TurnContext) -> bool:
    understood = ctx.understood
    return understood.tier in ("rules", "llm") or understood.confidence >= SWITCH_MIN_CONFIDENCE


def _new_topic(ctx: TurnContext) -> bool:
    intent = ctx.understood.intent
    if intent in ANSWERS or intent not in START or not _confident(ctx):
        return False
    if ctx.state.awaiting in ("identify", "verify"):
        return False  # never let a guess interrupt identification
    return intent not in FLOW_INTENTS.get(ctx.state.flow or "", set())


_QUESTION = re.compile(
    r"\?|^(do|does|is|are|can|what|how|which|if|tengo que|hay que|que pasa|qué pasa|cuánto|"
    r"cuanto|puedo|se puede|si cancelo)\b",
    re.IGNORECASE,
)


def _asks_about(text: str) -> bool:
    """Return True when the utterance is a question rather than a request."""
    return bool(_QUESTION.search(text.strip()))


def _start(ctx: TurnContext, intent: str) -> Decision:
    """Start ``intent``'s handler. A verified customer whose request named an account that is
    not theirs is told so first: they are answered on their own accounts, never on that one,
    and nothing of it is said."""
    foreign: list[str] = []
    if intent in identity.RESUMABLE:
        foreign = accounts.foreign_named(ctx, identity.request_texts(ctx, intent))
    decision = START[intent](ctx)
    if not foreign or not ctx.state.verified:
        return decision
    ends = [number[-4:] for number in foreign]
    ctx.state.handoff["accounts_not_theirs"] = ends
    notice = ctx.say("account_not_theirs", ends=ends)
    return replace(decision, text=f"{notice} {decision.text}".strip())


def _resume(ctx: TurnContext) -> Decision:
    """After identity questions are answered, carry on with what the customer asked."""
    pending = ctx.state.pending_intent
    ctx.state.pending_intent = None
    if pending in START:
        return _start(ctx, pending)
    ctx.state.finish()
    return Decision(ctx.say("how_can_i_help"))


def _confirmation(ctx: TurnContext) -> Decision | None:
    intent = ctx.understood.intent
    if control.declines_more(ctx.text):
        # "No gracias" to "¿Con esto resolví tu consulta?": done, not a failed answer.
        ctx.state.finish()
        ctx.state.confirmed = True
        return Decision(ctx.say("goodbye"), HANGUP, step="goodbye")
    if intent == "affirm":
        ctx.state.awaiting, ctx.state.confirmed = None, True
        return Decision(ctx.say("confirmed_thanks"), step="confirmed_resolution")
    if intent == "deny":
        ctx.state.awaiting, ctx.state.confirmed = None, False
        return Decision("", ESCALATE, reason="not_resolved")
    ctx.state.awaiting = None
    return None  # anything else is a new request


def _weak_guess(ctx: TurnContext) -> Decision | None:
    """Ask rather than start a consequential flow on a weak guess of the model."""
    understood = ctx.understood
    if understood.intent not in CONSEQUENTIAL or understood.tier in ("rules", "llm"):
        return None
    if understood.confidence >= CONSEQUENTIAL_MIN_CONFIDENCE or cancellation.changes_mind(ctx):
        return None  # sure enough, or a change of mind said in words after keeping the service
    others = [t for t in clarify.likeliest_topics(ctx) if t != understood.intent]
    if ctx.state.clarifications == 0 and others:
        return clarify.ask(ctx, [understood.intent, others[0]])
    if ctx.state.clarifications >= 1:
        return Decision("", ESCALATE, reason="not_understood")
    ctx.state.clarifications += 1
    return Decision(ctx.say("clarify"), step="asked_clarification")


def _weak_complaint(ctx: TurnContext) -> Decision | None:
    """Ask which topic a first message is about when the model only weakly reads a complaint,
    naming the two likeliest topics, rather than hand a garbled message to a person."""
    understood = ctx.understood
    if understood.intent != "complaint" or understood.tier != "model" or not _first_doubt(ctx):
        return None
    if understood.confidence >= COMPLAINT_MIN_CONFIDENCE:
        return None
    return _ask_topic(ctx)


def _first_doubt(ctx: TurnContext) -> bool:
    """Return True on the first unsure reading outside a flow (the first turn, after a hello...)."""
    return ctx.state.flow is None and ctx.state.clarifications == 0


def _ask_topic(ctx: TurnContext) -> Decision:
    """Ask which of the two likeliest topics a message is about, else to say it again."""
    if len(topics := clarify.likeliest_topics(ctx)) == 2:
        return clarify.ask(ctx, topics)
    ctx.state.clarifications += 1
    return Decision(ctx.say("clarify"), step="asked_clarification")


def _stays_asking(ctx: TurnContext) -> Decision | None:
    """Serve the request said besides staying, outside a flow ("me quedo pero quiero un plan
    más barato", "I'll stay but I want a cheaper plan"), when the model only guesses at the
    whole message: the request is answered from its own words. A cancellation still standing
    is taken back first, as staying says."""
    state = ctx.state
    if state.awaiting not in (None, "confirm_resolution") or _confident(ctx):
        return None
    if (other := cancellation.stays_asking(ctx)) is None:
        return None
    state.finish()
    if state.customer_id is not None and cancellation.standing(ctx):
        return cancellation.withdraw(ctx)  # then the request, queued by the withdrawal
    topic, question = other
    if topic == "product_info":
        state.slots[product_info.QUESTION_SLOT] = question
    return _start(ctx, topic)


def _claimed(ctx: TurnContext) -> bool:
    claims = CLAIMS.get(ctx.state.flow or "")
    return claims is not None and claims(ctx)


def _unclear_yes(ctx: TurnContext) -> Decision | None:
    """Ask again when a spoken yes to a question that books something was barely heard
    (speech recognition below ``MIN_SPOKEN_YES``): a noise read as "sí" books nothing. Twice
    unclear, a person confirms it."""
    state = ctx.state
    heard = ctx.asr_confidence
    if state.awaiting not in CONFIRMATIONS or ctx.understood.intent != "affirm":
        return None
    if heard is None or heard >= MIN_SPOKEN_YES:
        return None
    state.slots["unclear_yes"] = state.slots.get("unclear_yes", 0) + 1
    if state.slots["unclear_yes"] > 1:
        cancellation.handed_over(ctx)  # a cancellation waiting on this yes is still recorded
        state.finish()
        return Decision("", ESCALATE, reason="not_understood")
    return Decision(
        ctx.say("confirm_unclear"),
        step="asked_yes_again",
        question=ctx.say("confirm_unclear_question"),
    )


def _follows_up(ctx: TurnContext) -> bool:
    """Return True for a question about another account right after a balance answer ("¿y de
    la cuenta 0000111800?", "and the other account?"), unless it clearly asks something else."""
    intent = ctx.understood.intent
    if intent in START and intent != "billing_inquiry" and _confident(ctx):
        return False
    return ctx.state.awaiting in (None, "confirm_resolution") and billing.follows_up(ctx)


def _route(ctx: TurnContext) -> Decision:
    state, intent = ctx.state, ctx.understood.intent
    if (told := identity.note_not_holder(ctx)) is not None:
        return told  # "no soy el titular" alone: what can be done, and what they need
    if (steered := control.steer(ctx)) is not None:
        return steered
    if (identifying := identity.unprompted(ctx)) is not None:
        return identifying
    if (request := identity.restated(ctx)) is not None:
        ctx.understood, intent = request, request.intent
    if (asked := _weak_complaint(ctx)) is not None:
        return asked
    if intent in ("agent_request", "complaint") and (state.awaiting is None or _confident(ctx)):
        # Before the pending question: abuse in the middle of an offer is no answer to it. A
        # cancellation handed over at its offer or confirmation is still recorded.
        cancellation.handed_over(ctx)
        return START[intent](ctx)
    if cancellation.withdraws(ctx):
        # "Mejor no cancelo, me quedo" after a cancellation was recorded takes it back; a
        # negated cancellation never starts one.
        state.finish()
        return cancellation.withdraw(ctx)
    if (asking := _stays_asking(ctx)) is not None:
        return asking
    if (taken := cancellation.takes_offer_on_record(ctx)) is not None:
        return taken  # "hola otra vez, acepto la oferta": the offer a conversation left
    if (unclear := _unclear_yes(ctx)) is not None:
        return unclear
    if (other_line := cancellation.follows_up(ctx)) is not None:
        return other_line  # "y la otra también" right after a cancellation
    if (other_debt := debt.other_account_asked(ctx)) is not None:
        return other_debt  # "¿y la otra?" right after an agreement was booked
    if _follows_up(ctx):
        state.awaiting = None
        return _start(ctx, "billing_inquiry")
    if state.awaiting == clarify.AWAITING:
        topic = clarify.chosen(ctx)
        state.finish()
        if topic is not None:
            return _start(ctx, topic)
    if state.awaiting == "confirm_resolution":
        if (answered := _confirmation(ctx)) is not None:
            return answered
    elif state.awaiting and (_claimed(ctx) or not _new_topic(ctx)):
        if state.awaiting in ("identify", "verify"):
            asked = identity.reply(ctx)
            return asked if asked is not None else _resume(ctx)
        if state.flow in REPLY:
            return REPLY[state.flow](ctx)
    if state.awaiting and _new_topic(ctx) and not _claimed(ctx):
        cancellation.set_aside(ctx)  # a cancellation left at its offer is still recorded
        state.finish()
    if control.says_goodbye(ctx.understood):
        state.finish()
        return Decision(ctx.say("goodbye"), HANGUP, step="goodbye")
    if intent == "greeting":
        key = "greeting_known" if ctx.customer else "greeting_unknown"
        name = ctx.customer.first_name if ctx.customer else ""
        return Decision(ctx.say(key, name=name))
    if intent == "cancellation" and _asks_about(ctx.text):
        # "Do I have to return the modem if I cancel?" asks about cancelling; it does not cancel.
        if (answered := product_info.fallback(ctx)) is not None:
            return agenda.note(ctx, intent, answered)
    if intent in INFORMATIONAL and not _confident(ctx):
        # A weak guess ("does my phone work in Europe?" read as a connection problem) loses
        # to an article that clearly answers the question; what else the message asks
        # ("..., y además se me cae el internet") waits its turn as after any request.
        if (answered := product_info.fallback(ctx)) is not None:
            return agenda.note(ctx, intent, answered)
    if (asked := _weak_guess(ctx)) is not None:
        return asked
    if intent in START:
        return agenda.note(ctx, intent, _start(ctx, intent))
    if intent == "deny" and state.resolved and state.confirmed:
        # "No" to "anything else I can help you with?" after a confirmed answer ends it.
        state.finish()
        return Decision(ctx.say("goodbye"), HANGUP, step="goodbye")
    if intent in ("affirm", "deny") and state.resolved:
        return Decision(ctx.say("how_can_i_help"))
    if intent == "out_of_scope" and (answered := product_info.fallback(ctx)) is not None:
        return answered  # an article that clearly answers the words themselves is no guess
    if intent == "out_of_scope" and _first_doubt(ctx):
        # Unsure of a first message: ask which topic it is, never answer a guess.
        return _ask_topic(ctx)
    if state.clarifications >= 1:
        return Decision("", ESCALATE, reason="not_understood")
    state.clarifications += 1
    return Decision(ctx.say("clarify"), step="asked_clarification")


def _next_request(ctx: TurnContext, done: Decision, topic: str) -> Decision:
    """Take up a request that waited for ``done`` (said in the same message as the first)."""
    following = START[topic](ctx)
    if following.step:
        ctx.state.steps.append(following.step)
    taken_up = f"{ctx.say('next_request', topic=ctx.say(f'topic_{topic}'))} {following.text}"
    return Decision(
        f"{done.text} {taken_up}".strip(),
        following.action,
        following.reason,
        "",
        following.resolved,
        keep=taken_up.strip() if following.text else "",
    )


def while_escalated(ctx: TurnContext) -> Decision:
    """Answer a turn of a conversation already with an agent: a question the bot can answer
    without acting (how to pay, a product question, a verified customer's balance) is answered;
    anything else is left for the agent, who sees every later message. Nothing is acted on twice.
    Once the agent who took the case has texted the customer, the bot stays silent.
    """
    state, intent = ctx.state, ctx.understood.intent
    state.caller_turns += 1
    if handoff.agent_writing(ctx):
        # A person is texting with them: no bot reply promising that someone will contact
        # them; the agent sees the message as new on the queue and the escalation.
        return Decision("", step="noted_for_agent")
    if (taken := cancellation.taken_after_hand_over(ctx)) is not None:
        return taken  # the offer handed over at, taken now: recorded, the escalation settled
    answers = intent in WHILE_ESCALATED and _confident(ctx)
    if intent == "billing_inquiry" and not state.verified:
        answers = False  # a balance is disclosed only to a verified customer
    if not answers:
        return Decision(_with_agent(ctx, "escalated_noted"), step="noted_for_agent")
    answer = START[intent](ctx)
    asks = state.awaiting is not None  # a question back ("which account?"): the agent asks it
    state.finish()
    if answer.action != CONTINUE or not answer.text or asks:
        return Decision(_with_agent(ctx, "escalated_noted"), step="noted_for_agent")
    return Decision(f"{answer.text} {_with_agent(ctx, 'escalated_still')}", step=answer.step)


def _with_agent(ctx: TurnContext, key: str) -> str:
    """Say the case is with an agent: who answers soon, or, on a text outside business hours,
    from the next opening."""
    key, values = after_hours.hand_off_words(
        ctx.session, ctx.settings, ctx.interaction, key, ctx.now
    )
    return ctx.say(key, **values)


def decide(ctx: TurnContext) -> Decision:
    """Decide the bot's answer to one caller turn and update the dialog state."""
    state = ctx.state
    state.caller_turns += 1
    if state.caller_turns > ctx.settings.max_dialog_turns:
        cancellation.handed_over(ctx)  # a cancellation at its offer or confirmation included
        state.finish()
        return Decision(ctx.say("turn_limit"), ESCALATE, reason="turn_limit")
    decision = _route(ctx)
    if decision.step:
        state.steps.append(decision.step)
    while decision.resolved and state.awaiting is None and (topic := agenda.pop(ctx)):
        decision = _next_request(ctx, decision, topic)
    if decision.action == ESCALATE:
        agenda.hand_over(ctx)
        state.escalated = True
        state.finish()
    elif decision.action == HANGUP:
        state.queued = []
    elif decision.resolved:
        state.resolved = True
        if state.awaiting is None:
            state.awaiting = "confirm_resolution"
            question = ctx.say("confirm_resolved")
            decision = replace(
                decision,
                text=f"{decision.text} {question}",
                question="",
                keep=f"{decision.keep} {question}" if decision.keep else "",
            )
    return decision

"""A first message nobody understood well: ask which of the two likeliest topics it is about.

Guessing costs more than asking: "cómo hago para retirarme de la empresa" read as a payment
question would get payment channels. The question names the model's two likeliest topics in
the customer's language (templates ``topic_<intent>``), and the answer resumes that topic's flow.
"""

from __future__ import annotations

import re

from contactpro.dialog.context import Decision, TurnContext

AWAITING = "clarify_topic"
# The step of the clarifying question: the turn after it answers the question.
ASKED_STEP = "asked_topic"
# Intents a clarifying question may name: the customer's own business topics.
TOPICS = (
    "billing_inquiry",
    "payment_how",
    "payment_made",
    "payment_link",
    "debt_negotiation",
    "connection_problem",
    "cancellation",
    "product_info",
    "complaint",
)
_FIRST = re.compile(r"\b(primer[oa]?|la uno|el uno|first|the first one|1)\b", re.IGNORECASE)
_SECOND = re.compile(r"\b(segund[oa]|la dos|el dos|second|the second one|2)\b", re.IGNORECASE)


def likeliest_topics(ctx: TurnContext) -> list[str]:
    """Return the two likeliest topics of an out-of-scope reading (fewer without candidates)."""
    return [intent for intent in ctx.understood.candidates if intent in TOPICS][:2]


def ask(ctx: TurnContext, topics: list[str]) -> Decision:
    """Ask whether the message is about the first or the second topic."""
    ctx.state.start(AWAITING, AWAITING, topics=topics)
    ctx.state.clarifications += 1
    first, second = (ctx.say(f"topic_{topic}") for topic in topics)
    return Decision(
        ctx.say("clarify_topics", first=first, second=second),
        step=ASKED_STEP,
        question=ctx.say("clarify_topics_question", first=first, second=second),
    )


def chosen(ctx: TurnContext) -> str | None:
    """Return the topic the answer picks: by name, by position, or by the model's first reading."""
    topics: list[str] = ctx.state.slots.get("topics", [])
    if len(topics) != 2:
        return None
    if ctx.understood.intent in topics:
        return ctx.understood.intent
    if _SECOND.search(ctx.text):
        return topics[1]
    if _FIRST.search(ctx.text):
        return topics[0]
    # An unsure answer counts only when the model's first reading is one of the two topics: a
    # topic in second place behind something else ("pues nada...") is a guess, not a pick.
    first = ctx.understood.candidates[:1]
    return first[0] if first and first[0] in topics else None

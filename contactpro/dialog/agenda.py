"""Several requests in one message: the one read first is handled, the others wait their turn.

"El internet se me cae a cada rato y además quiero saber por qué me llegó tan cara la factura"
asks two things. The bot handles the request it read in the whole message, says it heard the
other, and takes it up as soon as the first is done; when the first goes to a person, the
waiting requests go with it (in the hand-over's details), never silently dropped.
"""

from __future__ import annotations

from contactpro.dialog.context import Decision, TurnContext
from contactpro.dialog.handlers.clarify import TOPICS
from contactpro.nlu.cascade import get_cascade
from contactpro.nlu.rules import declines, request_named, request_parts

# A part of the message shorter than this is no request of its own ("y además, gracias"),
# unless the rules are sure of it ("quiero cancelar", "cuánto debo").
MIN_WORDS = 3
# How sure the model must be of a part for it to count as another request.
MIN_CONFIDENCE = 0.5
# How the step of an answer read from an article begins (handlers/product_info.py).
ANSWERED = "answered_"
# Topics a message may queue: the customer's own business (a complaint hands over at once).
QUEUEABLE = frozenset(TOPICS) - {"complaint"}


def other_requests(ctx: TurnContext, first: str) -> list[str]:
    """Return the topics the message asks about besides ``first``, in the order said.

    A message splits at a sentence break, a joining word ("y además", "also"), and a plain
    "y" / "and" / comma before words that ask ("quiero cancelar y saber cuánto debo", "I want to
    cancel. How much do I owe?"). A part that takes something back ("no quiero cancelar", "no
    tengo problemas con el internet") asks for nothing.
    """
    parts = [p for p in request_parts(ctx.text) if not declines(p)]
    if len(parts) < 2:
        return []
    cascade = get_cascade(ctx.settings)
    found: list[str] = []
    for part in parts:
        if (named := request_named(part)) is not None:
            topic, sure = named[0], True
        elif len(part.split()) >= MIN_WORDS:
            understood = cascade.understand(
                part, channel=ctx.channel, source="text", language_hint=ctx.language
            )
            topic = understood.intent
            sure = understood.tier in ("rules", "llm") or understood.confidence >= MIN_CONFIDENCE
        else:
            continue
        if sure and topic in QUEUEABLE and topic != first and topic not in found:
            found.append(topic)
    return found


def note(ctx: TurnContext, first: str, decision: Decision) -> Decision:
    """Queue the other requests of a message whose ``first`` request was just started, and say
    they were heard (a hand-over carries them in its details instead).

    A cancellation answered from an article instead ("quiero cancelar el servicio. ¿tengo que
    devolver el módem?") was not started: a part that asks to cancel waits its turn too.
    """
    if first == "cancellation" and decision.step.startswith(ANSWERED):
        first = "product_info"
    others = [t for t in other_requests(ctx, first) if t not in ctx.state.queued]
    if not others:
        return decision
    ctx.state.queued.extend(others)
    if not decision.text:
        return decision
    heard = ctx.say(
        "several_requests",
        first=ctx.say(f"topic_{first}"),
        then=[ctx.say(f"topic_{t}") for t in others],
    )
    return Decision(
        f"{heard} {decision.text}",
        decision.action,
        decision.reason,
        decision.step,
        decision.resolved,
    )


def pop(ctx: TurnContext) -> str | None:
    """Return the next waiting request, taken off the queue, or None."""
    return ctx.state.queued.pop(0) if ctx.state.queued else None


def hand_over(ctx: TurnContext) -> None:
    """Move the waiting requests into the hand-over's details for the agent."""
    if ctx.state.queued:
        ctx.state.handoff["pending_requests"] = list(ctx.state.queued)
        ctx.state.queued = []

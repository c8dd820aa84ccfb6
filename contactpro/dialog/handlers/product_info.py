"""Product information answered from the knowledge base, citing the article."""

from __future__ import annotations

import re

from contactpro.console.settings import current_config
from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.dialog.handlers import clarify
from contactpro.dialog.knowledge import Match, answer
from contactpro.nlu.rules import besides_refusal
from contactpro.nlu.text import normalise, numeric_form

# The words a product question queued behind another request is answered from, when its
# message said more than the question ("no quiero cancelar, solo bajar el plan"): the rest of
# the message would drown the question.
QUESTION_SLOT = "product_question"
# A quantity of a plan or pass: "100 megas", "500 meg", "2 gigas", "7 días".
_QUANTITY = re.compile(
    r"\b\d+ ?(megas?|megs?|mb|megabytes?|megabits?|gigas?|gigs?|gb|gigabytes?|minutos|minutes|"
    r"dias|días|days)\b",
    re.IGNORECASE,
)


def start(ctx: TurnContext) -> Decision:
    """Answer from the best article, or hand over when nothing is close enough. A message that
    refuses to cancel is answered on the rest ("no quiero cancelar, solo bajar el plan")."""
    question = str(
        ctx.state.slots.get(QUESTION_SLOT) or besides_refusal(normalise(ctx.text)) or ctx.text
    )
    ctx.state.finish()
    asked = _before_clarifying(ctx)
    match = None
    if asked is not None:
        # "La primera" names the topic picked, not the question: that was said before.
        match = answer(ctx.settings, ctx.language, ctx.market, _spoken(asked), _least(ctx))
    if match is None and (asked is None or ctx.understood.intent == "product_info"):
        # The pick's own words only when they ask about a product ("los planes"): "the first
        # one" would match the article about the first day of the billing cycle.
        match = answer(ctx.settings, ctx.language, ctx.market, _spoken(question), _least(ctx))
    if match is None:
        # Nothing answers it: said plainly before the person, never a guess at a figure.
        return Decision(ctx.say("kb_unknown"), ESCALATE, reason="no_article", step="no_article")
    return _cite(ctx, match)


def _spoken(question: str) -> str:
    """Return ``question`` with a quantity said in words as digits, as articles write it ("el
    plan de cien megas" asks about the 100 Mb plan); other number words stay ("bájenme a uno
    más barato" names no plan of 1)."""
    numeric = numeric_form(question)
    return numeric if _QUANTITY.search(numeric) and not _QUANTITY.search(question) else question


def _before_clarifying(ctx: TurnContext) -> str | None:
    """Return the customer's message a clarifying question asked about, when this turn answers
    that question (its answer picked the product topic), else None."""
    if not ctx.state.steps or ctx.state.steps[-1] != clarify.ASKED_STEP:
        return None
    said = [t.text for t in ctx.interaction.turns if t.speaker == "caller" and t.text]
    if said and said[-1] == ctx.text:
        said = said[:-1]  # this turn, when it is already stored
    return said[-1] if said else None


def fallback(ctx: TurnContext) -> Decision | None:
    """For a question nobody classified: answer only when an article matches it clearly."""
    least = max(ctx.settings.knowledge_fallback_score, _least(ctx))
    match = answer(ctx.settings, ctx.language, ctx.market, _spoken(ctx.text), least)
    # Sharing a topic word is not clear enough to overrule the intent read ("quiero pagar mi
    # factura" names the billing-cycle article's bill): the wording itself must be alike.
    if match is None or match.spelling < least:
        return None
    return _cite(ctx, match)


def answers(ctx: TurnContext, question: str) -> bool:
    """Return True when an article answers ``question`` (a part of what the customer said)."""
    return answer(ctx.settings, ctx.language, ctx.market, question, _least(ctx)) is not None


def queue(ctx: TurnContext, question: str) -> None:
    """Queue ``question``, said along with a request being settled, to be answered from those
    words once that request is done (call it after the handler settling it left its flow)."""
    if "product_info" not in ctx.state.queued:
        ctx.state.queued.append("product_info")
    ctx.state.slots[QUESTION_SLOT] = question


def _least(ctx: TurnContext) -> float:
    """The least article score to answer with: the managers' setting (the environment's until
    they change it); a clear match for an unclassified question is never below it."""
    return float(current_config(ctx.session, ctx.settings)["knowledge_min_score"])


def _cite(ctx: TurnContext, match: Match) -> Decision:
    ctx.state.slots = {}
    if match.other_market:
        # Only another country has an article on this: never tell its prices or coverage.
        ctx.state.outcome_detail = f"no_market_article:{match.article.slug}"
        return Decision(
            ctx.say("kb_not_in_market", title=match.article.title),
            ESCALATE,
            reason="no_article",
            step=f"no_market_article_{match.article.slug}",
        )
    ctx.state.outcome_detail = f"article:{match.article.slug}"
    return Decision(
        ctx.say("kb_answer", answer=match.answer, title=match.article.title),
        step=f"answered_{match.article.slug}",
        resolved=True,
    )

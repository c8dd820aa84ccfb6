"""Product information answered from the knowledge base, citing the article."""

from __future__ import annotations

from contactpro.console.settings import current_config
from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.dialog.knowledge import Match, answer
from contactpro.nlu.rules import besides_refusal
from contactpro.nlu.text import normalise

# The words a product question queued behind another request is answered from, when its
# message said more than the question ("no quiero cancelar, solo bajar el plan"): the rest of
# the message would drown the question.
QUESTION_SLOT = "product_question"


def start(ctx: TurnContext) -> Decision:
    """Answer from the best article, or hand over when nothing is close enough. A message that
    refuses to cancel is answered on the rest ("no quiero cancelar, solo bajar el plan")."""
    question = str(
        ctx.state.slots.get(QUESTION_SLOT) or besides_refusal(normalise(ctx.text)) or ctx.text
    )
    ctx.state.finish()
    match = answer(ctx.settings, ctx.language, ctx.market, question, _least(ctx))
    if match is None:
        return Decision("", ESCALATE, reason="no_article")
    return _cite(ctx, match)


def fallback(ctx: TurnContext) -> Decision | None:
    """For a question nobody classified: answer only when an article matches it clearly."""
    least = max(ctx.settings.knowledge_fallback_score, _least(ctx))
    match = answer(ctx.settings, ctx.language, ctx.market, ctx.text, least)
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

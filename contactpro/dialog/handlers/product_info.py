"""Product information answered from the knowledge base, citing the article."""

from __future__ import annotations

from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.dialog.knowledge import Match, answer


def start(ctx: TurnContext) -> Decision:
    """Answer from the best article, or hand over when nothing is close enough."""
    ctx.state.finish()
    match = answer(ctx.settings, ctx.language, ctx.market, ctx.text)
    if match is None:
        return Decision("", ESCALATE, reason="no_article")
    return _cite(ctx, match)


def fallback(ctx: TurnContext) -> Decision | None:
    """For a question nobody classified: answer only when an article matches it clearly."""
    match = answer(
        ctx.settings, ctx.language, ctx.market, ctx.text, ctx.settings.knowledge_fallback_score
    )
    return _cite(ctx, match) if match is not None else None


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
        ctx.say("kb_answer", answer=match.article.answer, title=match.article.title),
        step=f"answered_{match.article.slug}",
        resolved=True,
    )

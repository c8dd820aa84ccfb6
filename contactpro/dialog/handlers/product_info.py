"""Product information answered from the knowledge base, citing the article."""

from __future__ import annotations

from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.dialog.knowledge import answer


def start(ctx: TurnContext) -> Decision:
    """Answer from the best article, or hand over when nothing is close enough."""
    ctx.state.finish()
    match = answer(ctx.settings, ctx.language, ctx.text)
    if match is None:
        return Decision("", ESCALATE, reason="no_article")
    ctx.state.slots = {}
    ctx.state.outcome_detail = f"article:{match.article.slug}"
    return Decision(
        ctx.say("kb_answer", answer=match.article.answer, title=match.article.title),
        step=f"answered_{match.article.slug}",
        resolved=True,
    )

"""Similar cases: how conversations like this one usually end, and why they fail.

For an escalation or a failed interaction, the closest past closed conversations by what the
caller said, read from the persistent similar-case index (:mod:`contactpro.improve.index`,
each conversation embedded once as it closes). Cases with the same request (intent) come
first, so a connection problem is compared with connection problems, not with debt chats; when
no case shares the request, the closest of any request stand in. The explanation is the
pattern explanation of :mod:`contactpro.improve.explain`: failure steps and reasons,
segments, busiest hours and the probable root cause, counted by code and worded by the
configured LLM or by rules.

When the index holds nothing for the configured encoder yet (``contactpro improve index`` has
never run), :attr:`SimilarCases.indexed` is False and callers show their own fallback.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.errors import NotFoundError
from contactpro.improve import explain, index
from contactpro.improve.explain import Explanation
from contactpro.improve.index import TextEncoder
from contactpro.improve.llm import Writer
from contactpro.models import Escalation, Interaction

log = logging.getLogger(__name__)

# Below this cosine similarity a "similar" case shares little more than common words.
MIN_SIMILARITY = 0.3


@dataclass(frozen=True)
class SimilarCase:
    """One past interaction close to the one asked about."""

    interaction_id: int
    similarity: float
    outcome: str | None
    escalation_reason: str | None
    resolution: str | None
    text: str


@dataclass(frozen=True)
class SimilarCases:
    """The nearest cases, how they ended (``outcomes``) and the pattern explanation."""

    interaction_id: int
    cases: list[SimilarCase]
    outcomes: dict[str, int] = field(default_factory=dict)
    explanation: Explanation | None = None
    indexed: bool = True

    def summary(self) -> str:
        """Return the pattern explanation an agent or a manager reads."""
        if self.explanation is None:
            return ""
        return self.explanation.text


def _first_intent(interaction: Interaction) -> str | None:
    return next((t.intent for t in interaction.turns if t.speaker == "caller" and t.intent), None)


def similar_cases(
    session: Session,
    interaction_id: int,
    encoder: TextEncoder,
    writer: Writer | None = None,
    k: int = 5,
    language: str = "en",
    min_similarity: float = MIN_SIMILARITY,
    zone: str = "UTC",
) -> SimilarCases:
    """Return the ``k`` past live conversations most like ``interaction_id``, explained.

    Cases with the same request come first; when none shares it, cases of any request stand
    in. Either way only cases at least ``min_similarity`` alike (cosine, 0-1) are kept, so a
    stray match on common words (or a silent call, or an erased one, matched on nothing) is
    never shown as "similar": the caller then shows its fallback.
    """
    target = session.get(Interaction, interaction_id)
    if target is None:
        raise NotFoundError(f"no interaction {interaction_id}")
    if index.indexed_count(session, encoder) == 0:
        log.warning("similar cases: empty %s index; run contactpro improve index", encoder.name)
        return SimilarCases(interaction_id, [], indexed=False)
    said = " ".join(t.text for t in target.turns if t.speaker == "caller" and t.text)
    query = explain.Query(text=said, intent=_first_intent(target), source="live")
    exclude = ("live", interaction_id)
    if not said.strip():
        return SimilarCases(interaction_id, [])
    matches = index.search(session, encoder, said, query.filters(), explain.MAX_COUNTED, exclude)
    matches = [m for m in matches if m.similarity >= min_similarity]
    if not matches and query.intent:
        query = explain.Query(text=said, source="live")
        matches = index.search(session, encoder, said, query.filters(), k, exclude)
        matches = [m for m in matches if m.similarity >= min_similarity]
    matches = [m for m in matches if _before(m.case.started_at, target)]
    if not matches:
        return SimilarCases(interaction_id, [])
    explanation = explain.explain_matches(query, matches, writer, k, language, zone)
    return SimilarCases(
        interaction_id,
        _cases(session, explanation),
        dict(Counter(h.case.outcome or "open" for h in explanation.cases).most_common()),
        explanation,
    )


def _before(started_at: datetime | None, target: Interaction) -> bool:
    """Keep only cases that started before the one asked about (no peeking ahead)."""
    if started_at is None or target.started_at is None:
        return True
    return started_at <= target.started_at


def _cases(session: Session, explanation: Explanation) -> list[SimilarCase]:
    ids = [hit.case.ref_id for hit in explanation.cases]
    details: dict[int, tuple[str | None, str | None]] = {
        row.interaction_id: (row.reason, row.resolution)
        for row in session.execute(
            select(Escalation.interaction_id, Escalation.reason, Escalation.resolution).where(
                Escalation.interaction_id.in_(ids)
            )
        )
    }
    cases = []
    for hit in explanation.cases:
        reason, resolution = details.get(hit.case.ref_id, (None, None))
        cases.append(
            SimilarCase(
                interaction_id=hit.case.ref_id,
                similarity=hit.similarity,
                outcome=hit.case.outcome,
                escalation_reason=reason,
                resolution=resolution,
                text=hit.case.text,
            )
        )
    return cases


def similar_to_escalation(
    session: Session,
    escalation_id: int,
    encoder: TextEncoder,
    writer: Writer | None = None,
    k: int = 5,
    language: str = "en",
    min_similarity: float = MIN_SIMILARITY,
    zone: str = "UTC",
) -> SimilarCases:
    """Return the cases most similar to an escalation's interaction, explained."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFoundError(f"no escalation {escalation_id}")
    return similar_cases(
        session, escalation.interaction_id, encoder, writer, k, language, min_similarity, zone
    )

"""Similar cases: how conversations like this one usually end.

For an escalation or a failed interaction, the closest past closed interactions by what the
caller said (cosine similarity of character n-gram TF-IDF vectors, which work the same in
Spanish and English and need no model download). The pool is bounded: the most recent
``pool`` closed interactions before the one asked about.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.analytics.conformity import caller_texts
from contactpro.errors import NotFoundError
from contactpro.models import Escalation, Interaction

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
    """The nearest cases and how they ended (``outcomes`` counts each outcome)."""

    interaction_id: int
    cases: list[SimilarCase]
    outcomes: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """Return one sentence an agent can read: how such cases usually end."""
        if not self.cases:
            return "No similar past cases."
        parts = ", ".join(f"{n} {o.replace('_', ' ')}" for o, n in self.outcomes.items())
        return f"Of the {len(self.cases)} most similar past cases: {parts}."


def similar_cases(
    session: Session,
    interaction_id: int,
    k: int = 5,
    pool: int = 5000,
    min_similarity: float = MIN_SIMILARITY,
) -> SimilarCases:
    """Return the ``k`` past interactions most similar to ``interaction_id``.

    Only cases at least ``min_similarity`` alike (cosine, 0-1) count.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    target = session.get(Interaction, interaction_id)
    if target is None:
        raise NotFoundError(f"no interaction {interaction_id}")
    conn = session.connection()
    query_text = caller_texts(conn, [interaction_id]).get(interaction_id, "")
    if not query_text.strip():
        return SimilarCases(interaction_id, [])
    ids = list(
        session.scalars(
            select(Interaction.id)
            .where(
                Interaction.status == "closed",
                Interaction.id != interaction_id,
                Interaction.started_at <= target.started_at,
            )
            .order_by(Interaction.started_at.desc(), Interaction.id.desc())
            .limit(pool)
        )
    )
    texts = caller_texts(conn, ids) if ids else {}
    if not texts:
        return SimilarCases(interaction_id, [])
    candidates = list(texts)
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, strip_accents="unicode"
    )
    matrix = vectorizer.fit_transform([texts[i] for i in candidates])
    scores = (matrix @ vectorizer.transform([query_text]).T).toarray().ravel()
    best = [i for i in scores.argsort()[::-1][:k] if scores[i] > 0 and scores[i] >= min_similarity]
    chosen = [candidates[i] for i in best]
    details = {
        row.id: row
        for row in session.execute(
            select(
                Interaction.id,
                Interaction.outcome,
                Escalation.reason,
                Escalation.resolution,
            )
            .outerjoin(Escalation, Escalation.interaction_id == Interaction.id)
            .where(Interaction.id.in_(chosen))
        )
    }
    cases = [
        SimilarCase(
            interaction_id=candidates[i],
            similarity=round(float(scores[i]), 4),
            outcome=details[candidates[i]].outcome,
            escalation_reason=details[candidates[i]].reason,
            resolution=details[candidates[i]].resolution,
            text=texts[candidates[i]],
        )
        for i in best
    ]
    outcomes = Counter(case.outcome or "open" for case in cases)
    return SimilarCases(interaction_id, cases, dict(outcomes.most_common()))


def similar_to_escalation(
    session: Session, escalation_id: int, k: int = 5, min_similarity: float = MIN_SIMILARITY
) -> SimilarCases:
    """Return the cases most similar to an escalation's interaction."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFoundError(f"no escalation {escalation_id}")
    return similar_cases(session, escalation.interaction_id, k=k, min_similarity=min_similarity)

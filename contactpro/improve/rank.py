"""What to automate next: the topics that cost the most, with effort and expected gain.

A candidate is an intent (the conversation's first request), a failure reason or a tool the
dataset says was needed. Each unresolved conversation counts against one candidate only, the
step that failed it: a failure the source recorded outside the bot's dialog (an IVR step such
as ``biometric_fail``), else the tool it needed, else its request (a template, article or
threshold of that request's handler can recover it), else the bot's own hand-off reason.
Its cost is ``volume^w_volume × unresolved_share^w_unresolved × handling_minutes^w_time``
(every weight 1 by default: the plain product); the score divides the cost by
``difficulty^w_effort``, where the difficulty of effort 1, 2, 3 is 1, 1.5 and 2.4: the inverse
of the share of the unresolved conversations that work is expected to contain (60, 40, 25 %),
so with the default weights the order is the order of the expected saving. Effort is 1 when a
dialog handler exists (a template, article or threshold change), 2 for a known intent without
one, 3 for a new tool or a failure in the IVR itself. A request for a person (``agent_request``
and the synonyms sources use, as intent or as failure reason) is never a candidate: handing
those over is the bot doing its job (docs/analytics.md). The expected gain prices each
contained minute at agent minus bot cost.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from contactpro.analytics.report import PERSON_INTENTS
from contactpro.config import Settings
from contactpro.conversations.escalation import REASONS
from contactpro.dialog.engine import START
from contactpro.improve.dataset import Conversation
from contactpro.improve.metrics import SMALL_TALK, ConversationMetrics, measure
from contactpro.nlu.cascade import get_cascade
from contactpro.nlu.taxonomy import INTENT_NAMES
from contactpro.resilience.atomic import replace_file

# Share of today's unresolved conversations a change of this effort is expected to contain.
CONTAINMENT_BY_EFFORT = {1: 0.6, 2: 0.4, 3: 0.25}
DEFAULT_HANDLING_SECONDS = 300.0
# What a candidate can be (the console has a word for each).
KINDS = ("intent", "failure", "tool")
# What the score divides the cost by for each effort: the inverse of the share contained,
# relative to effort 1, so the score orders candidates as their expected saving does.
DIFFICULTY = {e: CONTAINMENT_BY_EFFORT[1] / share for e, share in CONTAINMENT_BY_EFFORT.items()}
# How IVRs and exports code "the caller asked for a person" ("agent_requested", "pidio_asesor",
# "transfer to live agent", "zero_out"): a word for a person, the rest words of asking for one.
PERSON_WORDS = frozenset(
    """
    agent agents agente asesor human humano operator operador person persona representative
    """.split()
)
ASKING_WORDS = frozenset(
    """
    request requested requests req ask asked asks for to by caller customer speak talk transfer
    live zero out pidio pide solicita solicito solicitado quiere hablar con un una cliente usuario
    user client
    """.split()
)


@dataclass(frozen=True)
class Weights:
    """Exponents of the ranking formula."""

    volume: float = 1.0
    unresolved: float = 1.0
    time: float = 1.0
    effort: float = 1.0

    @classmethod
    def parse(cls, text: str) -> Weights:
        """Read ``volume=1,unresolved=2,time=0.5,effort=1`` (any subset)."""
        values: dict[str, float] = {}
        names = {f.name for f in fields(cls)}
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, sep, raw = part.partition("=")
            if not sep or key.strip() not in names:
                raise ValueError(f"{part!r}: expected one of {', '.join(sorted(names))}=NUMBER")
            try:
                values[key.strip()] = float(raw)
            except ValueError:
                raise ValueError(f"{part!r}: {raw!r} is not a number") from None
        return cls(**values)


@dataclass(frozen=True)
class Candidate:
    """One thing worth automating, with what it costs and what it would save."""

    rank: int
    kind: str
    name: str
    volume: int
    unresolved: int
    unresolved_share: float
    handling_minutes: float
    effort: int
    cost: float
    score: float
    expected_contained: float
    expected_saving: float
    currency: str


def effort_of(kind: str, name: str) -> int:
    """Estimate effort 1-3: existing handler, known intent without one, new tool or IVR step."""
    if kind == "intent" and name in START:
        return 1
    if kind == "intent" and name in INTENT_NAMES:
        return 2
    return 3


def code_key(code: str) -> str:
    """Return a source's code in one spelling: lower case, ``_`` for spaces and hyphens."""
    return re.sub(r"[\s\-]+", "_", code.strip().lower())


def asks_for_person(code: str | None) -> bool:
    """Return whether an intent or failure code means the caller asked for a person."""
    key = code_key(code or "")
    if key in PERSON_INTENTS or key == "zero_out":  # pressing 0 to leave the menu
        return True
    words = set(key.split("_"))
    return bool(words & PERSON_WORDS) and words <= PERSON_WORDS | ASKING_WORDS


def _unresolved(row: ConversationMetrics) -> bool | None:
    """Return whether a conversation went unresolved, or None when its data does not say."""
    if row.resolved is not None:
        return not row.resolved
    if row.outcome is not None:  # escalated or abandoned, said by a reason without the flag
        return row.outcome != "auto_resolved"
    return None


def _candidates(conv: Conversation, row: ConversationMetrics) -> list[tuple[str, str]]:
    """Return the candidates a conversation belongs to, the one that failed it first."""
    reason = code_key(conv.failure_reason or "")
    failure = [] if not reason or asks_for_person(reason) else [("failure", reason)]
    tools = [("tool", tool) for tool in conv.tools_needed]
    asked = row.topic not in SMALL_TALK and not asks_for_person(row.topic)
    intent = [("intent", row.topic)] if asked else []
    if reason in REASONS:  # the bot's own hand-off: its request's handler can recover it
        return list(dict.fromkeys([*tools, *intent, *failure]))
    return list(dict.fromkeys([*failure, *tools, *intent]))  # failed before the dialog


def _groups(
    conversations: Sequence[Conversation], measured: Sequence[ConversationMetrics]
) -> dict[tuple[str, str], tuple[list[ConversationMetrics], int]]:
    """Return each candidate's conversations and how many unresolved ones it failed."""
    rows_of: dict[tuple[str, str], list[ConversationMetrics]] = defaultdict(list)
    failed: dict[tuple[str, str], int] = defaultdict(int)
    for conv, row in zip(conversations, measured, strict=True):
        candidates = _candidates(conv, row)
        for candidate in candidates:
            rows_of[candidate].append(row)
        # Only what the data says went unresolved counts, and against one candidate: the same
        # conversation counted twice would rank a change on calls it cannot recover.
        if candidates and _unresolved(row):
            failed[candidates[0]] += 1
    return {key: (rows, failed[key]) for key, rows in rows_of.items()}


def rank(
    conversations: Sequence[Conversation],
    measured: Sequence[ConversationMetrics],
    settings: Settings,
    weights: Weights | None = None,
) -> list[Candidate]:
    """Return the candidates, highest score first (then the highest expected saving)."""
    w = weights or Weights()
    saving_per_minute = max(0.0, settings.agent_cost_per_minute - settings.bot_cost_per_minute)
    scored: list[Candidate] = []
    for (kind, name), (rows, unresolved) in _groups(conversations, measured).items():
        if unresolved == 0:
            continue
        durations = [r.duration_sec for r in rows if r.duration_sec is not None]
        minutes = (sum(durations) / len(durations) if durations else DEFAULT_HANDLING_SECONDS) / 60
        share = unresolved / len(rows)
        effort = effort_of(kind, name)
        cost = len(rows) ** w.volume * share**w.unresolved * max(minutes, 0.01) ** w.time
        contained = unresolved * CONTAINMENT_BY_EFFORT[effort]
        scored.append(
            Candidate(
                rank=0,
                kind=kind,
                name=name,
                volume=len(rows),
                unresolved=unresolved,
                unresolved_share=round(share, 4),
                handling_minutes=round(minutes, 2),
                effort=effort,
                cost=round(cost, 3),
                score=round(cost / DIFFICULTY[effort] ** w.effort, 3),
                expected_contained=round(contained, 1),
                expected_saving=round(contained * minutes * saving_per_minute, 2),
                currency=settings.analytics_currency,
            )
        )
    scored.sort(key=lambda c: (-c.score, -c.expected_saving, c.kind, c.name))
    return [Candidate(**{**asdict(c), "rank": i}) for i, c in enumerate(scored, start=1)]


def rank_conversations(
    conversations: Sequence[Conversation], settings: Settings, weights: Weights | None = None
) -> list[Candidate]:
    """Measure the conversations (intents by the cascade when missing) and rank them."""
    cascade = get_cascade(settings)
    measured = [measure(conv, cascade) for conv in conversations]
    return rank(conversations, measured, settings, weights)


def write_csv(candidates: Sequence[Candidate], path: Path) -> None:
    """Write the ranking as CSV, one candidate a row (replacing ``path`` once complete)."""
    with replace_file(path, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[f.name for f in fields(Candidate)])
        writer.writeheader()
        for candidate in candidates:
            writer.writerow(asdict(candidate))

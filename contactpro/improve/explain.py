"""Explain a failure from the similar past cases: counts by code, words by an LLM or by rules.

The cases come from the persistent index, filtered on the fields given (call type, failure
step, failure reason, segment) and ordered by similarity to what the caller said. The counts
(shared fields, steps, reasons, segments, peak hours, outcomes) are always computed here; an
LLM, when configured, only writes the explanation from those counts and the masked cases and
must cite case ids it was given, else the rule-based text is used and the reason recorded.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro import markets
from contactpro.console import wording
from contactpro.console.strings import console_strings, translate
from contactpro.errors import ContactProError, LLMError, NotFoundError
from contactpro.improve import index
from contactpro.improve.index import Hit, TextEncoder
from contactpro.improve.llm import Writer
from contactpro.models import Escalation, Interaction
from contactpro.nlu.masking import mask_pii
from contactpro.privacy.prompts import mask_for_llm

log = logging.getLogger(__name__)

SYSTEM = (
    "You are a contact-center analyst. From similar past failed conversations and counts "
    "computed from them, explain in at most five sentences the pattern and the probable root "
    "cause, and suggest one fix. Use only the figures given. Cite the cases you rely on by "
    "their id in square brackets, like [live-12]. Personal data is masked as [NUMBER], [ID], "
    "[EMAIL], [NAME], [ADDRESS] or [CARD]."
)
MAX_COUNTED = 2000
LANGUAGE_NAMES = {"es": "Spanish", "en": "English"}
_CITATION = re.compile(r"\[((?:live|dataset)-\d+)\]")


@dataclass(frozen=True)
class Query:
    """What to explain: the failure's fields and what the caller said."""

    call_type: str | None = None
    failure_step: str | None = None
    failure_reason: str | None = None
    segment: str | None = None
    text: str = ""
    intent: str | None = None
    source: str | None = None

    def filters(self) -> dict[str, str | None]:
        """Return the fields retrieval filters on (the unset ones are ignored)."""
        return {name: getattr(self, name) for name in index.SEARCH_FIELDS}


@dataclass(frozen=True)
class Explanation:
    """The retrieved cases, the counts, and the text (``source`` is ``llm`` or ``rules``)."""

    query: Query
    cases: list[Hit]
    facts: dict[str, Any]
    text: str
    source: str
    llm_error: str | None = None
    cited: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the explanation as JSON-ready data (case texts masked)."""
        return {
            "query": self.query.__dict__,
            "facts": self.facts,
            "text": self.text,
            "source": self.source,
            "llm_error": self.llm_error,
            "cited": self.cited,
            "cases": [
                {
                    "id": case_id(hit),
                    "similarity": hit.similarity,
                    "outcome": hit.case.outcome,
                    "failure_step": hit.case.failure_step,
                    "failure_reason": hit.case.failure_reason,
                    "segment": hit.case.segment,
                    "text": mask_pii(hit.case.text)[:300],
                }
                for hit in self.cases
            ],
        }


def case_id(hit: Hit) -> str:
    """Return the id a case is cited by: ``live-12`` or ``dataset-3``."""
    return f"{hit.case.source}-{hit.case.ref_id}"


class NothingToExplain(ContactProError):
    """The interaction did not fail (the bot resolved it): there is no failure to explain."""

    reason = "not_failed"


def query_for_interaction(session: Session, interaction_id: int) -> Query:
    """Build the query of a live interaction that failed: its channel, last step, reason and
    segment; raise NothingToExplain when the bot resolved it without a hand-off."""
    interaction = session.get(Interaction, interaction_id)
    if interaction is None:
        raise NotFoundError(f"no interaction {interaction_id}")
    escalation = session.scalar(
        select(Escalation).where(Escalation.interaction_id == interaction_id).limit(1)
    )
    if escalation is None and interaction.outcome == "auto_resolved":
        raise NothingToExplain(
            f"interaction {interaction_id} was resolved by the bot: there is no failure to explain"
        )
    steps = (interaction.state or {}).get("steps") or []
    said = [t.text for t in interaction.turns if t.speaker == "caller" and t.text]
    return Query(
        call_type=interaction.channel,
        failure_step=steps[-1] if steps else None,
        failure_reason=escalation.reason
        if escalation
        else index.abandoned_reason(interaction.outcome),
        segment=interaction.customer.segment if interaction.customer else None,
        text=" ".join(said),
    )


def facts_of(hits: list[Hit], zone: str = "UTC") -> dict[str, Any]:
    """Count what the cases share: fields, steps, reasons, segments, hours and outcomes.

    Hours are on the clock of ``zone`` (the company's time zone on console pages).
    """
    n = len(hits)
    counts: dict[str, dict[str, int]] = {}
    for name in (*index.FILTERS, "outcome", "intent"):
        counter = Counter(getattr(h.case, name) for h in hits if getattr(h.case, name))
        counts[name] = dict(counter.most_common(5))
    clock = ZoneInfo(zone)
    hours = Counter(
        h.case.started_at.astimezone(clock).hour
        if h.case.started_at.tzinfo is not None
        else h.case.started_at.hour
        for h in hits
        if h.case.started_at is not None
    )
    shared = {
        name: next(iter(values))
        for name, values in counts.items()
        if len(values) == 1 and sum(values.values()) == n
    }
    return {
        "cases": n,
        "shared": shared,
        "counts": counts,
        "hours": dict(hours.most_common(3)),
        "zone": zone,
        "root_cause": root_cause(hits),
    }


def root_cause(hits: list[Hit]) -> dict[str, Any] | None:
    """Return the commonest failure step and reason among the failed cases, with its count."""
    failed = [h.case for h in hits if h.case.outcome != "auto_resolved"]
    pairs = Counter(
        (c.failure_step, c.failure_reason) for c in failed if c.failure_step or c.failure_reason
    )
    if not pairs:
        return None
    (step, reason), count = pairs.most_common(1)[0]
    return {"failure_step": step, "failure_reason": reason, "count": count, "failed": len(failed)}


def _say(key: str, language: str, **values: Any) -> str:
    entry = console_strings()[key]
    return (entry.get(language) or entry["en"]).format(**values)


# The console's words for each counted field's values (``step_asked_verification``, ...).
VALUE_WORDS = {
    "failure_reason": "reason_",
    "outcome": "outcome_",
    "failure_step": "step_",
    "intent": "intent_",
    "segment": "segment_",
    "call_type": "channel_",
}


def value_words(name: str, value: Any, language: str) -> str:
    """Name a counted value (reason, outcome, step, request, segment, channel) in words; a code
    the console has no word for is shown with spaces, never as a raw key."""
    if name == "failure_step":  # numbered and coded steps too ("troubleshoot_2")
        return wording.step(lambda key: translate(key, language), str(value), language)
    prefix = VALUE_WORDS.get(name)
    entry = console_strings().get(f"{prefix}{value}") if prefix else None
    if entry:
        return entry.get(language) or entry["en"]
    return str(value).replace("_", " ")


def _field_key(name: str, value: Any) -> str:
    """Return the key naming a field: a live conversation's call type is its channel ("SMS"),
    an IVR log's is the kind of call ("auth"), never a channel."""
    if name == "call_type" and f"channel_{value}" in console_strings():
        return "why_field_channel"
    return f"why_field_{name}"


def _case_words(hit: Hit, language: str) -> str:
    """Return how the text cites a case: ``[live-12]`` in English, ``conversación 12``."""
    return _say(f"why_case_{hit.case.source}", language, id=hit.case.ref_id)


def rules_text(query: Query, facts: dict[str, Any], hits: list[Hit], language: str = "en") -> str:
    """Write the explanation from the counts alone, in ``language`` (es or en)."""
    n = facts["cases"]
    if n == 0:
        return _say("why_no_cases", language)
    sentences = [_say("why_cases", language, n=n)]
    if facts["shared"]:
        listed = ", ".join(
            f"{_say(_field_key(k, v), language)} {value_words(k, v, language)}"
            for k, v in facts["shared"].items()
        )
        sentences.append(_say("why_shared", language, fields=listed))
    for name in ("failure_step", "failure_reason", "segment", "outcome"):
        values = facts["counts"][name]
        if values and name not in facts["shared"]:
            listed = ", ".join(
                _say("why_count", language, value=value_words(name, v, language), count=c, n=n)
                for v, c in values.items()
            )
            sentences.append(f"{_say('why_field_' + name, language).capitalize()}: {listed}.")
    if facts["hours"]:
        hours = ", ".join(f"{h:02d}:00 ({c})" for h, c in facts["hours"].items())
        zone = markets.zone_place(facts.get("zone", "UTC"), language)
        sentences.append(_say("why_hours", language, hours=hours, zone=zone))
    cause = facts.get("root_cause")
    if cause:
        where = " · ".join(
            value_words(k, cause[k], language)
            for k in ("failure_step", "failure_reason")
            if cause[k]
        )
        sentences.append(
            _say("why_root_cause", language, cause=where, count=cause["count"], n=cause["failed"])
        )
    if hits:  # none when asked for no case (k 0): no empty "Closest cases: ."
        closest = ", ".join(_case_words(h, language) for h in hits[:5])
        sentences.append(_say("why_closest", language, cases=closest))
    return " ".join(sentences)


def _prompt(query: Query, facts: dict[str, Any], hits: list[Hit], language: str) -> str:
    lines = [
        f"Write in {LANGUAGE_NAMES.get(language, 'English')}.",
        f"Failure to explain: {mask_for_llm(str(query.filters()))}",
        f"What the caller said: {mask_for_llm(query.text)[:500] or '(not given)'}",
        f"Counts over the {facts['cases']} cases: {facts}",
        "Cases:",
    ]
    for hit in hits:
        case = hit.case
        lines.append(
            f"[{case_id(hit)}] outcome={case.outcome} step={case.failure_step} "
            f"reason={case.failure_reason} segment={case.segment}: {mask_for_llm(case.text)[:300]}"
        )
    return "\n".join(lines)


def explain(
    session: Session,
    encoder: TextEncoder,
    query: Query,
    writer: Writer | None = None,
    k: int = 10,
    exclude: tuple[str, int] | None = None,
    language: str = "en",
    zone: str = "UTC",
) -> Explanation:
    """Retrieve the similar cases and explain the pattern (by the LLM when one is given)."""
    filtered = any(query.filters().values())
    matches = index.search(
        session,
        encoder,
        query.text,
        query.filters(),
        k=MAX_COUNTED if filtered else k,
        exclude=exclude,
    )
    return explain_matches(query, matches, writer, k, language, zone)


def explain_matches(
    query: Query,
    matches: list[Hit],
    writer: Writer | None = None,
    k: int = 10,
    language: str = "en",
    zone: str = "UTC",
) -> Explanation:
    """Explain retrieved cases: counts over all ``matches``, the ``k`` closest cited."""
    hits = matches[:k]
    facts = facts_of(matches, zone)  # every case matching the fields counts, not just the closest
    fallback = rules_text(query, facts, hits, language)
    if writer is None or not hits:
        return Explanation(query, hits, facts, fallback, "rules")
    try:
        text = writer.write(SYSTEM, _prompt(query, facts, hits, language))
    except LLMError as exc:
        log.warning("explanation by rules: %s", exc.reason)
        return Explanation(query, hits, facts, fallback, "rules", llm_error=exc.reason)
    known = {case_id(h) for h in hits}
    cited = list(dict.fromkeys(_CITATION.findall(text)))
    if not cited or not set(cited) <= known:
        log.warning("explanation by rules: the LLM cited no retrieved case")
        return Explanation(query, hits, facts, fallback, "rules", llm_error="llm_uncited")
    return Explanation(query, hits, facts, text, "llm", cited=cited)

"""Proposals: drafted changes that people edit, approve or reject (every decision audited).

Drafts come from an LLM when one is configured (structured JSON: kind, title, change, API
sketch for a new tool, evaluation plan, risks), else from rules: the most frequent unresolved
questions become knowledge-base gaps, tools the conversations needed become new-tool drafts
with an API sketch, and costly intents with a handler become template or threshold reviews.
Every draft carries an evaluation plan: replay it with ``contactpro improve replay``.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.console.strings import translate
from contactpro.errors import ContactProError, LLMError, NotFoundError
from contactpro.improve.dataset import Conversation
from contactpro.improve.llm import Writer
from contactpro.improve.metrics import ConversationMetrics
from contactpro.improve.rank import Candidate
from contactpro.models import AuditLog, Proposal, utcnow
from contactpro.nlu.masking import mask_pii
from contactpro.privacy.prompts import mask_for_llm

log = logging.getLogger(__name__)
Translate = Callable[[str], str]

KINDS = ("template", "kb_article", "intent_examples", "threshold", "new_tool")
AUDIT_ACTIONS = {"approved": "proposal.approve", "rejected": "proposal.reject"}
EDIT_ACTION = "proposal.edit"
# A rule draft's title as a console catalogue key and values (the stored title stays English
# for the CLI); an edit that changes the title drops it.
TITLE_WORDS = "title_words"
DECISIONS = tuple(AUDIT_ACTIONS)
GAP_TOPICS = frozenset({"product_info", "out_of_scope", "unknown"})
# A drafted question must be made of words: letters with a vowel, no letter three times in a
# row, no five consonants in a row, no run along a keyboard row ("asdf", "qwer").
_WORD = re.compile(r"[^\W\d_]{2,}")
_VOWELS = frozenset("aeiouy")
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
# The prose of rule drafts lives in the console catalogue (``pdraft_*``): stored in English,
# shown in the page's language (:func:`shown_body`), stored back in English when a manager
# leaves it as shown (:func:`edited_body`).
PROSE_KEYS = (
    "pdraft_kb_gap_change",
    "pdraft_kb_gap_risks",
    "pdraft_review_flow_change",
    "pdraft_review_flow_risks",
    "pdraft_evaluation",
    "pdraft_new_tool_evaluation",
    "pdraft_new_tool_risks",
)
# Fields of a stored body that only the page's title field edits (never shown as JSON).
HIDDEN_FIELDS = frozenset({TITLE_WORDS})
SYSTEM = (
    "You improve a telecom contact-center bot. From the ranked costs and the sample questions, "
    "answer ONLY a JSON array of at most 5 proposals, each an object with keys: kind (one of "
    + ", ".join(KINDS)
    + "), title, change (the exact template text, article text, intent examples or setting), "
    "api_sketch (for new_tool: endpoint, input, output; else null), evaluation_plan, risks."
)


@dataclass(frozen=True)
class Draft:
    """A proposal before it is stored."""

    kind: str
    title: str
    body: dict[str, Any] = field(default_factory=dict)
    source: str = "rules"


def _english(key: str) -> str:
    return translate(key, "en")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^\w ]+", "", text).strip()


def _is_word(token: str) -> bool:
    """Return whether a folded token reads as a word rather than a keyboard mash."""
    if not _WORD.fullmatch(token) or not _VOWELS & set(token):
        return False
    if re.search(r"(.)\1\1", token) or re.search(r"[^aeiouy]{5}", token):
        return False
    return not any(token[i : i + 4] in row for row in _KEYBOARD_ROWS for i in range(len(token) - 3))


def real_words(text: str) -> bool:
    """Return whether ``text`` is mostly real words (not "asdf qwer", "jjjjj", digits, emoji)."""
    tokens = _fold(text).split()
    words = sum(_is_word(token) for token in tokens)
    return words > 0 and 2 * words >= len(tokens)


def rule_drafts(
    conversations: Sequence[Conversation],
    measured: Sequence[ConversationMetrics],
    ranking: Sequence[Candidate],
    top: int = 5,
) -> list[Draft]:
    """Draft proposals without an LLM: knowledge-base gaps, new tools, flow reviews."""
    questions: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for conv, row in zip(conversations, measured, strict=True):
        if row.resolved or row.topic not in GAP_TOPICS or not conv.user_texts:
            continue
        if not real_words(conv.user_texts[0]):  # gibberish is no question to answer
            continue
        key = _fold(conv.user_texts[0])
        questions[key] += 1
        examples.setdefault(key, mask_pii(conv.user_texts[0]))
    drafts = [
        Draft(
            "kb_article",
            f"Knowledge-base gap: “{examples[key][:120]}”",
            {
                TITLE_WORDS: _words("ptitle_kb_gap", question=examples[key][:120]),
                "asked": count,
                "question": examples[key],
                "change": _english("pdraft_kb_gap_change"),
                "evaluation_plan": _english("pdraft_evaluation"),
                "risks": _english("pdraft_kb_gap_risks"),
            },
        )
        for key, count in questions.most_common(top)
    ]
    for candidate in ranking[:top]:
        if candidate.kind == "tool":
            drafts.append(_tool_draft(candidate))
        elif candidate.kind == "intent" and candidate.effort == 1:
            drafts.append(
                Draft(
                    "template",
                    f"Review the {candidate.name} flow: {candidate.unresolved} of "
                    f"{candidate.volume} unresolved",
                    {
                        TITLE_WORDS: _words(
                            "ptitle_review_flow",
                            intent=candidate.name,
                            unresolved=candidate.unresolved,
                            volume=candidate.volume,
                        ),
                        "change": _english("pdraft_review_flow_change"),
                        "expected_contained": candidate.expected_contained,
                        "expected_saving": candidate.expected_saving,
                        "evaluation_plan": _english("pdraft_evaluation"),
                        "risks": _english("pdraft_review_flow_risks"),
                    },
                )
            )
    return drafts


def _words(key: str, **values: object) -> dict[str, Any]:
    return {"key": key, "values": values}


def _tool_draft(candidate: Candidate) -> Draft:
    return Draft(
        "new_tool",
        f"New tool: {candidate.name} ({candidate.volume} conversations needed it)",
        {
            TITLE_WORDS: _words("ptitle_new_tool", tool=candidate.name, volume=candidate.volume),
            "api_sketch": {
                "endpoint": f"POST /tools/{candidate.name}",
                "input": {"account_id": "string", "details": "object"},
                "output": {"status": "string", "message": "string"},
            },
            "expected_contained": candidate.expected_contained,
            "expected_saving": candidate.expected_saving,
            "evaluation_plan": _english("pdraft_new_tool_evaluation"),
            "risks": _english("pdraft_new_tool_risks"),
        },
    )


def llm_drafts(
    writer: Writer, ranking: Sequence[Candidate], questions: Sequence[str]
) -> list[Draft]:
    """Ask the LLM for structured drafts; raise LLMError when its answer is not usable."""
    prompt = "\n".join(
        [
            "Ranked costs (kind, name, volume, unresolved share, minutes, effort):",
            *(
                f"- {c.kind} {c.name}: {c.volume}, {c.unresolved_share:.0%}, "
                f"{c.handling_minutes} min, effort {c.effort}"
                for c in ranking[:10]
            ),
            "Sample unresolved questions:",
            *(f"- {mask_for_llm(q)[:200]}" for q in questions[:15]),
        ]
    )
    text = writer.write(SYSTEM, prompt)
    match = re.search(r"\[.*\]", text, flags=re.S)
    try:
        items = json.loads(match.group(0) if match else text)
    except json.JSONDecodeError:
        raise LLMError("the proposals are not JSON", reason="llm_malformed") from None
    if not isinstance(items, list) or not items:
        raise LLMError("the proposals are not a JSON list", reason="llm_malformed")
    drafts: list[Draft] = []
    for item in items[:5]:
        if not isinstance(item, dict) or item.get("kind") not in KINDS:
            raise LLMError("a proposal has no valid kind", reason="llm_malformed")
        if not isinstance(item.get("title"), str) or not item["title"].strip():
            raise LLMError("a proposal has no title", reason="llm_malformed")
        body = {k: v for k, v in item.items() if k not in ("kind", "title")}
        drafts.append(Draft(item["kind"], item["title"].strip()[:200], body, "llm"))
    return drafts


def draft(
    conversations: Sequence[Conversation],
    measured: Sequence[ConversationMetrics],
    ranking: Sequence[Candidate],
    writer: Writer | None,
) -> tuple[list[Draft], str | None]:
    """Draft by the LLM when configured, else (or when it fails) by rules; return why not LLM."""
    rules = rule_drafts(conversations, measured, ranking)
    if writer is None:
        return rules, None
    questions = [
        c.user_texts[0]
        for c, m in zip(conversations, measured, strict=True)
        if not m.resolved and c.user_texts and real_words(c.user_texts[0])
    ]
    try:
        return llm_drafts(writer, ranking, questions), None
    except LLMError as exc:
        log.warning("proposals drafted by rules: %s", exc.reason)
        return rules, exc.reason


# What a rule draft is about, by its title's catalogue key: the same gap, flow or tool drafted
# again from more data is the same proposal with other counts.
SUBJECT_VALUES = {
    "ptitle_kb_gap": "question",
    "ptitle_review_flow": "intent",
    "ptitle_new_tool": "tool",
}


def subject(kind: str, title: str, body: dict[str, Any]) -> tuple[str, str]:
    """Return what a proposal proposes: its kind and its gap, flow or tool (rule drafts), else
    its title and change."""
    words = body.get(TITLE_WORDS) or {}
    value_name = SUBJECT_VALUES.get(words.get("key", ""))
    if value_name is not None:
        return kind, f"{words['key']}:{_fold(str(words.get('values', {}).get(value_name)))}"
    change = json.dumps(body.get("change"), ensure_ascii=False, sort_keys=True)
    return kind, f"{_fold(title)}\n{change}"


def already_proposed(session: Session, drafts: Sequence[Draft]) -> dict[int, Proposal]:
    """Return the stored proposal each draft repeats (by its position), whatever its status."""
    kinds = {d.kind for d in drafts}
    stored: dict[tuple[str, str], Proposal] = {}
    for row in session.scalars(
        select(Proposal).where(Proposal.kind.in_(kinds)).order_by(Proposal.id)
    ):
        stored.setdefault(subject(row.kind, row.title, row.body or {}), row)
    return {
        i: stored[key]
        for i, d in enumerate(drafts)
        if (key := subject(d.kind, d.title, d.body)) in stored
    }


def save(session: Session, drafts: Sequence[Draft]) -> list[int]:
    """Store drafts as proposals awaiting a decision; return their ids. A draft that repeats a
    stored proposal (a run on the same or more data) is not stored again: its id is returned."""
    known = already_proposed(session, drafts)
    rows: dict[int, Proposal] = {}
    for i, d in enumerate(drafts):
        if i not in known:
            rows[i] = Proposal(kind=d.kind, title=d.title, body=d.body, source=d.source)
    session.add_all(rows.values())
    session.flush()
    return [(known.get(i) or rows[i]).id for i in range(len(drafts))]


def listing(session: Session, status: str | None = None) -> list[Proposal]:
    """Return proposals, newest first, optionally only those with ``status``."""
    query = select(Proposal).order_by(Proposal.id.desc())
    if status:
        query = query.where(Proposal.status == status)
    return list(session.scalars(query))


def decide(
    session: Session,
    proposal_id: int,
    decision: str,
    by: str,
    agent_id: int | None = None,
    body: dict[str, Any] | None = None,
) -> Proposal:
    """Approve or reject a draft (optionally with an edited body) and audit the decision.

    Only a draft is decided: a decided proposal stays as it was decided. ``body`` is merged
    into the stored one (a field it does not give is kept, a ``null`` one removed).
    """
    if decision not in DECISIONS:
        raise ContactProError(f"decision must be one of {DECISIONS}", reason="bad_request")
    by = _decider(by)
    proposal = _draft(get(session, proposal_id))
    before = {"status": proposal.status, "body": proposal.body}
    if body is not None:
        proposal.body = merged_body(proposal.body, body)
    proposal.status, proposal.decided_at, proposal.decided_by = decision, utcnow(), by
    session.add(
        AuditLog(
            agent_id=agent_id,
            action=AUDIT_ACTIONS[decision],
            target=f"proposal:{proposal_id}",
            before=before,
            after={"status": decision, "body": proposal.body, "by": by},
        )
    )
    session.flush()
    return proposal


def _decider(by: str) -> str:
    """Return who decides, stripped; raise when no name is given (the audit needs one)."""
    if not by or not by.strip():
        raise ContactProError(
            "a decision needs the name of who decides", reason="bad_request", key="perr_no_decider"
        )
    return by.strip()


def _draft(proposal: Proposal) -> Proposal:
    """Return ``proposal`` when it is still a draft; raise naming its status otherwise."""
    if proposal.status != "draft":
        raise ContactProError(
            f"proposal {proposal.id} is already {proposal.status}: only drafts can be edited "
            "or decided",
            reason="not_draft",
            key="perr_not_draft",
            values={"status": proposal.status},
        )
    return proposal


def merged_body(stored: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """Return ``stored`` with the fields ``given`` changes: a field it does not give is kept
    (the title's words too), a ``null`` one is removed."""
    merged = {**stored, **given}
    return {name: value for name, value in merged.items() if value is not None}


def _prose(translations: Sequence[Translate]) -> dict[str, str]:
    """Return every rule-draft text as any language shows it -> its stored English text."""
    return {shown(key): _english(key) for key in PROSE_KEYS for shown in (_english, *translations)}


def shown_body(body: dict[str, Any], translate_: Translate) -> dict[str, Any]:
    """Return a body as the edit form shows it: without the coded title (the title field edits
    it), and the rule drafts' prose in the reader's language."""
    english = {_english(key): key for key in PROSE_KEYS}
    return {
        name: translate_(english[value]) if isinstance(value, str) and value in english else value
        for name, value in body.items()
        if name not in HIDDEN_FIELDS
    }


def edited_body(
    stored: dict[str, Any], submitted: dict[str, Any], translations: Sequence[Translate]
) -> dict[str, Any]:
    """Return the body to store after a form edit of :func:`shown_body`: the hidden fields are
    kept, and rule prose left as shown (in any language) is stored in English again."""
    prose = _prose(translations)
    body = {
        name: prose.get(value, value) if isinstance(value, str) else value
        for name, value in submitted.items()
        if name not in HIDDEN_FIELDS
    }
    return {**{k: v for k, v in stored.items() if k in HIDDEN_FIELDS}, **body}


def get(session: Session, proposal_id: int) -> Proposal:
    """Return one proposal; raise NotFoundError when there is none."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFoundError(f"no proposal {proposal_id}")
    return proposal


def edit(
    session: Session,
    proposal_id: int,
    title: str,
    body: dict[str, Any],
    by: str,
    agent_id: int | None = None,
) -> Proposal:
    """Change a draft's title and body before it is decided; the edit is audited."""
    by = _decider(by)
    proposal = _draft(get(session, proposal_id))
    if not title.strip():
        raise ContactProError("a proposal needs a title", reason="bad_request", key="perr_no_title")
    before = {"title": proposal.title, "body": proposal.body}
    if title.strip()[:200] != proposal.title:
        body = {k: v for k, v in body.items() if k != TITLE_WORDS}
    proposal.title, proposal.body = title.strip()[:200], body
    session.add(
        AuditLog(
            agent_id=agent_id,
            action=EDIT_ACTION,
            target=f"proposal:{proposal_id}",
            before=before,
            after={"title": proposal.title, "body": body, "by": by},
        )
    )
    session.flush()
    return proposal


def history(session: Session, proposal_id: int) -> list[AuditLog]:
    """Return the audited edits and decisions of a proposal, oldest first."""
    return list(
        session.scalars(
            select(AuditLog)
            .where(AuditLog.target == f"proposal:{proposal_id}")
            .order_by(AuditLog.id)
        )
    )

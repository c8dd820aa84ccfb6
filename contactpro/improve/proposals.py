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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.errors import ContactProError, LLMError, NotFoundError
from contactpro.improve.dataset import Conversation
from contactpro.improve.llm import Writer
from contactpro.improve.metrics import ConversationMetrics
from contactpro.improve.rank import Candidate
from contactpro.models import AuditLog, Proposal, utcnow
from contactpro.nlu.masking import mask_pii

log = logging.getLogger(__name__)

KINDS = ("template", "kb_article", "intent_examples", "threshold", "new_tool")
AUDIT_ACTIONS = {"approved": "proposal.approve", "rejected": "proposal.reject"}
EDIT_ACTION = "proposal.edit"
# A rule draft's title as a console catalogue key and values (the stored title stays English
# for the CLI); an edit that changes the title drops it.
TITLE_WORDS = "title_words"
DECISIONS = tuple(AUDIT_ACTIONS)
GAP_TOPICS = frozenset({"product_info", "out_of_scope", "unknown"})
EVALUATION = (
    "Put the change in a proposal folder and run `contactpro improve replay --data <last month> "
    "--proposed <folder>`: expect more resolved conversations, no new wrong resolutions."
)
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


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^\w ]+", "", text).strip()


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
                "change": "Write an article answering this question in kb/<language>/.",
                "evaluation_plan": EVALUATION,
                "risks": "An article that answers too broadly may resolve unrelated questions.",
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
                        "change": "Reword its templates or lower its thresholds.",
                        "expected_contained": candidate.expected_contained,
                        "expected_saving": candidate.expected_saving,
                        "evaluation_plan": EVALUATION,
                        "risks": "Lower thresholds can trade hand-offs for wrong resolutions.",
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
            "evaluation_plan": "Stub the tool, replay the conversations that needed it.",
            "risks": "A new integration can fail: the bot must hand over when it does.",
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
            *(f"- {mask_pii(q)[:200]}" for q in questions[:15]),
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
        if not m.resolved and c.user_texts
    ]
    try:
        return llm_drafts(writer, ranking, questions), None
    except LLMError as exc:
        log.warning("proposals drafted by rules: %s", exc.reason)
        return rules, exc.reason


def save(session: Session, drafts: Sequence[Draft]) -> list[int]:
    """Store drafts as proposals awaiting a decision; return their ids."""
    rows = [Proposal(kind=d.kind, title=d.title, body=d.body, source=d.source) for d in drafts]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


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
    """Approve or reject a proposal (optionally with an edited body) and audit the decision."""
    if decision not in DECISIONS:
        raise ContactProError(f"decision must be one of {DECISIONS}", reason="bad_request")
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFoundError(f"no proposal {proposal_id}")
    before = {"status": proposal.status, "body": proposal.body}
    if body is not None:
        proposal.body = body
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
    proposal = get(session, proposal_id)
    if proposal.status != "draft":
        raise ContactProError(
            f"proposal {proposal_id} is already {proposal.status}",
            reason="not_draft",
            key="perr_not_draft",
            values={"status": proposal.status},
        )
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

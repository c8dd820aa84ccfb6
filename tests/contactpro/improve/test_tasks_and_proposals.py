"""The index and replay tasks, and proposals from draft to an audited decision."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.errors import NotFoundError
from contactpro.improve import metrics, proposals, rank, runs, store
from contactpro.improve.dataset import Conversation, Message
from contactpro.improve.llm import writer_for
from contactpro.models import (
    AuditLog,
    CaseVector,
    DatasetConversation,
    ImproveRun,
    Interaction,
    Proposal,
    Turn,
)
from tasks.improve import index_pending, replay
from tests.cli.test_entry_point import run

from .conftest import ChatServer, Reply, openai_text


def _closed(session: Session, sid: str, outcome: str) -> Interaction:
    interaction = Interaction(
        channel="sms",
        twilio_sid=sid,
        from_number="+573001112233",
        to_number="+15550001000",
        status="closed",
        outcome=outcome,
        state={},
    )
    interaction.turns = [
        Turn(sequence=1, speaker="caller", text="no tengo señal", source="sms", intent="x")
    ]
    session.add(interaction)
    session.commit()
    return interaction


def test_index_task_embeds_each_closed_conversation_once(app: Flask, session: Session) -> None:
    """The periodic task picks up new closed interactions and imported ones, never twice."""
    app.extensions["contactpro"].settings = replace(
        app.extensions["contactpro"].settings, improve_case_encoder="hashing"
    )
    first = _closed(session, "SM1", "escalated").id
    store.save(session, "ivr", [Conversation("A1", [Message("user", "card declined")])])
    session.commit()
    imported = session.scalar(select(DatasetConversation.id))
    with app.app_context():
        assert index_pending() == 2
        assert index_pending() == 0
    second = _closed(session, "SM2", "auto_resolved").id
    with app.app_context():
        assert index_pending() == 1
    rows = session.execute(select(CaseVector.source, CaseVector.ref_id)).all()
    assert sorted(rows) == sorted([("live", first), ("dataset", imported), ("live", second)])


def test_replay_task_runs_a_stored_run_once_and_records_failures(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    """A queued run is replayed by the task, progress stored; a bad one is marked failed."""
    data = tmp_path / "d.jsonl"
    line = {"conversation_id": "r1", "transcript": [{"role": "user", "content": "hola"}]}
    data.write_text(json.dumps(line) + "\n", encoding="utf-8")
    (tmp_path / "proposal").mkdir()
    db = app.extensions["contactpro"].db
    request = runs.ReplayRequest(str(tmp_path / "proposal"), str(tmp_path / "out"), str(data))
    run_id = runs.create_run(db, request)
    with app.app_context():
        results = replay(run_id)
        assert results is not None and results["summary"]["baseline"]["conversations"] == 1
        assert replay(run_id) == results  # delivered twice: not run again
    stored = session.get(ImproveRun, run_id)
    assert stored is not None and (stored.status, stored.done, stored.total) == ("done", 2, 2)
    bad = runs.create_run(db, replace(request, proposed=str(tmp_path / "missing")))
    with app.app_context():
        assert replay(bad) is None
    session.expire_all()
    failed = session.get(ImproveRun, bad)
    assert failed is not None and failed.status == "failed"
    assert failed.error is not None and "does not exist" in failed.error
    with pytest.raises(NotFoundError):
        runs.execute(db, app.extensions["contactpro"].settings, 999)


CONVERSATIONS = [
    Conversation(
        f"q{i}",
        [Message("user", text)],
        resolved=False,
        duration_sec=300,
        tools_needed=tools,
    )
    for i, (text, tools) in enumerate(
        [
            ("¿tienen seguro para mascotas?", []),
            ("Tienen seguro para mascotas", []),
            ("¿abren la tienda el domingo?", []),
            ("quiero cambiar la fecha de corte", ["cambio_fecha_corte"]),
        ]
    )
]


def _drafting(app: Flask) -> tuple[list[metrics.ConversationMetrics], list[rank.Candidate]]:
    settings: Settings = app.extensions["contactpro"].settings
    measured = [replace(metrics.measure(c), intents=["out_of_scope"]) for c in CONVERSATIONS]
    return measured, rank.rank(CONVERSATIONS, measured, settings)


def test_rule_drafts_name_knowledge_gaps_and_tools(app: Flask, session: Session) -> None:
    """The most asked unresolved question comes first; a needed tool gets an API sketch."""
    measured, ranking = _drafting(app)
    drafts, why = proposals.draft(CONVERSATIONS, measured, ranking, writer=None)
    assert why is None
    assert drafts[0].kind == "kb_article" and drafts[0].body["asked"] == 2
    assert "mascotas" in drafts[0].title
    tool = next(d for d in drafts if d.kind == "new_tool")
    assert tool.body["api_sketch"]["endpoint"] == "POST /tools/cambio_fecha_corte"
    assert all("evaluation_plan" in d.body and "risks" in d.body for d in drafts)


@pytest.mark.parametrize(
    ("answer", "source", "why"),
    [
        (
            '[{"kind": "kb_article", "title": "Pet insurance", "change": "Sí, 19.900/mes", '
            '"api_sketch": null, "evaluation_plan": "replay", "risks": "none"}]',
            "llm",
            None,
        ),
        ("Here are my ideas: add an article.", "rules", "llm_malformed"),
        ('[{"kind": "rewrite_everything", "title": "x"}]', "rules", "llm_malformed"),
        ('[{"kind": "template"}]', "rules", "llm_malformed"),
    ],
)
def test_llm_drafts_are_used_only_when_well_formed(
    app: Flask, chat_server: ChatServer, answer: str, source: str, why: str | None
) -> None:
    """A local model's JSON proposals are taken; prose or unknown kinds fall back to rules."""
    chat_server.script(Reply(body=openai_text(answer)))
    settings = replace(
        app.extensions["contactpro"].settings,
        improve_llm="openai",
        improve_llm_base_url=chat_server.url,
    )
    measured, ranking = _drafting(app)
    drafts, reason = proposals.draft(CONVERSATIONS, measured, ranking, writer_for(settings))
    assert {d.source for d in drafts} == {source} and reason == why
    prompt = chat_server.requests[0]["json"]["messages"][1]["content"]
    assert "mascotas" in prompt and "cambio_fecha_corte" in prompt


def test_decisions_are_audited(app: Flask, session: Session) -> None:
    """Approving (with an edited body) and rejecting write the audit log; bad ids are refused."""
    ids = proposals.save(
        session, [proposals.Draft("threshold", "Lower knowledge_min_score", {"to": 0.25})] * 2
    )
    proposals.decide(session, ids[0], "approved", "ana", body={"to": 0.28})
    proposals.decide(session, ids[1], "rejected", "luis")
    session.commit()
    approved = session.get(Proposal, ids[0])
    assert approved is not None and approved.body == {"to": 0.28}
    assert (approved.status, approved.decided_by) == ("approved", "ana")
    audit = list(session.scalars(select(AuditLog).order_by(AuditLog.id)))
    assert [(a.action, a.target) for a in audit] == [
        ("proposal.approve", f"proposal:{ids[0]}"),
        ("proposal.reject", f"proposal:{ids[1]}"),
    ]
    assert audit[0].before == {"status": "draft", "body": {"to": 0.25}}
    with pytest.raises(NotFoundError):
        proposals.decide(session, 999, "approved", "ana")


def test_propose_and_decide_through_the_entry_point(tmp_path: Path) -> None:
    """Drafts from a file, listed, approved with an edited body, rejected; bad edits refused."""
    data = tmp_path / "d.jsonl"
    lines = [json.dumps(c.to_json(), ensure_ascii=False) for c in CONVERSATIONS]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(["init-db"], tmp_path).returncode == 0
    drafted = run(["improve", "propose", "--data", str(data)], tmp_path)
    assert drafted.returncode == 0, drafted.stderr
    assert "#1 [kb_article, rules]" in drafted.stdout and "proposals drafted" in drafted.stdout
    edit = tmp_path / "edit.json"
    edit.write_text('{"change": "Sí: plan Mascotas"}', encoding="utf-8")
    approved = run(["improve", "approve", "1", "--by", "ana", "--edit", str(edit)], tmp_path)
    assert approved.returncode == 0 and "proposal #1 approved by ana" in approved.stdout
    assert run(["improve", "reject", "2", "--by", "luis"], tmp_path).returncode == 0
    listed = run(["improve", "proposals", "--status", "approved"], tmp_path)
    assert listed.stdout.startswith("#1 approved by ana [kb_article]")
    edit.write_text("[1, 2]", encoding="utf-8")
    refused = run(["improve", "approve", "3", "--by", "ana", "--edit", str(edit)], tmp_path)
    assert refused.returncode == 1 and "not a JSON object" in refused.stderr
    missing = run(["improve", "reject", "99", "--by", "ana"], tmp_path)
    assert missing.returncode == 1 and "no proposal 99" in missing.stderr

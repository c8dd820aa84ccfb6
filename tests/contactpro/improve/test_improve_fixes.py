"""The improvement loop as a manager and the domain meet it: runs that fail say so, decided
proposals stay decided, rule drafts and failure steps in the page's words, one meaning of turns."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from contactpro.errors import ConfigError, ContactProError
from contactpro.improve import explain, index, metrics, proposals, rank, replay, runs, store
from contactpro.improve.dataset import Conversation, Message
from contactpro.improve.proposed import read_proposed
from contactpro.models import ImproveRun, Interaction, Proposal, Turn, utcnow

BASE = "/console/manager/improve"
BILLING = rank.Candidate(
    rank=1,
    kind="intent",
    name="billing_inquiry",
    volume=10,
    unresolved=6,
    unresolved_share=0.6,
    handling_minutes=5,
    effort=1,
    cost=1.0,
    score=1.0,
    expected_contained=3.6,
    expected_saving=10.0,
    currency="COP",
)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Hashing case vectors (no model to load)."""
    return {**app_config, "improve_case_encoder": "hashing"}


def test_a_template_that_does_not_compile_is_named_before_the_replay(tmp_path: Path) -> None:
    """The proposal's template files are compiled up front: the error names file and key."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "es.toml").write_text(
        'escalate_sms = "{{ broken"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        read_proposed(tmp_path)
    assert caught.value.key == "perr_template_syntax"
    assert caught.value.message.startswith("templates/es.toml: escalate_sms does not compile")
    assert "\n" not in caught.value.message


def test_an_unexpected_error_marks_the_run_failed_with_one_line(
    app: Flask,
    manager: tuple[FlaskClient, str],
    session: Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A crash mid-run leaves the run failed (not running for ever) with a one-line reason,
    shown in the console in the page's language; no endless "en curso"."""
    client, _ = manager
    data = tmp_path / "d.jsonl"
    line = {"conversation_id": "r1", "transcript": [{"role": "user", "content": "hola"}]}
    data.write_text(json.dumps(line) + "\n", encoding="utf-8")
    (tmp_path / "proposal").mkdir()
    db = app.extensions["contactpro"].db

    def crash(*_args: object, **_kwargs: object) -> None:
        raise KeyError("escalate_sms")

    monkeypatch.setattr(replay, "replay", crash)
    request = runs.ReplayRequest(str(tmp_path / "proposal"), str(tmp_path / "out"), str(data))
    run_id = runs.create_run(db, request)
    with pytest.raises(ContactProError) as caught:
        runs.execute(db, app.extensions["contactpro"].settings, run_id)
    assert caught.value.message == "the replay stopped: KeyError: 'escalate_sms'"
    session.expire_all()
    run = session.get(ImproveRun, run_id)
    assert run is not None and run.status == "failed" and run.finished_at is not None
    page = client.get(f"{BASE}/runs/{run_id}?lang=es").text
    assert "fallida" in page and "la repetición se detuvo por un error: KeyError" in page
    assert "se actualiza sola" not in page and 'http-equiv="refresh"' not in page


def test_only_drafts_are_decided_and_an_edit_keeps_what_it_does_not_give(
    session: Session,
) -> None:
    """approve, approve again, reject: refused once decided; an edit is merged, not replaced;
    a decision needs a name."""
    ranking = [BILLING]
    [draft] = proposals.rule_drafts([], [], ranking)
    [pid] = proposals.save(session, [draft])
    with pytest.raises(ContactProError, match="name of who decides"):
        proposals.decide(session, pid, "approved", "  ")
    proposals.decide(session, pid, "approved", " ana ", body={"change": "bajar umbral a 0.3"})
    stored = session.get(Proposal, pid)
    assert stored is not None and stored.decided_by == "ana"
    assert stored.body["change"] == "bajar umbral a 0.3"
    assert stored.body["title_words"]["key"] == "ptitle_review_flow"  # the title's words kept
    assert stored.body["risks"] == draft.body["risks"]
    for decision in ("approved", "rejected"):
        with pytest.raises(ContactProError, match="already approved") as caught:
            proposals.decide(session, pid, decision, "luis", body={"change": "otra"})
        assert caught.value.key == "perr_not_draft"
    assert session.get(Proposal, pid).body["change"] == "bajar umbral a 0.3"  # type: ignore[union-attr]


def test_a_rule_draft_is_edited_in_the_page_language(
    manager: tuple[FlaskClient, str], session: Session
) -> None:
    """The Spanish editor shows the draft's prose in Spanish and no raw catalogue key; saving
    it untouched keeps the stored English prose and the title's translation."""
    client, token = manager
    ranking = [BILLING]
    [pid] = proposals.save(session, proposals.rule_drafts([], [], ranking))
    session.commit()
    page = client.get(f"{BASE}/proposals/{pid}?lang=es").text
    assert "Reescribir sus plantillas o bajar sus umbrales." in page
    assert "Umbrales más bajos pueden cambiar traspasos" in page
    for english in ("Reword its templates", "Lower thresholds can trade", "ptitle_review_flow"):
        assert english not in page
    assert "Revisar el flujo de consulta de factura: 6 de 10 sin resolver" in page
    shown = proposals.shown_body(session.get(Proposal, pid).body, lambda k: k)  # type: ignore[union-attr]
    spanish = {
        **{k: v for k, v in shown.items() if not isinstance(v, str)},
        "change": "Reescribir sus plantillas o bajar sus umbrales.",
        "risks": "Umbrales más bajos pueden cambiar traspasos a una persona por resoluciones "
        "equivocadas.",
        "evaluation_plan": "a mano",
    }
    client.post(
        f"{BASE}/proposals/{pid}/edit",
        data={
            "title": "Revisar el flujo de consulta de factura: 6 de 10 sin resolver",
            "body": json.dumps(spanish, ensure_ascii=False),
            "csrf_token": token,
        },
    )
    session.expire_all()
    stored = session.get(Proposal, pid)
    assert stored is not None
    assert stored.body["change"] == "Reword its templates or lower its thresholds."
    assert stored.body["evaluation_plan"] == "a mano"
    assert stored.body["title_words"]["key"] == "ptitle_review_flow"
    assert "Review the flow" not in client.get(f"{BASE}/proposals/{pid}?lang=es").text


def test_failure_steps_and_unknown_requests_in_words(
    manager: tuple[FlaskClient, str], session: Session
) -> None:
    """The explanation and the ranking word coded steps and the unknown request (Spanish and
    English), never "troubleshoot 2", "answered roaming" or "unknown"."""
    client, _ = manager
    started = utcnow() - timedelta(days=2)
    steps = ["troubleshoot_2", "troubleshoot_2", "answered_international-roaming"]
    store.save(
        session,
        "month",
        [
            Conversation(
                f"c{n}",
                [Message("user", "no tengo internet en la casa"), Message("assistant", "…")],
                channel="sms",
                resolved=False,
                started_at=started,
                failure_step=step,
                failure_reason="not_resolved",
            )
            for n, step in enumerate(steps)
        ]
        + [
            Conversation(
                "odd",
                [Message("user", "zzz qqq")],
                channel="sms",
                resolved=False,
                started_at=started,
                intents=["out_of_scope"],
            )
        ],
    )
    index.index_pending(session, index.HashingEncoder())
    session.commit()
    es = client.get(f"{BASE}/explain?failure_reason=not_resolved&lang=es").text
    assert "paso 2 de la guía de conexión" in es
    assert "respondió con el artículo «international-roaming»" in es
    for raw in ("troubleshoot 2", "answered international-roaming"):
        assert raw not in es
    en = client.get(f"{BASE}/explain?failure_reason=not_resolved&lang=en").text
    assert "step 2 of the connection guide" in en and "troubleshoot 2" not in en
    ranking = client.get(f"{BASE}/ranking?dataset=month&lang=es").text
    assert "sin identificar" in ranking and ">unknown<" not in ranking
    assert "unidentified" in client.get(f"{BASE}/ranking?dataset=month&lang=en").text


def test_a_resolved_interaction_has_no_failure_to_explain(session: Session) -> None:
    """No failure step taken from a conversation the bot resolved."""
    interaction = Interaction(
        channel="sms",
        twilio_sid="SMok",
        from_number="+573001112233",
        to_number="+15550001000",
        status="closed",
        outcome="auto_resolved",
        state={"steps": ["asked_clarification"]},
    )
    interaction.turns = [Turn(sequence=1, speaker="caller", text="mi saldo", source="sms")]
    session.add(interaction)
    session.commit()
    with pytest.raises(explain.NothingToExplain, match="no failure to explain"):
        explain.query_for_interaction(session, interaction.id)


def test_a_conversation_exported_and_imported_is_one_case(session: Session) -> None:
    """Live traffic exported and imported as a dataset is not counted twice."""
    started = datetime(2026, 11, 2, 10, 0, 5, tzinfo=UTC)
    interaction = Interaction(
        channel="sms",
        twilio_sid="SMx",
        from_number="+573001112233",
        to_number="+1555",
        status="closed",
        outcome="escalated",
        started_at=started,
        state={},
    )
    interaction.turns = [Turn(sequence=1, speaker="caller", text="no tengo señal", source="sms")]
    session.add(interaction)
    session.commit()
    exported = list(store.export_live(session, store.LiveFilter()))
    store.save(session, "live-copy", exported)
    encoder = index.HashingEncoder()
    assert index.index_pending(session, encoder) == 2
    hits = index.search(session, encoder, "no tengo señal", {"call_type": "sms"})
    assert [explain.case_id(h) for h in hits] == [f"live-{interaction.id}"]


def test_turns_are_caller_turns() -> None:
    """A conversation's turns count what the caller said, as a replay counts them."""
    conv = Conversation(
        "t1",
        [
            Message("user", "hola"),
            Message("assistant", "¿En qué le ayudo?"),
            Message("user", "mi factura"),
            Message("assistant", "…"),
        ],
        resolved=True,
    )
    measured = metrics.measure(conv)
    assert measured.caller_turns == 2
    assert metrics.summarise([measured])["caller_turns_mean"] == 2

"""The improvement loop: survey ratings in exports, interrupted replays, a case
explained against its own imported copy."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.conversations import interactions
from contactpro.db import Database
from contactpro.dialog import survey
from contactpro.improve import explain, index, replay, runs, store
from contactpro.improve.proposed import read_proposed
from contactpro.models import CaseVector, Customer, ImproveRun, Interaction
from contactpro.providers.telephony import telephony_for
from tests.cli.test_entry_point import ENTRY_POINT, run
from tests.conftest import TwilioClient
from tests.webhooks.test_sms import replies, sms_params

CONVERSATIONS = {
    "es": (
        "+573001112233",
        ["no tengo internet", "sí, ya funciona"],
        "¡Gracias por tu calificación!",
    ),
    "en": ("+13055550123", ["my internet is down", "yes it works now"], "Thanks for your rating!"),
}


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Hashing case vectors (no model to load)."""
    return {**app_config, "improve_case_encoder": "hashing"}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_survey_rating_is_the_csat_not_a_caller_turn(
    app: Flask,
    session: Session,
    twilio: TwilioClient,
    customer_factory: Callable[..., Customer],
    tmp_path: Path,
    language: str,
) -> None:
    """A resolved SMS conversation rated 5 afterwards is exported with CSAT 5 and without the
    rating among what the caller said; its replay ends resolved, as the real one did (the
    rating replayed as a turn was taken for a new request and escalated)."""
    phone, said, thanks = CONVERSATIONS[language]
    customer_factory(phone=phone, language=language)
    for text in said:
        replies(twilio.post("/twilio/sms", sms_params(phone, text)))
    rt = app.extensions["contactpro"]
    interaction = session.scalars(select(Interaction)).one()
    interactions.close_interaction(session, interaction.id, "inactive")
    session.commit()
    assert interaction.outcome == "auto_resolved"
    assert survey.send_survey(session, rt.settings, telephony_for(rt.settings), interaction.id)
    session.commit()
    [answer] = replies(twilio.post("/twilio/sms", sms_params(phone, "5")))
    assert answer == thanks

    session.expire_all()
    [conv] = list(store.export_live(session, store.LiveFilter()))
    assert conv.csat == 5
    assert conv.user_texts == said
    assert "survey_answer" not in conv.intents
    proposal = tmp_path / "proposal"
    proposal.mkdir()
    result = replay.replay(rt.db, rt.settings, [conv], read_proposed(proposal))
    [replayed] = result.baseline
    assert replayed.outcome == "auto_resolved" and replayed.caller_turns == len(said)
    assert "5" not in [m.content for m in replayed.transcript if m.role == "user"]


def _interrupted_run(
    tmp_path: Path, stop: signal.Signals, times: int = 1
) -> tuple[subprocess.Popen[str], Path]:
    """Start a long replay through the entry point and send it ``stop`` ``times`` once it
    runs."""
    assert ENTRY_POINT
    assert run(["init-db"], tmp_path).returncode == 0
    data = tmp_path / "many.jsonl"
    line = {
        "conversation_id": "c",
        "meta": {"channel": "sms", "language": "es", "resolved": False},
        "transcript": [{"role": "user", "content": "no tengo internet"}]
        + [{"role": "user", "content": "no"}] * 3,
    }
    # Far more than the replay gets through before the signal, even on a loaded machine: it
    # is stopped mid-run, never after it finished.
    data.write_text(
        "".join(json.dumps({**line, "conversation_id": f"c{i}"}) + "\n" for i in range(4000)),
        encoding="utf-8",
    )
    (tmp_path / "proposal").mkdir()
    (tmp_path / "proposal" / "settings.toml").write_text("max_dialog_turns = 2\n")
    env = {
        **os.environ,
        "CONTACTPRO_ENV": "test",
        "CONTACTPRO_VAR_DIR": str(tmp_path / "var"),
        "CONTACTPRO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "TWILIO_AUTH_TOKEN": "test-token",
    }
    process = subprocess.Popen(
        [ENTRY_POINT, "improve", "replay", "--data", str(data), "--proposed", "proposal"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    db = Database(env["CONTACTPRO_DATABASE_URL"])
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            with db.session() as s:
                started = s.scalar(select(ImproveRun.done).where(ImproveRun.status == "running"))
            if started:  # progress stored: the replay is well under way
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.5)
        for _ in range(times):
            process.send_signal(stop)
        process.communicate(timeout=60)
    finally:
        db.dispose()
        if process.poll() is None:  # never left running for the tests after this one
            process.kill()
            process.communicate()
    return process, tmp_path / "cli.sqlite3"


@pytest.mark.parametrize(
    ("stop", "times"), [(signal.SIGTERM, 1), (signal.SIGINT, 1), (signal.SIGINT, 2)]
)
def test_a_stopped_replay_is_marked_failed_not_left_running(
    tmp_path: Path, stop: signal.Signals, times: int
) -> None:
    """``kill`` or Ctrl-C (once, or twice in a hurry) during a replay: one line says so, the
    run is failed with why."""
    process, database = _interrupted_run(tmp_path, stop, times)
    assert process.returncode == 130
    assert process.stderr is not None
    db = Database(f"sqlite:///{database}")
    try:
        with db.session() as s:
            [row] = s.scalars(select(ImproveRun)).all()
            assert row.status == "failed" and row.finished_at is not None
            assert row.error == "the replay was interrupted before it finished"
            assert row.results == {"error": {"key": "perr_replay_interrupted", "values": {}}}
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("lang", "words"),
    [("es", "la repetición se interrumpió"), ("en", "the replay was interrupted")],
)
def test_an_interrupted_run_is_shown_failed_in_the_console(
    app: Flask,
    manager: tuple[Any, str],
    session: Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    words: str,
) -> None:
    """Ctrl-C mid-run (KeyboardInterrupt) marks the run failed; the page says why, no refresh."""
    client, _ = manager
    data = tmp_path / "d.jsonl"
    line = {"conversation_id": "r1", "transcript": [{"role": "user", "content": "hola"}]}
    data.write_text(json.dumps(line) + "\n", encoding="utf-8")
    (tmp_path / "proposal").mkdir()
    rt = app.extensions["contactpro"]

    def stopped(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(replay, "replay", stopped)
    request = runs.ReplayRequest(str(tmp_path / "proposal"), str(tmp_path / "out"), str(data))
    run_id = runs.create_run(rt.db, request)
    with pytest.raises(KeyboardInterrupt):
        runs.execute(rt.db, rt.settings, run_id)
    session.expire_all()
    stored = session.get(ImproveRun, run_id)
    assert stored is not None and stored.status == "failed"
    page = client.get(f"/console/manager/improve/runs/{run_id}?lang={lang}").text
    assert words in page
    assert 'http-equiv="refresh"' not in page


ABANDONED = {
    "es": ("+573001112233", ["no tengo internet", "no", "sigue sin funcionar"]),
    "en": ("+13055550123", ["my internet is down", "no", "still not working"]),
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_explained_interaction_is_not_its_own_closest_case(
    app: Flask,
    session: Session,
    twilio: TwilioClient,
    customer_factory: Callable[..., Customer],
    language: str,
) -> None:
    """A troubleshooting chat the caller left, exported and imported as a dataset: explaining
    it cites neither the interaction nor its imported copy, and the copy keeps the outcome
    the metrics give it (abandoned, not escalated)."""
    phone, said = ABANDONED[language]
    customer_factory(phone=phone, language=language)
    for text in said:
        replies(twilio.post("/twilio/sms", sms_params(phone, text)))
    interaction = session.scalars(select(Interaction)).one()
    interactions.close_interaction(session, interaction.id, "inactive")
    session.commit()
    assert interaction.outcome == "abandoned"
    exported = list(store.export_live(session, store.LiveFilter()))
    store.save(session, "copy", exported)
    session.commit()
    encoder = index.HashingEncoder()
    assert index.index_pending(session, encoder) == 2
    copy = session.scalars(select(CaseVector).where(CaseVector.source == "dataset")).one()
    assert copy.outcome == "abandoned"

    query = explain.query_for_interaction(session, interaction.id)
    result = explain.explain(session, encoder, query, exclude=("live", interaction.id))
    assert result.cases == []
    assert "dataset-" not in result.text and f"live-{interaction.id}" not in result.text

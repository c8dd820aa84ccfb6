"""Operator commands that lost or misreported things, through the installed entry point: rows
of a labelled file left out without a word, ``meta`` keys written beside ``meta`` ignored,
"exported 1 customers", and a second beat sending every periodic task twice."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.db import make_engine
from contactpro.models import Customer, DatasetConversation
from tests.cli.test_beat_broker_down import wait_for_line
from tests.cli.test_entry_point import ENTRY_POINT, run
from tests.cli.test_intents import ROWS
from tests.cli.test_operator_errors import one_error
from tests.cli.test_serve_stops import free_port, wait_until_serving
from tests.conftest import AUTH_TOKEN


def _labelled_csv(path: Path, blanks: dict[int, tuple[str, str]]) -> Path:
    """Write the labelled rows with ``blanks`` put at the given file lines (header: line 1)."""
    rows = [(text, label) for label, texts in ROWS.items() for text in texts]
    for line in sorted(blanks):
        rows.insert(line - 2, blanks[line])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


def _train(data: Path, out: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    args = ["intents", "train", "--data", str(data), "--out", str(out), "--no-embeddings"]
    return run([*args, "--quiet"], tmp_path)


def test_train_says_which_rows_it_left_out_and_trains_on_the_rest(tmp_path: Path) -> None:
    """Was: rows with no text or no label dropped without a word."""
    data = _labelled_csv(
        tmp_path / "labelled.csv",
        {
            4: ("quiero pagar", ""),
            9: ("", "billing_inquiry"),
            12: ("   ", "cancellation"),
            15: ("", ""),
        },
    )
    trained = _train(data, tmp_path / "model", tmp_path)
    assert trained.returncode == 0, trained.stderr
    # Line 15 is blank in every column: an empty line, not a row left out.
    assert trained.stderr.strip() == (
        f"Warning: {data}: skipped 3 rows with no text or no label (lines 4, 9, 12)"
    )
    assert "trained on " in trained.stdout and (tmp_path / "model").is_dir()
    assert "quiero pagar" not in trained.stdout + trained.stderr


def test_one_row_left_out_is_one_row_and_many_are_counted(tmp_path: Path) -> None:
    one = _labelled_csv(tmp_path / "one.csv", {5: ("I want to pay", "")})
    trained = _train(one, tmp_path / "m1", tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert trained.stderr.strip() == (
        f"Warning: {one}: skipped 1 row with no text or no label (line 5)"
    )
    many = _labelled_csv(
        tmp_path / "many.csv", {line: ("", "cancellation") for line in range(3, 10)}
    )
    evaluated = run(
        ["intents", "evaluate", "--model", str(tmp_path / "m1"), "--data", str(many)], tmp_path
    )
    assert evaluated.returncode == 0, evaluated.stderr
    assert (
        f"Warning: {many}: skipped 7 rows with no text or no label (lines 3, 4, 5, 6, 7 and 2 more)"
    ) in evaluated.stderr.splitlines()


def test_jsonl_rows_left_out_are_named_by_their_file_line(tmp_path: Path) -> None:
    data = tmp_path / "labelled.jsonl"
    lines = [
        json.dumps({"text": text, "label": label}, ensure_ascii=False)
        for label, texts in ROWS.items()
        for text in texts
    ]
    lines.insert(2, "")  # line 3: an empty line
    lines.insert(5, json.dumps({"text": "dónde pago", "label": None}, ensure_ascii=False))
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    trained = _train(data, tmp_path / "model", tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert trained.stderr.strip() == (
        f"Warning: {data}: skipped 1 row with no text or no label (line 6)"
    )


def test_a_file_with_no_labelled_row_left_says_what_to_do(tmp_path: Path) -> None:
    data = tmp_path / "unlabelled.csv"
    data.write_text("text,label\ncuánto debo,\nhow much do I owe,\n", encoding="utf-8")
    line = one_error(_train(data, tmp_path / "model", tmp_path))
    assert line == (
        f"Error: {data} holds no labelled rows: 2 rows with no text or no label (lines 2, 3): "
        "give every row a text and a label (a header row naming the text and label columns "
        "first)"
    )
    assert not (tmp_path / "model").exists()


def _imported(tmp_path: Path) -> dict[str, DatasetConversation]:
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    try:
        with Session(engine) as session:
            rows = session.scalars(select(DatasetConversation))
            return {row.external_id: row for row in rows}
    finally:
        engine.dispose()


def test_meta_keys_beside_meta_are_read_as_meta(tmp_path: Path) -> None:
    """Was: ``"channel": "voice"`` at the top level of a line ignored, the channel unknown."""
    lines = [
        {
            "conversation_id": "es-1",
            "canal": "voz",
            "idioma": "es",
            "resuelto": "sí",
            "transcript": [{"role": "user", "content": "no tengo luz en la casa"}],
        },
        {
            "conversation_id": "en-1",
            "channel": "sms",
            "language": "en",
            "resolved": False,
            "meta": {"segment": "home"},
            "summary": "asked for a refund",
            "transcript": [{"role": "user", "content": "I want my money back"}],
        },
        {
            "conversation_id": "twice",
            "channel": "sms",
            "meta": {"channel": "voice"},
            "transcript": [{"role": "user", "content": "hola"}],
        },
    ]
    data = tmp_path / "calls.jsonl"
    data.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    assert run(["init-db"], tmp_path).returncode == 0
    imported = run(["conversations", "import", str(data), "--dataset", "calls"], tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "imported 2 conversations (2 new, 0 replaced), skipped 1 line" in imported.stdout
    assert imported.stderr.strip() == (
        "skipped line 3: channel is given twice: 'voice' in meta, 'sms' beside it"
    )
    rows = _imported(tmp_path)
    assert (rows["es-1"].channel, rows["es-1"].language, rows["es-1"].resolved) == (
        "voice",
        "es",
        True,
    )
    assert (rows["en-1"].channel, rows["en-1"].language, rows["en-1"].resolved) == (
        "sms",
        "en",
        False,
    )
    assert rows["en-1"].segment == "home"
    assert rows["en-1"].outcomes["summary"] == "asked for a refund"
    measured = run(["conversations", "metrics", "--data", str(data), "--json"], tmp_path)
    assert measured.returncode == 0, measured.stderr
    assert json.loads(measured.stdout)["resolution_rate"] == 0.5


def _add_customer(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    try:
        with Session(engine) as session:
            session.add(Customer(phone="+15550009999", name="Ana Ruiz"))
            session.commit()
    finally:
        engine.dispose()


def test_counts_agree_with_their_noun(tmp_path: Path) -> None:
    """Was: "1 rows", "imported 1 conversations ... skipped 1 lines"."""
    assert run(["init-db"], tmp_path).returncode == 0
    _add_customer(tmp_path)
    out = tmp_path / "ana.json"
    exported = run(["customers", "export", "--phone", "+15550009999", "--out", str(out)], tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == f"exported customer 1: 1 row, 0 archived, to {out}\n"
    data = tmp_path / "one.jsonl"
    line = {"conversation_id": "c1", "transcript": [{"role": "user", "content": "hola"}]}
    data.write_text(json.dumps(line) + "\n{broken\n", encoding="utf-8")
    imported = run(["conversations", "import", str(data)], tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == (
        "dataset one: imported 1 conversation (1 new, 0 replaced), skipped 1 line"
    )
    removed = run(["customers", "retention"], tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.strip() == (
        "archived and removed: 0 conversations, 0 transcripts, 0 recordings; 0 old files deleted"
    )


def _environment(tmp_path: Path) -> dict[str, str]:
    """The environment of ``run``, for the long-running commands started with Popen."""
    environ = {
        **os.environ,
        "CONTACTPRO_ENV": "test",
        "CONTACTPRO_VAR_DIR": str(tmp_path / "var"),
        "CONTACTPRO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
    }
    environ.pop("CONTACTPRO_BROKER_URL", None)  # the embedded broker: serve runs its beat
    return environ


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=60)


def test_a_second_beat_refuses_to_send_the_periodic_tasks_twice(tmp_path: Path) -> None:
    """Was: ``contactpro beat`` beside ``serve`` (its embedded beat) scheduled every task twice."""
    assert run(["init-db"], tmp_path).returncode == 0
    assert ENTRY_POINT
    env = _environment(tmp_path)
    port = free_port()
    serve_log = tmp_path / "serve.log"
    with serve_log.open("wb") as log:
        server = subprocess.Popen(
            [ENTRY_POINT, "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_serving(server, port, serve_log)
        refused = run(["beat"], tmp_path)
        assert one_error(refused) == (
            f"Error: `contactpro serve` (pid {server.pid}) already runs the periodic tasks on "
            "this CONTACTPRO_VAR_DIR: a second beat would send each of them twice. Leave the "
            "schedule to it, or stop it first"
        )
        with_beat = run(["worker", "--beat"], tmp_path)
        assert f"`contactpro serve` (pid {server.pid}) already runs" in one_error(with_beat)
    finally:
        _stop(server)

    # Serve gone, its lock with it: a beat starts; a serve started then leaves it the schedule.
    beat_log = tmp_path / "beat.log"
    with beat_log.open("wb") as log:
        beat = subprocess.Popen(
            [ENTRY_POINT, "beat"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_for_line(beat_log, "beat: Starting", beat, 120)
        with serve_log.open("wb") as log:
            server = subprocess.Popen(
                [ENTRY_POINT, "serve", "--port", str(port)],
                cwd=tmp_path,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until_serving(server, port, serve_log)
            deadline = time.monotonic() + 10
            while "embedded beat not started" not in serve_log.read_text():
                assert time.monotonic() < deadline, serve_log.read_text()
                time.sleep(0.2)
            assert (
                f"Warning: embedded beat not started: `contactpro beat` (pid {beat.pid}) "
                "already runs the periodic tasks on this CONTACTPRO_VAR_DIR"
            ) in serve_log.read_text().splitlines()
        finally:
            _stop(server)
        assert beat.poll() is None, beat_log.read_text()
    finally:
        _stop(beat)

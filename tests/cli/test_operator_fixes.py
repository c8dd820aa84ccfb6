"""What the QA run of the README's commands found: every bad input ends in one ``Error:`` line
and exit status 1 (a bad setting: ``configuration error:``, exit 2), never a traceback, and
the figures printed are readable. All through the installed ``contactpro`` entry point."""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from contactpro.db import make_engine
from contactpro.models import Interaction
from tests.cli.test_entry_point import run
from tests.cli.test_intents import ROWS, _write_csv
from tests.cli.test_operator_errors import migrated, one_error  # noqa: F401 - fixture


def _no_traceback(result: object) -> None:
    assert "Traceback" not in result.stdout + result.stderr  # type: ignore[attr-defined]


# 1. A bad intent model


@pytest.mark.parametrize("kind", ["corrupt", "missing"])
def test_a_bad_intent_model_stops_serve_and_metrics_with_one_line(
    migrated: Path,  # noqa: F811
    kind: str,
) -> None:
    """A corrupt model.json or a missing folder: one line naming the folder, exit 1."""
    folder = migrated / "model"
    if kind == "corrupt":
        folder.mkdir()
        (folder / "model.json").write_text("{", encoding="utf-8")
    data = migrated / "one.jsonl"
    data.write_text(json.dumps({"id": "a", "transcript": []}) + "\n", encoding="utf-8")
    env = {"CONTACTPRO_INTENT_MODEL_DIR": str(folder)}
    for args in (["serve", "--port", "5991"], ["conversations", "metrics", "--data", str(data)]):
        line = one_error(run(args, migrated, **env))
        assert line.startswith(f"Error: cannot read intent model in {folder}")


# 2. A path through a regular file


def test_a_database_under_a_file_is_one_line(migrated: Path) -> None:  # noqa: F811
    url = f"sqlite:///{migrated / 'afile' / 'x.db'}"
    result = run(["init-db"], migrated, CONTACTPRO_DATABASE_URL=url)
    line = one_error(result)
    assert line == (
        f"Error: cannot write {migrated / 'afile' / 'x.db'}: "
        f"{migrated / 'afile'} is a file, not a folder"
    )


@pytest.mark.parametrize("args", [["seed", "--customers", "1"], ["users", "list"]])
def test_a_var_dir_under_a_file_is_one_line(migrated: Path, args: list[str]) -> None:  # noqa: F811
    line = one_error(run(args, migrated, CONTACTPRO_VAR_DIR=str(migrated / "afile")))
    assert line.startswith(f"Error: cannot write {migrated / 'afile'}")
    assert line.endswith(f"{migrated / 'afile'} is a file, not a folder")


# 3. Labels the model does not know


def _labelled(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


@pytest.fixture
def trained(tmp_path: Path) -> Path:
    """A small model trained without embeddings (fast)."""
    data = _write_csv(tmp_path / "train.csv")
    model = tmp_path / "model"
    args = ["intents", "train", "--data", str(data), "--out", str(model)]
    result = run([*args, "--no-embeddings", "--quiet"], tmp_path)
    assert result.returncode == 0, result.stderr
    return model


def test_training_refuses_a_validation_file_of_unknown_labels(tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "train.csv")
    val = _labelled(tmp_path / "val.csv", [("hola", "greeting"), ("pagar", "payment")] * 3)
    out = tmp_path / "model"
    args = ["intents", "train", "--data", str(data), "--val", str(val), "--out", str(out)]
    line = one_error(run([*args, "--no-embeddings", "--quiet"], tmp_path))
    assert "none of the validation labels (greeting, payment)" in line
    assert not (out / "model.json").exists()


def test_training_warns_about_some_unknown_validation_labels(tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "train.csv")
    rows = [(t, label) for label, texts in ROWS.items() for t in texts[:4]]
    val = _labelled(tmp_path / "val.csv", [*rows, ("hola", "greeting"), ("hello", "greeting")])
    out = tmp_path / "model"
    args = ["intents", "train", "--data", str(data), "--val", str(val), "--out", str(out)]
    result = run([*args, "--no-embeddings", "--quiet"], tmp_path)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert warnings == [
        f"Warning: 2 of {len(rows) + 2} validation rows have labels the model does not know "
        "(greeting); they can never be predicted right"
    ]


def test_evaluation_refuses_data_sharing_no_label_with_the_model(
    trained: Path, tmp_path: Path
) -> None:
    data = _labelled(
        tmp_path / "other.csv", [("hola", "greeting"), ("qué hora es", "out_of_scope")]
    )
    line = one_error(
        run(["intents", "evaluate", "--model", str(trained), "--data", str(data)], tmp_path)
    )
    assert "none of the evaluation labels (greeting)" in line


def test_training_data_that_is_not_there_is_cannot_read(tmp_path: Path) -> None:
    result = run(["intents", "train", "--data", "nope.csv", "--out", "m"], tmp_path)
    assert one_error(result) == "Error: cannot read nope.csv: No such file or directory"


# 4. Conformity scores beside a team's own columns


def test_conformity_score_keeps_the_teams_own_label_and_conformity(tmp_path: Path) -> None:
    data = tmp_path / "own.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [["text", "label", "conformity"], ["muy mal servicio, estoy furioso", "angry", "7"]]
        )
    out = tmp_path / "s.csv"
    args = ["conformity", "score", "--data", str(data), "--text-column", "text", "--out", str(out)]
    result = run(args, tmp_path)
    assert result.returncode == 0, result.stderr
    with out.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
        handle.seek(0)
        row = next(csv.DictReader(handle))
    assert header == [
        "text",
        "label",
        "conformity",
        "score_label",
        "p_negative",
        "p_neutral",
        "p_positive",
        "score_conformity",
    ]
    assert (row["label"], row["conformity"]) == ("angry", "7")
    assert row["score_label"] in {"negative", "neutral", "positive"}


# 5. and 8. Metrics of an empty conversation, readable


def test_an_empty_conversation_has_no_csat_and_the_figures_read_as_text(tmp_path: Path) -> None:
    data = tmp_path / "calls.jsonl"
    data.write_text(json.dumps({"id": "empty", "transcript": []}) + "\n", encoding="utf-8")
    as_json = run(["conversations", "metrics", "--data", str(data), "--json"], tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["csat_mean"] is None
    text = run(["conversations", "metrics", "--data", str(data)], tmp_path)
    assert text.returncode == 0, text.stderr
    assert "None" not in text.stdout and "{" not in text.stdout
    assert "csat_mean                -" in text.stdout
    assert "escalation_reasons       none" in text.stdout


# 6. simulate against a server that refuses, or none


@pytest.fixture
def refusing_server() -> Iterator[str]:
    """A server that answers every POST as a server with another Twilio token does."""

    class Refuse(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(403)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"Twilio signature mismatch")

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "args", [["sms", "--from", "+573001112233", "hola"], ["call", "--from", "+573001112233"]]
)
def test_simulate_stops_when_the_server_refuses_the_signature(
    migrated: Path,  # noqa: F811
    refusing_server: str,
    args: list[str],
) -> None:
    result = run(["simulate", args[0], "--url", refusing_server, *args[1:]], migrated)
    line = one_error(result)
    assert "refused the request signature" in line
    assert "TWILIO_AUTH_TOKEN and CONTACTPRO_PUBLIC_URL" in line
    assert "started" not in result.stdout


def test_simulate_names_the_url_it_cannot_reach_or_read(migrated: Path) -> None:  # noqa: F811
    sms = ["simulate", "sms", "--from", "+573001112233"]
    line = one_error(run([*sms, "--url", "http://127.0.0.1:9", "hola"], migrated))
    assert line.startswith("Error: cannot reach the server at http://127.0.0.1:9")
    assert "is `contactpro serve` running at http://127.0.0.1:9?" in line
    line = one_error(run([*sms, "--url", "notaurl", "hola"], migrated))
    assert line.startswith("Error: 'notaurl' is not a valid server URL")


# 7. A JSON file that is not JSONL


def test_importing_a_json_file_stops_early_and_briefly(migrated: Path) -> None:  # noqa: F811
    data = migrated / "calls.json"
    turn = [{"role": "user", "content": "hola"}]
    conversations = [{"id": str(n), "transcript": turn} for n in range(500)]
    data.write_text(json.dumps(conversations, indent=2), encoding="utf-8")
    result = run(["conversations", "import", str(data)], migrated)
    line = one_error(result)
    assert line == (
        f"Error: {data} is not JSONL (one JSON conversation a line): "
        "its first 20 lines are not conversations"
    )
    assert len(result.stderr.splitlines()) < 15, result.stderr


def test_many_bad_lines_among_good_ones_are_counted_not_listed(migrated: Path) -> None:  # noqa: F811
    data = migrated / "calls.jsonl"
    good = json.dumps({"id": "a", "transcript": [{"role": "user", "content": "hola"}]})
    data.write_text("\n".join([good, *["{broken"] * 30]) + "\n", encoding="utf-8")
    result = run(["conversations", "import", str(data)], migrated)
    assert result.returncode == 0, result.stderr
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped")]
    assert len(skipped) == 11 and skipped[-1] == "skipped 20 more lines"


# 8. The rest


def test_no_proposals_is_said(migrated: Path) -> None:  # noqa: F811
    result = run(["improve", "proposals"], migrated)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no proposals"


def test_a_misspelt_setting_of_transcribe_is_a_configuration_error(tmp_path: Path) -> None:
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"RIFF")
    result = run(["transcribe", str(audio)], tmp_path, CONTACTPRO_TRANSCRIBER="whisprr")
    assert result.returncode == 2, result.stderr
    _no_traceback(result)
    assert result.stderr.startswith("configuration error: CONTACTPRO_TRANSCRIBER")


def test_analyze_mentions_the_open_conversations_and_no_advice_about_nobody(
    migrated: Path,  # noqa: F811
) -> None:
    engine = make_engine(f"sqlite:///{migrated / 'cli.sqlite3'}")
    try:
        with Session(engine) as session:
            session.add(
                Interaction(
                    channel="sms",
                    twilio_sid="SM1",
                    from_number="+573001112233",
                    to_number="+15550001000",
                    started_at=datetime.now(UTC).replace(tzinfo=None),
                    status="active",
                )
            )
            session.commit()
    finally:
        engine.dispose()
    out = migrated / "an"
    result = run(["analyze", "--out", str(out), "--no-dashboards"], migrated)
    assert result.returncode == 0, result.stderr
    assert "(1 conversation still open is analysed once closed)" in result.stdout
    assert "Call the 0 customers" not in (out / "report.md").read_text(encoding="utf-8")

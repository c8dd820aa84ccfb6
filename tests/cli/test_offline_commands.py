"""The installed ``contactpro``: its help and version, and the offline commands without Twilio.

Transcribing a file, training or evaluating the intent classifier and scoring texts serve no
webhook, so they run on a machine that has no ``TWILIO_AUTH_TOKEN``; the commands that act on
the service still stop with a clear configuration error there.
"""

from __future__ import annotations

import csv
import importlib.metadata
import io
import json
from pathlib import Path

import pytest

from contactpro.analytics import sentiment
from tests.cli.test_entry_point import run
from tests.cli.test_intents import ROWS
from tests.conftest import REPO

# An empty value counts as unset: these runs have no Twilio secret.
NO_TWILIO = {"TWILIO_AUTH_TOKEN": ""}


@pytest.fixture
def labelled_csv(tmp_path: Path) -> Path:
    path = tmp_path / "traffic.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        writer.writerows([text, label] for label, texts in ROWS.items() for text in texts)
    return path


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_shows_the_operator_commands_only(flag: str, tmp_path: Path) -> None:
    """The help answers without any setting and shows no Flask development options."""
    result = run([flag], tmp_path, **NO_TWILIO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: contactpro [OPTIONS] COMMAND [ARGS]...")
    commands = {
        line.split()[0]
        for line in result.stdout.split("Commands:", 1)[1].splitlines()
        if line.startswith("  ")
    }
    assert {"init-db", "serve", "worker", "routes", "transcribe", "intents", "analyze"} <= commands
    assert not {"run", "shell"} & commands
    for option in ("--app", "--debug", "--env-file", "-A,", "-e,"):
        assert option not in result.stdout
    assert "--version" in result.stdout and "-h, --help" in result.stdout


def test_version_is_the_installed_package_version(tmp_path: Path) -> None:
    result = run(["--version"], tmp_path, **NO_TWILIO)
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip() == f"contactpro, version {importlib.metadata.version('contactpro')}"
    )


def test_routes_lists_the_twilio_urls(tmp_path: Path) -> None:
    result = run(["routes"], tmp_path)
    assert result.returncode == 0, result.stderr
    rules = {line.split()[-1] for line in result.stdout.splitlines()[2:] if line.strip()}
    assert {"/twilio/voice", "/twilio/voice/fallback", "/twilio/sms", "/twilio/sms/status"} <= rules


def test_transcribe_needs_no_twilio_secret(tmp_path: Path) -> None:
    recording = REPO / "tests" / "data" / "speech" / "es_cheetah_numero.wav"
    result = run(
        ["transcribe", str(recording), "--backend", "fake", "--json"], tmp_path, **NO_TWILIO
    )
    assert result.returncode == 0, result.stderr
    transcript = json.loads(result.stdout)
    assert transcript["backend"] == "fake" and transcript["language"] == "es"
    assert transcript["text"] == "Hola, quiero consultar el saldo de mi factura."


def test_intents_train_and_evaluate_need_no_twilio_secret(
    labelled_csv: Path, tmp_path: Path
) -> None:
    model = tmp_path / "model"
    trained = run(
        ["intents", "train", "--data", str(labelled_csv), "--out", str(model), "--quiet"],
        tmp_path,
        **NO_TWILIO,
    )
    assert trained.returncode == 0, trained.stderr
    assert (model / "model.json").is_file()
    evaluated = run(
        ["intents", "evaluate", "--model", str(model), "--data", str(labelled_csv), "--json"],
        tmp_path,
        **NO_TWILIO,
    )
    assert evaluated.returncode == 0, evaluated.stderr
    report = json.loads(evaluated.stdout)
    assert report["n"] == 30 and report["accuracy"] >= 0.75
    assert set(report["per_intent"]) >= {"billing_inquiry", "cancellation"}


def test_conformity_score_and_train_need_no_twilio_secret(
    labelled_csv: Path, tmp_path: Path
) -> None:
    scored = run(
        ["conformity", "score", "--data", str(labelled_csv), "--text-column", "text"],
        tmp_path,
        **NO_TWILIO,
    )
    assert scored.returncode == 0, scored.stderr
    rows = list(csv.DictReader(io.StringIO(scored.stdout)))
    assert [row["text"] for row in rows] == [t for texts in ROWS.values() for t in texts]
    assert all(0 <= float(row["conformity"]) <= 100 for row in rows)
    data_dir = tmp_path / "conformity"
    data_dir.mkdir()
    for name in ("es.txt", "en.txt"):  # a few lines a class: the command, not the model
        lines = (sentiment.DATA_DIR / name).read_text(encoding="utf-8").splitlines()
        sample = [line for label in sentiment.LABELS for line in lines if line.startswith(label)]
        picked = [s for i, s in enumerate(sample) if i % 60 < 4]
        (data_dir / name).write_text("\n".join(picked) + "\n", encoding="utf-8")
    trained = run(["conformity", "train", "--data-dir", str(data_dir)], tmp_path, **NO_TWILIO)
    assert trained.returncode == 0, trained.stderr
    assert "saved to" in trained.stdout
    assert json.loads((data_dir / "model" / "model.json").read_text())["format"].startswith(
        "contactpro-conformity"
    )
    (data_dir / "es.txt").write_text("happy\tthis label does not exist\n", encoding="utf-8")
    broken = run(["conformity", "train", "--data-dir", str(data_dir)], tmp_path, **NO_TWILIO)
    assert broken.returncode == 1 and "unknown labels" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_service_commands_still_ask_for_the_twilio_secret(tmp_path: Path) -> None:
    """Without the secret the server's commands stop with the variable named, no traceback."""
    result = run(["init-db"], tmp_path, **NO_TWILIO)
    assert result.returncode == 2
    assert "configuration error: TWILIO_AUTH_TOKEN is required" in result.stderr
    assert "Traceback" not in result.stderr

"""CSV files saved by a spreadsheet set to Spanish (semicolons) are read like comma files, through
the installed entry point: an IVR log imported, a labelled file trained on."""

from __future__ import annotations

import json
from pathlib import Path

from contactpro.nlu.datasets import CORPUS_PATH, load_examples
from tests.cli.test_entry_point import run

IVR_HEADER = "call_id;timestamp;call_type;failure_step;failure_reason;segment;duration;narrative"


def test_an_ivr_log_with_semicolons_is_imported(tmp_path: Path) -> None:
    assert run(["init-db"], tmp_path).returncode == 0
    log = tmp_path / "ivr.csv"
    log.write_text(
        f"{IVR_HEADER}\n"
        "A1;2026-11-02T10:00:00Z;auth;authentication;biometric_fail;premium;61;voz no reconocida\n"
        "A2;2026-11-02T10:05:00Z;billing;;;standard;40;saldo informado, cliente conforme\n",
        encoding="utf-8-sig",  # with the byte-order mark a spreadsheet writes
    )
    imported = run(["conversations", "import", str(log), "--dataset", "ivr"], tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "imported 2 conversations" in imported.stdout
    metrics = run(["conversations", "metrics", "--dataset", "ivr", "--json"], tmp_path)
    assert metrics.returncode == 0, metrics.stderr
    assert json.loads(metrics.stdout)["conversations"] == 2


def test_a_comma_inside_a_semicolon_file_stays_in_its_cell(tmp_path: Path) -> None:
    assert run(["init-db"], tmp_path).returncode == 0
    log = tmp_path / "ivr.csv"
    log.write_text(
        f"{IVR_HEADER}\n"
        "B1;2026-11-02T10:00:00Z;billing;;;standard;40;saldo, factura y fecha de pago\n",
        encoding="utf-8",
    )
    imported = run(["conversations", "import", str(log)], tmp_path)
    assert imported.returncode == 0 and "imported 1 conversation" in imported.stdout


def test_a_labelled_file_with_semicolons_trains(tmp_path: Path) -> None:
    examples = load_examples(CORPUS_PATH)[:300]
    data = tmp_path / "labelled.csv"
    data.write_text(
        "text;label\n" + "".join(f'"{e.text}";{e.label}\n' for e in examples if '"' not in e.text),
        encoding="utf-8",
    )
    out = tmp_path / "model"
    args = ["intents", "train", "--data", str(data), "--out", str(out), "--no-embeddings"]
    result = run([*args, "--quiet"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (out / "model.json").exists()

"""``contactpro intents train|evaluate`` through click's runner on small files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from cli.intents import intents
from contactpro.nlu.classifier import IntentModel

ROWS = {
    "billing_inquiry": [
        "cuánto debo",
        "how much do I owe",
        "mi saldo por favor",
        "my balance",
        "valor de la factura",
        "what's my bill",
        "cuánto es la factura",
        "what do I owe",
        "quiero saber el saldo",
        "check my balance",
    ],
    "cancellation": [
        "cancelar el servicio",
        "cancel my service",
        "dar de baja la línea",
        "terminate my contract",
        "quiero cancelar",
        "I want to cancel",
        "cancelen todo",
        "close my account",
        "me quiero ir",
        "cancel everything",
    ],
    "out_of_scope": [
        "qué hora es",
        "what time is it",
        "pídeme una pizza",
        "the weather",
        "cuéntame un chiste",
        "tell me a joke",
        "quién ganó el partido",
        "who won the game",
        "receta de torta",
        "cake recipe",
    ],
}


def _write_csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        for label, texts in ROWS.items():
            writer.writerows([t, label] for t in texts)
    return path


def _write_jsonl(path: Path) -> Path:
    lines = [
        json.dumps({"text": t, "label": label}) for label, texts in ROWS.items() for t in texts[:4]
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_train_then_evaluate(tmp_path: Path) -> None:
    runner = CliRunner()
    data = _write_csv(tmp_path / "traffic.csv")
    out = tmp_path / "model"
    result = runner.invoke(intents, ["train", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "threshold" in result.output and "written to" in result.output
    assert "embedding: " in result.output  # progress lines for the long stage

    model = IntentModel.load(out)
    assert model.metadata["n_train"] == 30
    assert model.metadata["validation"].startswith("carved out")
    assert set(model.classes) == set(ROWS)

    result = runner.invoke(intents, ["evaluate", "--model", str(out), "--data", str(data)])
    assert result.exit_code == 0, result.output
    for heading in ("accuracy", "macro-F1", "out-of-scope recall", "precision", "recall"):
        assert heading in result.output

    jsonl = _write_jsonl(tmp_path / "eval.jsonl")
    result = runner.invoke(
        intents, ["evaluate", "--model", str(out), "--data", str(jsonl), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["n"] == 12
    assert report["accuracy"] >= 0.75
    assert report["oos_recall"] is not None
    assert set(report["per_intent"]) >= {"billing_inquiry", "cancellation"}
    assert isinstance(report["confusions"], list)


def test_train_with_given_validation_and_custom_oos_label(tmp_path: Path) -> None:
    rows = [
        (t, "oos" if label == "out_of_scope" else label)
        for label, texts in ROWS.items()
        for t in texts
    ]
    train, val = tmp_path / "train.csv", tmp_path / "val.csv"
    for path, part in ((train, rows[0::2]), (val, rows[1::2])):
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([("text", "label"), *part])
    out = tmp_path / "m"
    result = CliRunner().invoke(
        intents,
        [
            "train",
            "--data",
            str(train),
            "--val",
            str(val),
            "--out",
            str(out),
            "--oos-label",
            "oos",
            "--no-embeddings",
            "--max-in-scope-loss",
            "0.05",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    model = IntentModel.load(out)
    assert model.metadata["validation"] == "given"
    assert model.config.oos_label == "oos" and model.metadata["embedding"] is None
    assert model.config.max_in_scope_loss == 0.05


def test_bad_files_are_reported_not_raised(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("utterance,intent\nhola,greeting\n", encoding="utf-8")
    result = CliRunner().invoke(
        intents, ["train", "--data", str(bad), "--out", str(tmp_path / "m")]
    )
    assert result.exit_code == 1
    assert "no text and label columns" in result.output
    result = CliRunner().invoke(
        intents, ["evaluate", "--model", str(tmp_path / "none"), "--data", str(bad)]
    )
    assert result.exit_code == 1
    assert "cannot read intent model" in result.output


def test_encoder_option_picks_the_encoder_the_model_records(tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "data.csv")
    for encoder in ("e5-static", "none"):
        out = tmp_path / encoder
        result = CliRunner().invoke(
            intents,
            ["train", "--data", str(data), "--out", str(out), "--encoder", encoder, "--quiet"],
        )
        assert result.exit_code == 0, result.output
        model = IntentModel.load(out)
        assert (model.encoder_name, model.metadata["encoder"]) == (encoder, encoder)
        assert (model.encoder is not None) == (encoder == "e5-static")

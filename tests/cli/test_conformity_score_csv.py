"""A manager scores a CSV exported from a spreadsheet set to Spanish (semicolons, not commas)."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.cli.test_entry_point import run


def test_conformity_score_reads_a_semicolon_csv_and_keeps_its_separator(tmp_path: Path) -> None:
    data = tmp_path / "encuesta.csv"
    data.write_text(
        "id;comentario;fecha\n"
        '1;"Pésimo servicio; llevo tres días sin internet y nadie me ayuda";2026-12-01\n'
        "2;Muchas gracias, me resolvieron todo muy rápido;2026-12-02\n",
        encoding="utf-8",
    )
    out = tmp_path / "puntuado.csv"

    scored = run(
        [
            "conformity",
            "score",
            "--data",
            str(data),
            "--text-column",
            "comentario",
            "--out",
            str(out),
        ],
        tmp_path,
    )

    assert scored.returncode == 0, scored.stderr
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert [r["id"] for r in rows] == ["1", "2"]
    assert rows[0]["comentario"].startswith("Pésimo servicio; llevo")  # the text, whole
    assert rows[0]["fecha"] == "2026-12-01"
    assert [r["label"] for r in rows] == ["negative", "positive"]
    assert float(rows[0]["conformity"]) < 50 < float(rows[1]["conformity"])


def test_conformity_score_names_the_columns_when_the_text_column_is_wrong(tmp_path: Path) -> None:
    data = tmp_path / "encuesta.csv"
    data.write_text("id;comentario\n1;gracias\n", encoding="utf-8")

    scored = run(["conformity", "score", "--data", str(data), "--text-column", "texto"], tmp_path)

    assert scored.returncode == 2
    assert "no column 'texto'" in scored.stderr
    assert "'id', 'comentario'" in scored.stderr
    assert "Traceback" not in scored.stderr

"""The README's demo command runs end to end on the embedded default."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_demo_tours_simulates_and_analyses(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONTACTPRO_", "TWILIO_"))}
    out = tmp_path / "outputs"
    result = subprocess.run(
        [
            sys.executable,
            "demo.py",
            "--contacts",
            "16",
            "--days",
            "4",
            "--customers",
            "30",
            "--var-dir",
            str(tmp_path / "var"),
            "--out",
            str(out),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    text = result.stdout
    assert "Seeded 30 customers" in text
    for scenario in (
        "billing",
        "payment",
        "debt",
        "connection",
        "cancellation",
        "product",
        "handoff",
    ):
        assert f"[{scenario} · es ·" in text and f"[{scenario} · en ·" in text
    assert "registré tu acuerdo" in text or "recorded your agreement" in text
    match = re.search(r"=== (\d+) interactions, (\d+) caller turns", text)
    assert match and int(match.group(1)) >= 25
    voice = re.search(r"^voice\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", text, re.M)
    assert voice and int(voice.group(4)) == 0, "every call is closed by the worker"
    assert "Interactions analysed" in text and "Automatic resolution" in text
    for name in ("index.html", "report.html", "report.md", "matrix.png", "kpis.png"):
        assert (out / name).stat().st_size > 0, name

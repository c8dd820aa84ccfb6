"""The README's demo command runs end to end on the embedded default."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_demo_drives_conversations_and_reports(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONTACTPRO_", "TWILIO_"))}
    result = subprocess.run(
        [sys.executable, "demo.py", "--conversations", "9", "--customers", "12",
         "--var-dir", str(tmp_path)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "Seeded 12 customers" in out
    match = re.search(r"=== (\d+) interactions, (\d+) caller turns", out)
    assert match and int(match.group(1)) >= 8 and int(match.group(2)) >= 9
    voice = re.search(r"^voice\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", out, re.M)
    assert voice and int(voice.group(4)) == 0, "every call is closed by the worker"
    assert "escalation reasons:" in out and "agent_request" in out
    assert (tmp_path / "demo.sqlite3").exists()

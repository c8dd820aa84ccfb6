"""``contactpro worker`` logs as the web does: JSON lines keeping ``extra=`` fields.

Celery replaces the root handler with its own format by default, which prints the message
alone: a worker's "late SMS answer not sent" or "outbox drained" lost its reason and counts.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

from contactpro.resilience.outbox import Outbox
from tests.cli.test_entry_point import ENTRY_POINT, run
from tests.conftest import AUTH_TOKEN

CELERY_FORMAT = re.compile(r"^\[\d{4}-\d\d-\d\d [\d:,]+: [A-Z]+/")


def test_worker_log_lines_are_json_with_their_fields(tmp_path: Path) -> None:
    assert run(["init-db"], tmp_path).returncode == 0
    # A task left in the outbox while the broker was away: beat flushes it when it starts.
    Outbox(tmp_path / "var" / "outbox").put("contactpro.journal.replay", [])
    env = {
        **os.environ,
        "CONTACTPRO_ENV": "test",
        "CONTACTPRO_VAR_DIR": str(tmp_path / "var"),
        "CONTACTPRO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "CONTACTPRO_LOG_FORMAT": "json",
    }
    assert ENTRY_POINT
    stderr = tmp_path / "worker.err"
    with stderr.open("wb") as err:
        worker = subprocess.Popen(
            [ENTRY_POINT, "worker", "-c", "1", "-B"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            deadline = time.monotonic() + 120
            while "outbox drained" not in stderr.read_text() and time.monotonic() < deadline:
                assert worker.poll() is None, stderr.read_text()
                time.sleep(0.5)
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    lines = [line for line in stderr.read_text().splitlines() if line.startswith(("{", "["))]
    assert not [line for line in lines if CELERY_FORMAT.match(line)], lines
    records = [json.loads(line) for line in lines if line.startswith("{")]
    drained = [r for r in records if r["message"] == "outbox drained"]
    assert drained and drained[0]["sent"] == 1 and drained[0]["waiting"] == 0, lines
    assert any(r["logger"] == "celery.apps.worker" for r in records), lines

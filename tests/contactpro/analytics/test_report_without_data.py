"""The insight report of a period with nothing (or little) to measure still reads as sentences.

An operator analyses a quiet week through the installed ``contactpro``: the report says no
conversation closed instead of "resolved not measured of them on its own", and its tables say
there is none instead of showing headings alone. A period where every contact reached an agent
names no automated duration.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from flask import Flask

from contactpro.analytics import report
from tests.cli.test_entry_point import ENTRY_POINT
from tests.conftest import AUTH_TOKEN

NONSENSE = ("not measured of them", "not measured were contained", "not measured automated")


def _analyze(app: Flask, out: Path) -> subprocess.CompletedProcess[str]:
    assert ENTRY_POINT, "the contactpro entry point is not installed"
    settings = app.extensions["contactpro"].settings
    env = {
        **os.environ,
        "CONTACTPRO_ENV": "test",
        "CONTACTPRO_DATABASE_URL": settings.database_url,
        "CONTACTPRO_VAR_DIR": str(settings.var_dir),
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
    }
    env.pop("ANTHROPIC_API_KEY", None)
    args = ["analyze", "--from", "2026-03-01", "--to", "2026-03-08", "--out", str(out)]
    return subprocess.run(
        [ENTRY_POINT, *args, "--no-dashboards"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_report_of_an_empty_period(app: Flask, tmp_path: Path) -> None:
    done = _analyze(app, tmp_path / "run")
    assert done.returncode == 0, done.stderr
    markdown = (tmp_path / "run" / "report.md").read_text()
    page = (tmp_path / "run" / "report.html").read_text()
    assert report.NOTHING_CLOSED in markdown and report.NOTHING_CLOSED in page
    assert report.NO_RECOMMENDATIONS in markdown
    for heading in ("Where conversations fail", "Containment by intent", "Escalation reasons"):
        section = markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
        assert report.NO_ROWS in section and "|---|" not in section, section
    for words in NONSENSE:
        assert words not in markdown and words not in page
    assert "| Interactions analysed | 0 |" in markdown  # the KPI table still lists every KPI


def test_summary_of_a_period_where_every_contact_reached_an_agent() -> None:
    facts = {
        "kpi_interactions": "4",
        "kpi_auto_resolution": "0.0 %",
        "kpi_net_containment": "0.0 %",
        "kpi_agent_minutes": "6.5 min",
        "kpi_monthly_savings": "0 USD",
    }
    prose = report.DeterministicWriter().write(facts)
    text = report.fill(prose.summary, facts)
    assert "{" not in text and "not measured" not in text
    assert "mean handling time with an agent is 6.5 min" in text
    assert "Estimated monthly savings are 0 USD." in text

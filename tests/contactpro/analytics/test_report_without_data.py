"""The insight report of a period with nothing (or little) to measure still reads as sentences.

An operator analyses a quiet week through the installed ``contactpro``: the report says no
conversation closed instead of "resolved not measured of them on its own", and its tables say
there is none instead of showing headings alone. A period where every contact reached an agent
names no automated duration.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from contactpro.analytics import report
from tests.contactpro.analytics.conftest import installed_contactpro

NONSENSE = ("not measured of them", "not measured were contained", "not measured automated")


def test_report_of_an_empty_period(app: Flask, tmp_path: Path) -> None:
    settings = app.extensions["contactpro"].settings
    period = ["--from", "2026-03-01", "--to", "2026-03-08"]
    done = installed_contactpro(
        settings, "analyze", *period, "--out", str(tmp_path / "run"), "--no-dashboards"
    )
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

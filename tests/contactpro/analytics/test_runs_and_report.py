"""A full run: stored with period and code version, files written, report figures from it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from contactpro.analytics import report, run_full_analysis, run_scheduled
from contactpro.analytics.patterns import Period
from contactpro.analytics.runs import RunResult, period_for
from contactpro.config import Settings
from contactpro.db import Database
from contactpro.models import AnalysisRun
from dashboards import FIGURES, draw_dashboards


@pytest.fixture
def run(
    db: Database, settings: Settings, case_ids: dict[int, int], period: Period, tmp_path: Path
) -> RunResult:
    out = tmp_path / "out"
    return run_full_analysis(db, settings, period.start, period.end, out, render=draw_dashboards)


def test_run_is_stored_with_period_code_version_and_outputs(
    run: RunResult, db: Database, period: Period, tmp_path: Path
) -> None:
    with db.session() as session:
        stored = session.get(AnalysisRun, run.run_id)
        assert stored is not None
        assert (stored.period_start, stored.period_end) == (period.start, period.end)
        assert stored.code_version.startswith("0.")
        assert stored.seconds is not None and stored.results["totals"]["contacts"] == 7
        assert stored.outputs["index"].endswith("index.html")
    out = tmp_path / "out"
    for name in FIGURES:
        assert (out / f"{name}.png").stat().st_size > 5000
    index = (out / "index.html").read_text()
    assert all(f"{name}.png" in index for name in FIGURES)


def test_report_numbers_equal_the_analysis(run: RunResult, tmp_path: Path) -> None:
    markdown = (tmp_path / "out" / "report.md").read_text()
    page = (tmp_path / "out" / "report.html").read_text()
    for kpi in run.results["kpis"]:
        assert f"| {kpi['label']} | {kpi['text']} |" in markdown
        assert kpi["text"] in page
    named = report.facts(run.results)
    assert named["kpi_net_containment"] == "28.6 %"
    assert named["top_failure_step"] == "asked clarification"
    assert "resolved 57.1 % of them on its own" in markdown
    for quadrant in run.results["matrix"]["quadrants"]:
        assert f"| {quadrant['label']} | {quadrant['customers']:,} |" in markdown


def test_scheduled_run_is_idempotent(
    db: Database, settings: Settings, case_ids: dict[int, int]
) -> None:
    now = period_for("daily").end  # any time works; use the current day boundary
    first = run_scheduled(db, settings, "daily", now)
    again = run_scheduled(db, settings, "daily", now)
    assert first == again
    with db.session() as session:
        assert len(list(session.scalars(select(AnalysisRun.id)))) == 1


def test_scheduled_run_completes_an_attempt_that_never_finished(
    db: Database, settings: Settings, case_ids: dict[int, int]
) -> None:
    now = period_for("hourly").end
    period = period_for("hourly", now)
    with db.session() as session:  # what a worker killed mid-run leaves behind
        session.add(
            AnalysisRun(
                kind="hourly",
                period_start=period.start,
                period_end=period.end,
                code_version="killed",
                results={},
                outputs={},
            )
        )
    run_id = run_scheduled(db, settings, "hourly", now)
    with db.session() as session:
        runs = list(session.scalars(select(AnalysisRun)))
        assert [run.id for run in runs] == [run_id]
        assert runs[0].seconds is not None and runs[0].results["run_id"] == run_id
        assert runs[0].outputs, "the redelivered run wrote its files"
        assert runs[0].code_version != "killed"


class _Messages(BaseHTTPRequestHandler):
    answer: dict[str, Any] = {}
    seen: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        type(self).seen.append(body)
        payload = json.dumps(
            {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": [{"type": "text", "text": json.dumps(type(self).answer)}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": 10, "output_tokens": 10},
            }
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def messages_api() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Messages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_claude_writes_prose_but_figures_come_from_the_analysis(
    run: RunResult, messages_api: str
) -> None:
    _Messages.answer = {
        "summary": "Net containment reached {kpi_net_containment}.",
        "recommendations": ["Start with {worst_intent}."],
    }
    writer = report.ClaudeWriter("sk-test", base_url=messages_api, timeout=5)
    markdown, _ = report.build_report(run.results, writer)
    assert "Net containment reached 28.6 %." in markdown
    assert "prose by the claude writer" in markdown
    prompt = _Messages.seen[-1]["messages"][0]["content"]
    assert "kpi_net_containment: 28.6 %" in prompt


def test_claude_numbers_are_rejected_for_the_deterministic_writer(
    run: RunResult, messages_api: str
) -> None:
    _Messages.answer = {"summary": "Containment was 99 %.", "recommendations": []}
    writer = report.ClaudeWriter("sk-test", base_url=messages_api, timeout=5)
    markdown, _ = report.build_report(run.results, writer)
    assert "99 %" not in markdown
    assert "prose by the deterministic writer" in markdown


def test_unreachable_claude_falls_back(run: RunResult) -> None:
    writer = report.ClaudeWriter("sk-test", base_url="http://127.0.0.1:9", timeout=1)
    markdown, _ = report.build_report(run.results, writer)
    assert "deterministic writer" in markdown

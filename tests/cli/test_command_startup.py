"""Commands that draw nothing start without loading matplotlib or the dashboards."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cli.app import draw_dashboards
from contactpro.db import make_engine
from contactpro.models import AnalysisRun
from tests.cli.test_entry_point import run

DRAWING = {"matplotlib", "dashboards"}


def loaded(args: list[str], tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run the installed ``contactpro ARGS`` with Python's import log; return it and its modules."""
    result = run(args, tmp_path, PYTHONPROFILEIMPORTTIME="1")
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return result, modules


@pytest.mark.parametrize("args", [["--help"], ["users", "--help"], ["users", "list"]], ids=" ".join)
def test_a_command_that_draws_nothing_does_not_load_matplotlib(
    args: list[str], tmp_path: Path
) -> None:
    created, modules = loaded(["init-db"], tmp_path)
    assert created.returncode == 0, created.stderr
    assert "database at revision" in created.stdout
    assert "click" in modules and not modules & DRAWING
    result, modules = loaded(args, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Usage: contactpro" in result.stdout or "no console users yet" in result.stdout
    assert "click" in modules  # the import log was read
    assert not modules & DRAWING, f"contactpro {' '.join(args)} loaded {modules & DRAWING}"


def test_analyze_still_loads_matplotlib_and_draws(tmp_path: Path) -> None:
    assert loaded(["init-db"], tmp_path)[0].returncode == 0
    users, modules = loaded(["users", "list"], tmp_path)
    assert users.returncode == 0 and "flask" in modules and "matplotlib" not in modules
    analysed, modules = loaded(["analyze", "--out", str(tmp_path / "out")], tmp_path)
    assert analysed.returncode == 0, analysed.stderr
    assert {"matplotlib", "dashboards"} <= modules
    assert (tmp_path / "out" / "kpis.png").is_file()
    assert (tmp_path / "out" / "kpis.es.png").is_file()
    # The renderer the commands give a worker's analysis tasks loads the dashboards and draws.
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    with Session(engine) as session:
        results = session.scalars(select(AnalysisRun.results)).one()
    engine.dispose()
    files = draw_dashboards(results, tmp_path / "redrawn")
    assert files["index"].is_file() and (tmp_path / "redrawn" / "kpis.es.png").is_file()

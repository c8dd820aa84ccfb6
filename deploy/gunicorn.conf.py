"""gunicorn settings for a ContactPro web machine: ``gunicorn -c deploy/gunicorn.conf.py``."""

import multiprocessing
import os
import re
import shutil
from pathlib import Path

wsgi_app = "webhooks.wsgi:app"
bind = os.environ.get("CONTACTPRO_BIND", "127.0.0.1:8000")  # behind the TLS proxy
# A turn is mostly CPU (intent model, dialog) with a few short database round trips, so one
# request per process answered in arrival order keeps the tail short: with 1,000 conversations
# on 2 cores, 5 sync workers gave p99 195 ms where 4 x 2 threads gave 239 ms and 3 x 8 threads
# 533 ms (benchmarks/load.py, docs/operations.md). With a Claude key an SMS turn may wait on
# Claude (up to CONTACTPRO_LLM_SMS_BUDGET_MS) and would hold a sync worker: threads then.
workers = int(os.environ.get("CONTACTPRO_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(
    os.environ.get("CONTACTPRO_WEB_THREADS", "4" if os.environ.get("ANTHROPIC_API_KEY") else "1")
)
worker_class = "sync" if threads == 1 else "gthread"
timeout = 15  # Twilio waits 15 s for an answer
graceful_timeout = 20
keepalive = 75  # longer than the proxy's idle upstream connections (60 s), so it closes first
backlog = 2048
max_requests = 5000  # recycle workers slowly, never all at once
max_requests_jitter = 500
limit_request_line = 8190
limit_request_fields = 100
forwarded_allow_ips = os.environ.get("CONTACTPRO_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# gunicorn 25.1+ opens a control socket for `gunicornc`, by default $XDG_RUNTIME_DIR/gunicorn.ctl
# or ~/.gunicorn/gunicorn.ctl: one path for every instance a user runs, so a second instance on
# the machine takes the first one's over. Each instance gets its own, named after its bind
# address, in CONTACTPRO_VAR_DIR; CONTACTPRO_WEB_CONTROL_SOCKET names another path, or "off".
_control = os.environ.get("CONTACTPRO_WEB_CONTROL_SOCKET", "")
control_socket_disable = _control.lower() in ("off", "0", "false", "no")
control_socket = _control or str(
    Path(os.environ.get("CONTACTPRO_VAR_DIR", "var")).resolve()
    / f"gunicorn-{re.sub(r'[^A-Za-z0-9]+', '-', bind).strip('-')[-40:]}.ctl"
)
# The master builds the app and loads the models once (webhooks/wsgi.py), then forks the
# workers: libraries and model weights are shared copy-on-write instead of loaded by every worker
# (2 workers on the default e5 encoder: PSS 190 MB and RSS 386 MB each instead of 380 and 430 MB;
# benchmarks/worker_memory.py). Each worker opens its own ONNX Runtime session after the fork
# (post_worker_init), so a preloaded one still stops within seconds.
# Workers forked from a master that ran the torch encoder (CONTACTPRO_INTENT_ENCODER=minilm) take
# the whole graceful_timeout to exit, so that encoder leaves it off. CONTACTPRO_WEB_PRELOAD=0 or 1
# decides either way (off: each worker loads the app itself).
_torch_encoder = os.environ.get("CONTACTPRO_INTENT_ENCODER") == "minilm"
preload_app = os.environ.get("CONTACTPRO_WEB_PRELOAD", "0" if _torch_encoder else "1") == "1"


def on_starting(server: object) -> None:
    """Start with an empty Prometheus multiprocess folder (old workers' files are stale)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def post_fork(server: object, worker: object) -> None:
    """Give a preloaded worker its own database connections: the master's are not shareable."""
    if not server.cfg.preload_app:  # type: ignore[attr-defined]
        return
    app = worker.app.wsgi()  # type: ignore[attr-defined]
    # close=False: closing them here would end the master's sessions on the server too.
    app.extensions["contactpro"].db.dispose(close=False)


def post_worker_init(worker: object) -> None:
    """Run the understanding once in the new worker, so its first caller does not wait for the
    sentence encoder's session (each process opens its own: webhooks.warm_up says why)."""
    from webhooks import warm_worker

    warm_worker(worker.app.wsgi())  # type: ignore[attr-defined]


def child_exit(server: object, worker: object) -> None:
    """Drop a dead worker's live gauges from the multiprocess metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]

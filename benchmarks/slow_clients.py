"""Does /healthz stay responsive while slow clients hold connections?

Starts gunicorn with deploy/gunicorn.conf.py (two sync workers, a throwaway SQLite database)
and, unless ``--direct-only``, Debian's nginx with deploy/nginx/contactpro-proxy.conf in front.
Two clients then send a request header one byte every 2 s for ``--seconds``, while /healthz
is asked once a second, directly and through nginx. Prints each path's answered share and
latencies (``--json`` for one JSON line).

    python benchmarks/slow_clients.py [--seconds 12] [--json] [--proxied-only]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AUTH_TOKEN = "b" * 32
SLOW_CLIENTS = 2
BYTE_EVERY = 2.0
TIMEOUT = 5.0


def free_port() -> int:
    """Return a TCP port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, limit: float = 180.0) -> None:
    """Poll ``url`` until it answers (gunicorn's workers load the models first)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer in {limit:.0f} s")


def start_gunicorn(folder: Path, port: int) -> subprocess.Popen[bytes]:
    """gunicorn with the documented configuration, two sync workers."""
    python = Path(sys.executable)
    subprocess.run(
        [str(python.parent / "contactpro"), "init-db"], env=app_env(folder, port), check=True
    )
    return subprocess.Popen(
        [str(python.parent / "gunicorn"), "-c", str(REPO / "deploy" / "gunicorn.conf.py")],
        cwd=REPO,
        env=app_env(folder, port),
        stdout=subprocess.DEVNULL,
        stderr=(folder / "gunicorn.log").open("w"),
    )


def app_env(folder: Path, port: int) -> dict[str, str]:
    """The environment of the web process: a throwaway database and var folder."""
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "CONTACTPRO_ENV": "test",
        "CONTACTPRO_VAR_DIR": str(folder / "var"),
        "CONTACTPRO_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "CONTACTPRO_PROXY_HOPS": "1",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "CONTACTPRO_BIND": f"127.0.0.1:{port}",
        "CONTACTPRO_WEB_WORKERS": "2",
        "CONTACTPRO_WEB_THREADS": "1",
    }


def start_nginx(folder: Path, port: int, upstream: int) -> subprocess.Popen[bytes]:
    """Debian's nginx with the deployment's proxy settings, on ``port``."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    (folder / "nginx").mkdir()
    config = folder / "nginx" / "nginx.conf"
    config.write_text(
        f"""
pid {folder}/nginx/nginx.pid;
error_log {folder}/nginx/error.log;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {folder}/nginx/body;
    proxy_temp_path {folder}/nginx/proxy;
    fastcgi_temp_path {folder}/nginx/fastcgi;
    uwsgi_temp_path {folder}/nginx/uwsgi;
    scgi_temp_path {folder}/nginx/scgi;
    upstream contactpro_web {{ server 127.0.0.1:{upstream}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        include {REPO}/deploy/nginx/contactpro-proxy.conf;
    }}
}}
""",
        encoding="utf-8",
    )
    return subprocess.Popen(
        [nginx, "-p", str(folder / "nginx"), "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "nginx" / "stderr.log").open("w"),
    )


def slow_client(port: int, stop: threading.Event) -> None:
    """Send a request header one byte every BYTE_EVERY seconds until told to stop."""
    header = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 10_000
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for byte in header:
            if stop.wait(BYTE_EVERY):
                return
            try:
                sock.sendall(bytes([byte]))
            except OSError:  # the server gave up on us: reconnect and keep stalling
                return slow_client(port, stop)
    return None


def probe(port: int, seconds: float) -> list[float | None]:
    """Ask /healthz once a second; each latency in seconds, None for a timeout."""
    latencies: list[float | None] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=TIMEOUT):
                latencies.append(time.perf_counter() - started)
        except OSError:
            latencies.append(None)
        time.sleep(max(0.0, 1.0 - (time.perf_counter() - started)))
    return latencies


def under_slow_clients(port: int, seconds: float) -> dict[str, object]:
    """Measure /healthz on ``port`` while SLOW_CLIENTS stall connections to the same port."""
    stop = threading.Event()
    clients = [
        threading.Thread(target=slow_client, args=(port, stop), daemon=True)
        for _ in range(SLOW_CLIENTS)
    ]
    for client in clients:
        client.start()
    time.sleep(1.0)  # let them take their connections
    latencies = probe(port, seconds)
    stop.set()
    answered = [x for x in latencies if x is not None]
    return {
        "asked": len(latencies),
        "answered": len(answered),
        "median_ms": round(statistics.median(answered) * 1000, 1) if answered else None,
        "max_ms": round(max(answered) * 1000, 1) if answered else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--proxied-only", action="store_true", help="skip gunicorn alone")
    args = parser.parse_args()
    results: dict[str, object] = {"slow_clients": SLOW_CLIENTS, "byte_every_s": BYTE_EVERY}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        web, proxy = free_port(), free_port()
        gunicorn = start_gunicorn(folder, web)
        nginx = start_nginx(folder, proxy, web)
        try:
            wait_until_up(f"http://127.0.0.1:{web}/healthz")
            wait_until_up(f"http://127.0.0.1:{proxy}/healthz")
            results["nginx_then_gunicorn"] = under_slow_clients(proxy, args.seconds)
            if not args.proxied_only:
                results["gunicorn_alone"] = under_slow_clients(web, args.seconds)
        finally:
            for process in (nginx, gunicorn):
                process.terminate()
                process.wait(timeout=30)
    if args.json:
        print(json.dumps(results))
        return
    for name in ("nginx_then_gunicorn", "gunicorn_alone"):
        if name in results:
            print(f"{name:22} {results[name]}")


if __name__ == "__main__":
    main()

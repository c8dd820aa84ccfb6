"""Shared pieces of the HTTP load benchmarks: gunicorn servers, signed bodies, wrk runs."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get(
    "CONTACTPRO_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TOKEN = "bench-auth-token"


def free_port() -> int:
    """Return a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(name: str) -> str:
    """Create an empty PostgreSQL database and return its URL."""
    server = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    server.dispose()
    return PG_SERVER.rsplit("/", 1)[0] + f"/{name}"


def drop_database(name: str) -> None:
    """Drop a benchmark database."""
    server = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    server.dispose()


@contextmanager
def gunicorn(
    app_spec: str,
    env: dict[str, str],
    workers: int = 2,
    threads: int = 1,
    keepalive: int = 2,
    pids: list[int] | None = None,
) -> Iterator[str]:
    """Run ``app_spec`` under gunicorn and yield its base URL (sync workers unless threads).

    ``keepalive`` is how long an idle kept-alive connection stays open (gthread only); the
    master's process id is appended to ``pids`` when given.
    """
    port = free_port()
    log_path = Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-k",
            "gthread" if threads > 1 else "sync",
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--backlog",
            "2048",
            "--keep-alive",
            str(keepalive),
            "--log-level",
            "warning",
            app_spec,
        ],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    if pids is not None:
        pids.append(proc.pid)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(log_path.read_text()[-2000:]) from None
            time.sleep(0.2)
    _wait_until_workers_answer(url, workers, proc, log_path)
    try:
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _wait_until_workers_answer(
    url: str, workers: int, proc: subprocess.Popen[bytes], log_path: Path
) -> None:
    """Wait until every worker has loaded the app: one answers, then all sit idle for 2 s.

    Each sync worker loads the app after the fork (models included), which takes a minute on a
    busy machine, and accepts nothing meanwhile; a load started before then measures the
    loading, not the answering.
    """
    deadline = time.monotonic() + 600
    quick = 0
    while quick < 3:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(log_path.read_text()[-2000:])
        started = time.monotonic()
        try:
            urllib.request.urlopen(url + "/healthz", timeout=120).read()
        except urllib.error.HTTPError:
            pass  # an answer all the same (the bare endpoint has no /healthz)
        except OSError:
            time.sleep(0.5)
            continue
        quick = quick + 1 if time.monotonic() - started < 0.5 else 0
    busy: dict[int, float] = {}
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < 2.0 and time.monotonic() < deadline:
        time.sleep(0.5)
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        now = {int(pid): _stat(int(pid))[2] for pid in children}
        if len(now) < workers or any(now[pid] != busy.get(pid) for pid in now):
            idle_since = time.monotonic()
        busy = now


def lua_for_bodies(path: str, bodies: list[tuple[str, str]], out: Path) -> Path:
    """Write a wrk script that posts each (body, signature) once, in turn, to ``path``."""
    entries = ",\n".join(
        "{" + json.dumps(body) + "," + json.dumps(sig) + "}" for body, sig in bodies
    )
    out.write_text(
        "local bodies = {\n" + entries + "\n}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        "  local b = bodies[((i - 1) % #bodies) + 1]\n"
        "  return wrk.format('POST', '" + path + "', {\n"
        "    ['Content-Type'] = 'application/x-www-form-urlencoded',\n"
        "    ['X-Twilio-Signature'] = b[2]}, b[1])\n"
        "end\n"
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format(\'JSON {"requests": %d, "p50": %.3f, "p99": %.3f, '
        '"errors": %d, "status_errors": %d, "timeouts": %d}\\n\',\n'
        "    summary.requests, latency:percentile(50) / 1000, latency:percentile(99) / 1000,\n"
        "    summary.errors.connect + summary.errors.read + summary.errors.write,\n"
        "    summary.errors.status, summary.errors.timeout))\n"
        "end\n"
    )
    return out


def form_body(params: dict[str, str]) -> str:
    """URL-encode webhook parameters the way Twilio does."""
    return urlencode(params)


def run_wrk(url: str, script: Path, seconds: int, connections: int = 32) -> dict[str, float]:
    """Run wrk and return requests/s, p50/p99 in ms and error counts."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures = json.loads(re.search(r"^JSON (.*)$", out, re.M).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {**figures, "rps": rps}


def temp_dir() -> Path:
    """A scratch folder for this run."""
    return Path(tempfile.mkdtemp(prefix="contactpro-bench-"))


def _stat(pid: int) -> tuple[str, int, float]:
    """Return (command, parent pid, CPU seconds) of a live process.

    Its own time only (utime, stime): every process is sampled, so a parent's count of its
    reaped children would count them twice.
    """
    raw = Path(f"/proc/{pid}/stat").read_text()
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return name, int(fields[1]), ticks / os.sysconf("SC_CLK_TCK")


def _process_table() -> dict[int, tuple[str, int, float]]:
    table: dict[int, tuple[str, int, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                table[int(entry.name)] = _stat(int(entry.name))
            except (OSError, ValueError):
                continue
    return table


class CpuMeter:
    """CPU seconds used by process trees (each without the other trees) and by command names.

    Sampled every second from /proc, so processes that start or stop during the run (a
    restarted PostgreSQL, recycled workers) are counted up to their last sample.
    """

    def __init__(self, roots: dict[str, int], commands: tuple[str, ...] = ()) -> None:
        self.roots, self.commands = roots, commands
        self._owners = {root: label for label, root in roots.items()}
        self._first: dict[int, float] = {}
        self._last: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._sample(first=True)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self._sample()

    def _label(self, table: dict[int, tuple[str, int, float]], pid: int) -> str | None:
        while pid in table:
            if pid in self._owners:
                return self._owners[pid]
            if table[pid][0] in self.commands:
                return table[pid][0]
            pid = table[pid][1]
        return None

    def _sample(self, first: bool = False) -> None:
        table = _process_table()
        for pid, (_, _, cpu) in table.items():
            label = self._label(table, pid)
            if label is None:
                continue
            if pid not in self._first:
                self._first[pid] = cpu if first else 0.0
            self._last[pid] = (label, cpu)

    def stop(self) -> dict[str, float]:
        """Stop sampling; return CPU seconds per label since the meter started."""
        self._stop.set()
        self._thread.join()
        self._sample()
        totals = dict.fromkeys([*self.roots, *self.commands], 0.0)
        for pid, (label, cpu) in self._last.items():
            totals[label] += max(0.0, cpu - self._first[pid])
        return totals

"""Memory of a web worker, preloaded or not, and how long gunicorn takes to stop.

Starts ``gunicorn -c deploy/gunicorn.conf.py`` (2 sync workers, a fresh SQLite database) with
``CONTACTPRO_WEB_PRELOAD`` off and on, answers a few signed SMS to warm each worker up, and prints
each worker's RSS, PSS and private memory (``/proc/PID/smaps_rollup``), whether a worker holds
torch, then the time from SIGTERM to the master's exit (``graceful_timeout`` is 20 s).

    python benchmarks/worker_memory.py [--messages 40]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._load import REPO, TOKEN, form_body, free_port  # noqa: E402
from contactpro import migrate  # noqa: E402

PUBLIC_URL = "https://contactpro.example.com"
MESSAGES = ("hola", "mi factura", "what is my balance", "payment plan please", "gracias chao")


def children(pid: int) -> list[int]:
    """Return the process ids of ``pid``'s children."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def memory_mb(pid: int) -> dict[str, float]:
    """Return RSS, PSS and private (clean + dirty) memory of a process in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    private = fields["Private_Clean"] + fields["Private_Dirty"]
    return {"rss": fields["Rss"], "pss": fields["Pss"], "private": private}


def holds_torch(pid: int) -> bool:
    """Whether the process has torch's shared library mapped."""
    return "libtorch" in Path(f"/proc/{pid}/maps").read_text()


def send_sms(url: str, index: int) -> int:
    """POST one correctly signed SMS; return the HTTP status."""
    params = {
        "MessageSid": f"SM{index:032x}",
        "AccountSid": "AC" + "1" * 32,
        "From": f"+1555{index % 7:07d}",
        "To": "+15550001000",
        "Body": MESSAGES[index % len(MESSAGES)],
    }
    signature = RequestValidator(TOKEN).compute_signature(f"{PUBLIC_URL}/twilio/sms", params)
    request = urllib.request.Request(
        f"{url}/twilio/sms",
        data=form_body(params).encode(),
        headers={"X-Twilio-Signature": signature, "X-Forwarded-Proto": "https"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return int(response.status)


def measure(preload: bool, messages: int) -> None:
    """Run gunicorn once and print the workers' memory and the time it takes to stop."""
    scratch = Path(tempfile.mkdtemp(prefix="worker-memory-"))
    database = f"sqlite:///{scratch / 'contactpro.sqlite3'}"
    migrate.upgrade(database)
    port = free_port()
    env = {
        **os.environ,
        "CONTACTPRO_DATABASE_URL": database,
        "CONTACTPRO_TASK_ALWAYS_EAGER": "1",
        "TWILIO_AUTH_TOKEN": TOKEN,
        "CONTACTPRO_PUBLIC_URL": PUBLIC_URL,
        "CONTACTPRO_VAR_DIR": str(scratch / "var"),
        "CONTACTPRO_BIND": f"127.0.0.1:{port}",
        "CONTACTPRO_WEB_WORKERS": "2",
        "CONTACTPRO_WEB_PRELOAD": "1" if preload else "0",
        "CONTACTPRO_RATE_LIMIT_CALLER_PER_MINUTE": "0",
    }
    log = (scratch / "gunicorn.log").open("wb")
    command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
    master = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                send_sms(url, 0)
                break
            except OSError:
                if master.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit((scratch / "gunicorn.log").read_text()[-2000:]) from None
                time.sleep(0.5)
        statuses = [send_sms(url, index) for index in range(1, messages)]
        time.sleep(1)
        label = "preload on " if preload else "preload off"
        print(f"{label}: {messages} SMS, statuses {sorted(set(statuses))}")
        print(f"  master    {_line(master.pid)}")
        for worker in children(master.pid):
            print(f"  worker    {_line(worker)}")
        started = time.monotonic()
        master.send_signal(signal.SIGTERM)
        master.wait(timeout=60)
        print(f"  SIGTERM to exit: {time.monotonic() - started:.1f} s")
    finally:
        if master.poll() is None:
            os.killpg(master.pid, signal.SIGKILL)
            master.wait()
        log.close()


def _line(pid: int) -> str:
    mem = memory_mb(pid)
    torch = "torch loaded" if holds_torch(pid) else "no torch"
    sizes = f"RSS {mem['rss']:.0f} MB, PSS {mem['pss']:.0f} MB, private {mem['private']:.0f} MB"
    return f"{sizes}, {torch}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=40, help="SMS answered before measuring")
    args = parser.parse_args()
    for preload in (False, True):
        measure(preload, args.messages)


if __name__ == "__main__":
    main()

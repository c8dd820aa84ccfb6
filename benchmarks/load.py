"""Load with faults: many concurrent conversations while Redis and PostgreSQL restart.

Starts ContactPro under gunicorn (gthread) with a Celery worker, on a fresh PostgreSQL database
and Redis, then runs ``--conversations`` simulated conversations at once for ``--seconds``:
voice calls (greeting, spoken turns following each ``<Gather>`` and ``<Redirect>``, the final
status callback) and SMS threads, in Spanish and English, each with a few seconds between turns;
a finished conversation is replaced by a new one. A third of the way in Redis is restarted, two
thirds in PostgreSQL is stopped for a few seconds and started again (always restarted, even on
failure). At the end the journal is replayed and the database is counted.

Prints throughput, p50/p99 (all, and outside the restart windows), errors, callers who got no
valid answer, and interactions sent vs stored.

    python benchmarks/load.py [--conversations 1000] [--seconds 180]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._load import (  # noqa: E402
    TOKEN,
    CpuMeter,
    drop_database,
    fresh_database,
    gunicorn,
    temp_dir,
)
from contactpro import migrate  # noqa: E402
from contactpro.config import load_settings  # noqa: E402
from contactpro.db import Database  # noqa: E402
from contactpro.models import Customer, Interaction, Turn  # noqa: E402
from contactpro.resilience.journal import Journal, replay  # noqa: E402
from contactpro.resilience.outbox import Outbox  # noqa: E402
from devtools.seed import seed_customers  # noqa: E402
from tests.contactpro.resilience.conftest import (  # noqa: E402
    postgres_stopped,
    redis_stopped,
    start_postgres,
    start_redis,
)

PUBLIC_URL = "https://contactpro.example.com"
BUSINESS = "+15550001000"
REDIS_URL = "redis://127.0.0.1:6379/13"
SAYINGS = {
    "es": ["cuánto debo", "mi saldo por favor", "quiero pagar", "un asesor", "gracias", "hola"],
    "en": ["what is my balance", "how much do I owe", "I want to pay", "agent", "thanks", "hi"],
}
DB_OUTAGE_SECONDS = 4.0
RAMP_SECONDS = [30.0]  # the first callers arrive over this; --ramp sets it
KEEPALIVE_SECONDS = 75  # deploy/gunicorn.conf.py
SPEAKING_SECONDS = (1.0, 4.0)  # a caller's answer, after the prompt was spoken
TYPING_SECONDS = (5.0, 30.0)  # a texter reading the answer and replying
SPOKEN_CHARS_PER_SECOND = 15.0
SERVICES = ("postgres", "redis-server")  # every process of these commands, whoever it serves
SAY_TEXT = re.compile(r"<Say[^>]*>([^<]*)</Say>")


@dataclass
class Tally:
    """What the load generator saw."""

    latencies: list[tuple[float, float]] = field(default_factory=list)  # (sent at, seconds)
    errors: int = 0
    unanswered: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    sms_sent: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    turn_keys: list[str] = field(default_factory=list)


class Load:
    """Signed Twilio requests from simulated callers and texters."""

    def __init__(
        self, base: str, tally: Tally, deadline: float, phones: list[tuple[str, str]], speed: float
    ):
        self.base, self.tally, self.deadline, self.phones = base, tally, deadline, phones
        self.speed = speed
        self.validator = RequestValidator(TOKEN)
        self.rng = random.Random(7)
        self.count = 0

    async def post(self, http: aiohttp.ClientSession, path: str, params: dict[str, str]) -> str:
        """POST one signed webhook; return the body ('' when there was no valid answer)."""
        signature = self.validator.compute_signature(PUBLIC_URL + path, params)
        started = time.monotonic()
        try:
            async with http.post(
                self.base + path,
                data=urlencode(params),
                headers={
                    "X-Twilio-Signature": signature,
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            ) as response:
                body = await response.text()
                status = response.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            self.tally.errors += 1
            return self._unanswered(path, type(exc).__name__)
        self.tally.latencies.append((started, time.monotonic() - started))
        if status == 204:
            return "<Response/>"
        if status != 200:
            self.tally.errors += 1
            return self._unanswered(path, f"HTTP {status}")
        try:
            if ET.fromstring(body).tag != "Response":
                raise ET.ParseError("not TwiML")
        except ET.ParseError:
            return self._unanswered(path, "not TwiML")
        return body

    def _unanswered(self, path: str, reason: str) -> str:
        self.tally.unanswered += 1
        self.tally.reasons[f"{path.split('?')[0]}: {reason}"] += 1
        return ""

    def _caller(self) -> tuple[str, str]:
        self.count += 1
        if self.rng.random() < 0.7:
            return self.rng.choice(self.phones)
        return f"+57310{self.count:07d}", self.rng.choice(["es", "en"])

    async def wait(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.speed)

    async def listen_and_speak(self, twiml: str) -> None:
        """Wait while the prompt is spoken and the caller answers."""
        spoken = sum(len(text) for text in SAY_TEXT.findall(twiml))
        await self.wait(spoken / SPOKEN_CHARS_PER_SECOND + self.rng.uniform(*SPEAKING_SECONDS))

    async def sms_thread(self, http: aiohttp.ClientSession) -> None:
        number, language = self._caller()
        for _ in range(self.rng.randint(1, 4)):
            sid = "SM" + os.urandom(16).hex()
            params = {
                "MessageSid": sid,
                "From": number,
                "To": BUSINESS,
                "Body": self.rng.choice(SAYINGS[language]),
                "NumMedia": "0",
            }
            body = await self.post(http, "/twilio/sms", params)
            if body:
                self.tally.sms_sent.append(sid)
            if time.monotonic() > self.deadline:
                return
            await self.wait(self.rng.uniform(*TYPING_SECONDS))

    async def call(self, http: aiohttp.ClientSession) -> None:
        number, language = self._caller()
        sid = "CA" + os.urandom(16).hex()
        base = {"CallSid": sid, "From": number, "To": BUSINESS, "CallStatus": "in-progress"}
        body = await self.post(http, "/twilio/voice", {**base, "CallStatus": "ringing"})
        if body:
            self.tally.calls.append(sid)
        for _ in range(self.rng.randint(1, 4)):
            for _hop in range(6):  # follow hold-loop redirects
                redirect = re.search(r"<Redirect[^>]*>([^<]+)</Redirect>", body)
                if not redirect or "<Gather" in body:
                    break
                await asyncio.sleep(0.5)
                body = await self.post(http, redirect.group(1).replace("&amp;", "&"), base)
            action = re.search(r'<Gather[^>]*action="([^"]+)"', body)
            if not action or time.monotonic() > self.deadline:
                break
            await self.listen_and_speak(body)
            path = action.group(1).replace("&amp;", "&")
            if "/language" in path:
                params = {**base, "Digits": "1" if language == "es" else "2"}
            else:
                params = {
                    **base,
                    "SpeechResult": self.rng.choice(SAYINGS[language]),
                    "Confidence": "0.9",
                }
            body = await self.post(http, path, params)
            step = re.search(r"step=(\d+)", path)
            if body and step and "SpeechResult" in params:  # answered, so it must be stored
                self.tally.turn_keys.append(f"{sid}:gather:{step.group(1)}")
        await self.post(
            http, "/twilio/voice/status", {**base, "CallStatus": "completed", "CallDuration": "42"}
        )

    async def conversation(self, http: aiohttp.ClientSession, index: int) -> None:
        await asyncio.sleep(self.rng.uniform(0, RAMP_SECONDS[0]))  # callers arrive over the ramp
        while time.monotonic() < self.deadline:
            if self.rng.random() < 0.5:
                await self.call(http)
            else:
                await self.sms_thread(http)


async def drive(
    base: str,
    conversations: int,
    seconds: int,
    phones: list[tuple[str, str]],
    windows: list[tuple[str, float, float, float]],
    speed: float,
    var: Path,
) -> Tally:
    """Run the conversations and the two restarts; return what was seen."""
    tally = Tally()
    start = time.monotonic()
    load = Load(base, tally, start + seconds, phones, speed)
    # Like a proxy in front of gunicorn: idle connections are dropped before gunicorn's own
    # keep-alive ends, so a request never races the server closing its connection.
    connector = aiohttp.TCPConnector(limit=conversations, keepalive_timeout=KEEPALIVE_SECONDS - 15)
    timeout = aiohttp.ClientTimeout(total=15)  # Twilio gives up after 15 s
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        tasks = [asyncio.create_task(load.conversation(http, i)) for i in range(conversations)]

        async def faults() -> None:
            await asyncio.sleep(seconds / 3)
            began = time.monotonic()
            await asyncio.to_thread(_restart_redis)
            back = time.monotonic()
            await drained(Outbox(var / "outbox").count)
            windows.append(("redis", began, back, time.monotonic()))
            await asyncio.sleep(seconds / 3)
            began = time.monotonic()
            await asyncio.to_thread(_restart_postgres)
            back = time.monotonic()
            await drained(Journal(var / "journal").pending_count)
            windows.append(("postgres", began, back, time.monotonic()))

        await asyncio.gather(faults(), *tasks)
    return tally


async def drained(backlog: Callable[[], int], limit: float = 120.0) -> None:
    """Wait until a backlog (journal or outbox) is empty: the end of a fault's recovery."""
    deadline = time.monotonic() + limit
    while await asyncio.to_thread(backlog) and time.monotonic() < deadline:
        await asyncio.sleep(0.25)


async def warm(base: str, parallel: int) -> None:
    """Wait until every gunicorn worker has loaded the models and answers.

    ``/healthz`` pings the Celery workers (0.5 s, cached 15 s per process), so a warm round may
    take that long; three rounds in a row answered 200 within 2 s mean every worker is up.
    """
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        ready = 0
        while ready < 3:
            started = time.monotonic()
            replies = await asyncio.gather(
                *[http.get(base + "/healthz") for _ in range(parallel)], return_exceptions=True
            )
            answered = 0
            for reply in replies:
                if isinstance(reply, aiohttp.ClientResponse):
                    answered += reply.status == 200
                    reply.release()
            quick = time.monotonic() - started < 2.0
            ready = ready + 1 if quick and answered == parallel else 0


async def scrape(base: str) -> dict[str, float]:
    """Return the summed counters the web processes exposed (multiprocess metrics)."""
    async with aiohttp.ClientSession() as http, http.get(base + "/metrics") as response:
        text = await response.text()
    totals: dict[str, float] = {}
    for name in (
        "contactpro_journal_writes_total",
        "contactpro_outbox_writes_total",
        "contactpro_journal_replayed_total",
        "contactpro_outbox_sent_total",
    ):
        totals[name] = sum(
            float(v) for v in re.findall(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M)
        )
    return totals


def _restart_redis() -> None:
    with redis_stopped():
        time.sleep(1.0)


def _restart_postgres() -> None:
    with postgres_stopped():
        time.sleep(DB_OUTAGE_SECONDS)


def timeline(latencies: list[tuple[float, float]], started: float) -> str:
    """p50/p99 of each 10-second slice of the run, to see where a tail comes from."""
    slices: dict[int, list[float]] = {}
    for sent, latency in latencies:
        slices.setdefault(int((sent - started) // 10), []).append(latency)
    return " ".join(
        f"{index * 10}s:{_percentile(values, 50):.0f}/{_percentile(values, 99):.0f}"
        for index, values in sorted(slices.items())
    )


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] * 1000 if ordered else 0.0


def main() -> None:
    """Run the load and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--web-workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=1, help="1 runs sync workers")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="divide every caller's and texter's wait by this"
    )
    parser.add_argument(
        "--ramp",
        type=float,
        default=RAMP_SECONDS[0],
        help="seconds over which the first conversations start",
    )
    args = parser.parse_args()
    RAMP_SECONDS[0] = args.ramp

    scratch = temp_dir()
    name = "contactpro_bench_load"
    url = fresh_database(name)
    migrate.upgrade(url)
    db = Database(url)
    with db.session() as session:
        seed_customers(session, 500, seed=2)
    with db.session() as session:
        phones = [(c.phone, c.preferred_language) for c in session.query(Customer)]
    queue = f"contactpro-load-{os.getpid()}"
    env = {
        "CONTACTPRO_ENV": "development",
        "CONTACTPRO_DATABASE_URL": url,
        "CONTACTPRO_BROKER_URL": REDIS_URL,
        "CONTACTPRO_TASK_QUEUE": queue,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "CONTACTPRO_PUBLIC_URL": PUBLIC_URL,
        "CONTACTPRO_VAR_DIR": str(scratch / "var"),
        "CONTACTPRO_SECRET_KEY": "bench",
        "CONTACTPRO_RATE_LIMIT_CALLER_PER_MINUTE": "0",  # 1,000 callers share 500 numbers
        "PROMETHEUS_MULTIPROC_DIR": str(scratch / "metrics"),
    }
    (scratch / "metrics").mkdir()
    worker_log = (scratch / "worker.log").open("wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "webhooks.wsgi:celery",
            "worker",
            "-c",
            "2",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, **env},
        stdout=worker_log,
        stderr=subprocess.STDOUT,
    )
    windows: list[tuple[str, float, float, float]] = []  # fault, down, back, backlog drained
    web_pids: list[int] = []
    print(
        f"load: {args.conversations} concurrent conversations for {args.seconds}s, "
        f"paced like people x{args.speed:g}, arriving over {args.ramp:g}s, "
        f"gunicorn {args.web_workers} workers x {args.threads} threads, 1 Celery worker (-c 2)"
    )
    try:
        with gunicorn(
            "webhooks.wsgi:app",
            env,
            workers=args.web_workers,
            threads=args.threads,
            keepalive=KEEPALIVE_SECONDS,
            pids=web_pids,
        ) as base:
            asyncio.run(warm(base, args.web_workers * args.threads))
            roots = {"web": web_pids[0], "worker": worker.pid, "load generator": os.getpid()}
            meter = CpuMeter(roots, SERVICES)
            started = time.monotonic()
            tally = asyncio.run(
                drive(
                    base,
                    args.conversations,
                    args.seconds,
                    phones,
                    windows,
                    args.speed,
                    scratch / "var",
                )
            )
            elapsed = time.monotonic() - started
            cpu_used = meter.stop()
            metrics = asyncio.run(scrape(base))
    finally:
        start_postgres()
        start_redis()
        worker.terminate()
        worker.wait(timeout=60)
        worker_log.close()

    settings = load_settings(
        {
            "env": "development",
            "database_url": url,
            "var_dir": str(scratch / "var"),
            "twilio_auth_token": TOKEN,
        }
    )
    journal = Journal.for_settings(settings)
    journaled = journal.pending_count()
    # The web processes are stopped: claims they left mid-replay are taken over at once.
    replayed = replay(journal, Database(url), settings, stale_after=0)
    with Database(url).session() as session:
        stored_sms = session.scalar(
            select(func.count()).select_from(Turn).where(Turn.twilio_key.in_(tally.sms_sent))
        )
        stored_calls = session.scalar(
            select(func.count())
            .select_from(Interaction)
            .where(Interaction.twilio_sid.in_(tally.calls))
        )
        stored_keys = set(
            session.scalars(select(Turn.twilio_key).where(Turn.twilio_key.in_(tally.turn_keys)))
        )
        stored_turns = len(stored_keys)
    margin = 1.0  # after the backlog is drained
    calm = [
        latency
        for sent, latency in tally.latencies
        if not any(sent <= end + margin and sent + latency >= down for _, down, _, end in windows)
    ]
    every = [latency for _, latency in tally.latencies]
    print(f"requests: {len(every)} in {elapsed:.0f}s = {len(every) / elapsed:.1f} req/s")
    print(f"latency all: p50 {_percentile(every, 50):.1f} ms, p99 {_percentile(every, 99):.1f} ms")
    print(
        f"latency outside restart windows: p50 {_percentile(calm, 50):.1f} ms, "
        f"p99 {_percentile(calm, 99):.1f} ms ({len(calm)} requests)"
    )
    for kind, down, back, end in windows:
        print(
            f"restart {kind}: at {down - started:.0f}s, down for {back - down:.1f}s, "
            f"backlog replayed {end - back:.1f}s later"
        )
    print("p50/p99 ms per 10 s: " + timeline(tally.latencies, started))
    busy = sum(cpu_used.values())
    print(
        f"CPU: {busy / elapsed:.2f} of {os.cpu_count()} cores busy; per request "
        + ", ".join(f"{name} {cpu / len(every) * 1000:.1f} ms" for name, cpu in cpu_used.items())
    )
    print(f"errors (connection or non-2xx): {tally.errors}")
    print(f"requests without a valid TwiML answer: {tally.unanswered}")
    for reason, n in tally.reasons.most_common():
        print(f"  {n} x {reason}")
    print(
        f"journaled while PostgreSQL was down: "
        f"{metrics['contactpro_journal_writes_total']:.0f}, replayed by the web processes "
        f"{metrics['contactpro_journal_replayed_total']:.0f}; left at the end {journaled}, "
        f"replayed now {replayed.replayed}, rejected {replayed.rejected}"
    )
    print(
        f"tasks kept in the outbox while Redis was down: "
        f"{metrics['contactpro_outbox_writes_total']:.0f}, sent later "
        f"{metrics['contactpro_outbox_sent_total']:.0f}"
    )
    print(
        f"SMS sent {len(tally.sms_sent)}, stored {stored_sms}; calls sent {len(tally.calls)}, "
        f"stored {stored_calls}; spoken turns sent {len(tally.turn_keys)}, stored {stored_turns}"
    )
    for key in [k for k in tally.turn_keys if k not in stored_keys][:10]:
        print(f"  spoken turn answered but not stored: {key}")
    lost = len(tally.sms_sent) - stored_sms + len(tally.calls) - stored_calls
    print(f"lost interactions: {lost}")
    drop_database(name)


if __name__ == "__main__":
    main()

"""ContactPro demo: a seeded company whose phone and SMS lines get a few dozen contacts.

Runs on the embedded default (a SQLite file under var/, Celery with no broker server): starts
the real webhooks on a local port with an in-process Celery worker, drives Spanish and English
SMS conversations and phone calls through them with requests signed exactly as Twilio signs
them, then prints what happened.

    python demo.py [--conversations 36] [--customers 60]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import socket
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.serving import make_server

from contactpro.models import Customer, Escalation, Interaction, Turn
from contactpro.simulator import TwilioSimulator, TwimlStep

BUSINESS_NUMBER = "+15550001000"
DEMO_TOKEN = "demo-auth-token-not-secret"

# (channel, what the contact says turn by turn; "" is silence, "#0" presses 0)
SCRIPTS: dict[str, list[tuple[str, list[str]]]] = {
    "es": [
        ("sms", ["Hola buenas tardes", "cuánto debo este mes?", "gracias, chao"]),
        ("sms", ["necesito hablar con un asesor"]),
        ("sms", ["el perro del vecino ladra mucho", "y la luna sale de noche"]),
        ("voice", ["cuál es mi saldo", "eso es todo gracias"]),
        ("voice", ["", "", ""]),
        ("voice", ["quiero saber mi factura", "quiero hablar con una persona"]),
        ("voice", ["#0"]),
        ("voice", ["hola"]),
    ],
    "en": [
        ("sms", ["hi", "what is my balance", "thanks bye"]),
        ("sms", ["can I talk to a human please"]),
        ("voice", ["how much do I owe", "that's all, goodbye"]),
        ("voice", ["bill", "representative"]),
        ("voice", ["blue elephants dancing", "purple rain forever"]),
    ],
}


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def converse(sim: TwilioSimulator, channel: str, caller: str, lines: list[str]) -> list[str]:
    """Run one scripted conversation; return what the customer read or heard."""
    heard: list[str] = []
    if channel == "sms":
        for line in lines:
            step = sim.sms(caller, BUSINESS_NUMBER, line)
            heard.append(f"  > {line}\n  < {step.text}")
        return heard
    call_sid, step = sim.start_call(caller, BUSINESS_NUMBER)
    heard.append(f"  < {step.text}")
    seconds = 6
    for line in lines:
        if step.verb != "gather":
            break
        step = _answer(sim, step, call_sid, caller, line)
        heard.append(f"  > {line or '(silence)'}\n  < {step.text} [{step.verb}]")
        seconds += random.randint(5, 12)
    if step.verb == "enqueue":
        seconds += random.randint(20, 90)  # the time with an agent
    sim.end_call(call_sid, caller, BUSINESS_NUMBER, duration=seconds)
    return heard


def _answer(
    sim: TwilioSimulator, step: TwimlStep, call_sid: str, caller: str, line: str
) -> TwimlStep:
    if line.startswith("#"):
        return sim.answer(step, call_sid, caller, BUSINESS_NUMBER, digits=line[1:])
    if line:
        return sim.answer(step, call_sid, caller, BUSINESS_NUMBER, speech=line)
    return sim.answer(step, call_sid, caller, BUSINESS_NUMBER)


def main() -> None:
    """Seed, serve, converse, and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=36)
    parser.add_argument("--customers", type=int, default=60)
    parser.add_argument("--var-dir", default="var/demo")
    args = parser.parse_args()
    random.seed(11)

    var_dir = Path(args.var_dir).resolve()
    database = var_dir / "demo.sqlite3"
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        path.unlink(missing_ok=True)
    port = free_port()
    os.environ.setdefault("TWILIO_AUTH_TOKEN", DEMO_TOKEN)
    config = {
        "var_dir": str(var_dir),
        "database_url": f"sqlite:///{database}",
        "broker_url": "embedded",
        "public_url": f"http://127.0.0.1:{port}",
    }

    from contactpro import migrate
    from contactpro.seed import seed_customers
    from tasks import send, start_embedded_worker
    from tasks.interactions import close_interaction
    from webhooks import create_app

    app = create_app(config)
    logging.getLogger().setLevel(logging.WARNING)  # the demo prints its own summary
    runtime = app.extensions["contactpro"]
    migrate.upgrade(runtime.settings.database_url)
    with runtime.db.session() as session:
        seeded = seed_customers(session, args.customers, seed=5)
    print(
        f"Seeded {seeded.customers} customers, {seeded.accounts} accounts, "
        f"{seeded.invoices} invoices and {seeded.payments} payments in {database}"
    )

    stop_worker = start_embedded_worker(app.extensions["celery"], beat=False)
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sim = TwilioSimulator(config["public_url"], runtime.settings.twilio_auth_token)
    print(f"Webhooks listening on {config['public_url']} (signatures verified)\n")

    with runtime.db.session() as session:
        by_language = {
            lang: list(
                session.scalars(select(Customer.phone).where(Customer.preferred_language == lang))
            )
            for lang in ("es", "en")
        }
    samples: list[str] = []
    started = time.perf_counter()
    for index in range(args.conversations):
        language = "es" if index % 3 != 2 else "en"
        channel, lines = SCRIPTS[language][index % len(SCRIPTS[language])]
        known = index % 9 != 4
        caller = (
            random.choice(by_language[language])
            if known
            else f"+57310{random.randint(1_000_000, 9_999_999)}"
        )
        heard = converse(sim, channel, caller, lines)
        if index < 6:
            samples.append(
                f"[{channel} · {language} · {'known' if known else 'unknown'} "
                f"{caller[:4]}…]\n" + "\n".join(heard)
            )
    elapsed = time.perf_counter() - started

    with app.app_context(), runtime.db.session() as session:
        open_sms = list(
            session.scalars(
                select(Interaction.id).where(
                    Interaction.channel == "sms", Interaction.status == "active"
                )
            )
        )
    with app.app_context():
        for interaction_id in open_sms:  # the day ends: close the SMS threads too
            send(close_interaction, interaction_id, "demo_day_end")
    deadline = time.monotonic() + 60
    with runtime.db.session() as session:
        while time.monotonic() < deadline:
            active = session.scalar(
                select(func.count(Interaction.id)).where(Interaction.status == "active")
            )
            if not active:
                break
            session.expire_all()
            time.sleep(0.2)
    server.shutdown()
    stop_worker()
    print("\n\n".join(samples))
    report(runtime, elapsed)


def report(runtime, elapsed: float) -> None:
    """Print what happened, from the database."""
    with runtime.db.session() as session:
        interactions = session.scalars(select(Interaction)).all()
        turns = session.scalars(select(Turn).where(Turn.speaker == "caller")).all()
        escalations = session.scalars(select(Escalation)).all()
    outcomes = Counter((i.channel, i.outcome or i.status) for i in interactions)
    print(
        f"\n=== {len(interactions)} interactions, {len(turns)} caller turns in {elapsed:.1f}s ==="
    )
    print(f"{'channel':8} {'auto_resolved':>14} {'escalated':>10} {'abandoned':>10} {'open':>6}")
    for channel in ("voice", "sms"):
        row = [
            outcomes[(channel, o)] for o in ("auto_resolved", "escalated", "abandoned", "active")
        ]
        print(f"{channel:8} {row[0]:>14} {row[1]:>10} {row[2]:>10} {row[3]:>6}")
    languages = Counter(i.language for i in interactions)
    print("languages:", ", ".join(f"{k}={v}" for k, v in sorted(languages.items())))
    print(
        "intents:", ", ".join(f"{k}={v}" for k, v in Counter(t.intent for t in turns).most_common())
    )
    print("tiers:", ", ".join(f"{k}={v}" for k, v in Counter(t.tier for t in turns).most_common()))
    print(
        "escalation reasons:",
        ", ".join(f"{k}={v}" for k, v in Counter(e.reason for e in escalations).most_common()),
    )
    latencies = sorted(t.latency_ms for t in turns if t.latency_ms is not None)
    if latencies:
        p50 = latencies[len(latencies) // 2]
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"turn processing latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    closed = [i for i in interactions if i.status == "closed"]
    voice = [i.duration_seconds for i in closed if i.channel == "voice" and i.duration_seconds]
    if voice:
        print(f"mean call duration: {sum(voice) / len(voice):.0f} s over {len(voice)} calls")


if __name__ == "__main__":
    main()

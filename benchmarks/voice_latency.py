"""Voice ``<Gather>`` action latency under gunicorn (2 sync workers or --workers), PostgreSQL.

Opens thousands of calls in a fresh database with seeded customers (the greeting already
answered), then loads ``POST /twilio/voice/gather?step=1`` with wrk at 32 connections: each
request is a different call's first turn, correctly signed, with Twilio's exact parameters and
a mix of Spanish and English utterances and keys (balance questions that start verification,
requests for a person that write the escalation packet, greetings, noise). Every turn goes
through the signature check, the understanding cascade, the dialog and the database.

Every connection posts as fast as answers come (far busier than 32 real callers, who pause for
seconds between turns), so the figures include queueing behind the two workers. Prints p50,
p99 and errors, and which understanding tiers answered. (A paced load with wrk's ``delay()``
stalls against gunicorn's sync workers, which close every connection, so it is not offered.)

    python benchmarks/voice_latency.py [--seconds 15] [--calls 6000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._load import (  # noqa: E402
    TOKEN,
    drop_database,
    form_body,
    fresh_database,
    gunicorn,
    lua_for_bodies,
    run_wrk,
    temp_dir,
)
from contactpro import migrate  # noqa: E402
from contactpro.config import load_settings  # noqa: E402
from contactpro.conversations import turn_service
from contactpro.db import Database  # noqa: E402
from contactpro.models import Customer, Escalation, Turn  # noqa: E402
from devtools.seed import seed_customers  # noqa: E402

PUBLIC_URL = "https://contactpro.example.com"
BUSINESS = "+15550001000"
# One database per run, so runs started side by side on one server never drop each other's.
DATABASE = f"contactpro_bench_voice_{os.getpid()}"
PATH = "/twilio/voice/gather?step=1"
SAYS = {
    "es": [
        "cuál es mi saldo",
        "quiero hablar con un asesor",
        "hola buenos días",
        "cuánto debo de la factura",
        "no sé qué decir",
        "#0",
        "#1",
    ],
    "en": [
        "what is my balance",
        "I want to talk to an agent",
        "hello there",
        "how much do I owe",
        "purple monkey dishwasher",
        "#0",
        "#2",
    ],
}


def open_calls(db: Database, url: str, phones: list[tuple[str, str]], count: int) -> list[dict]:
    """Answer ``count`` calls' greetings in the database; return their gather parameters."""
    settings = load_settings(
        {"database_url": url, "twilio_auth_token": TOKEN, "env": "test"},
        environ={},
        dotenv_path=None,
    )
    rng = random.Random(5)
    calls = []
    with db.session() as session:
        for index in range(count):
            phone, language = rng.choice(phones)
            sid = f"CA{index:032x}"
            turn_service.greet_call(
                session, settings, call_sid=sid, from_number=phone, to_number=BUSINESS
            )
            utterance = rng.choice(SAYS[language])
            params = {
                "CallSid": sid,
                "AccountSid": "AC" + "1" * 32,
                "From": phone,
                "To": BUSINESS,
                "CallStatus": "in-progress",
                "Direction": "inbound",
                "ApiVersion": "2010-04-01",
                "Caller": phone,
                "Called": BUSINESS,
            }
            if utterance.startswith("#"):
                params["Digits"] = utterance[1:]
            else:
                params.update(SpeechResult=utterance, Confidence="0.9")
            calls.append(params)
            if index % 500 == 499:
                session.flush()
    return calls


def signed(calls: list[dict]) -> list[tuple[str, str]]:
    """Return (body, signature) pairs for the gather URL."""
    validator = RequestValidator(TOKEN)
    return [(form_body(p), validator.compute_signature(PUBLIC_URL + PATH, p)) for p in calls]


def main() -> None:
    """Run the loads and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="sync gunicorn workers")
    parser.add_argument("--calls", type=int, default=6000, help="calls per measured load")
    args = parser.parse_args()

    scratch = temp_dir()
    url = fresh_database(DATABASE)
    migrate.upgrade(url)
    db = Database(url)
    with db.session() as session:
        seed_customers(session, 500, seed=1)
    with db.session() as session:
        phones = [(c.phone, c.preferred_language) for c in session.scalars(select(Customer))]
    phones += [(f"+5730099{i:05d}", "es") for i in range(50)]  # callers we do not know
    print(f"opening {2 * args.calls} calls ...", flush=True)
    calls = open_calls(db, url, phones, 2 * args.calls)
    scripts = {
        name: lua_for_bodies(PATH, signed(chunk), scratch / f"{name}.lua")
        for name, chunk in (("warm", calls[: args.calls]), ("measured", calls[args.calls :]))
    }
    env = {
        "CONTACTPRO_DATABASE_URL": url,
        "CONTACTPRO_BROKER_URL": "redis://127.0.0.1:6379/14",
        "TWILIO_AUTH_TOKEN": TOKEN,
        "CONTACTPRO_PUBLIC_URL": PUBLIC_URL,
        "CONTACTPRO_VAR_DIR": str(scratch / "var"),
    }
    print(
        f"load: {args.connections} connections, {args.seconds}s each, "
        f"{args.workers} sync gunicorn workers"
    )
    results = {}
    with gunicorn("webhooks.wsgi:app", env, workers=args.workers) as base:
        run_wrk(base, scripts["warm"], 10, args.connections)  # models, pools, code paths
        results["gather"] = run_wrk(base, scripts["measured"], args.seconds, args.connections)
    with db.session() as session:
        tiers = dict(
            session.execute(
                select(Turn.tier, func.count()).where(Turn.speaker == "caller").group_by(Turn.tier)
            ).all()
        )
        escalations = session.scalar(select(func.count(Escalation.id)))
    db.dispose()
    drop_database(DATABASE)

    print(f"{'load':12} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, fig in results.items():
        errors = int(fig["errors"] + fig["status_errors"] + fig["timeouts"])
        print(
            f"{name:12} {fig['rps']:>8.0f} {fig['p50']:>8.1f} {fig['p99']:>8.1f} {errors:>7} "
            f"(socket {fig['errors']:.0f}, status {fig['status_errors']:.0f}, "
            f"timeout {fig['timeouts']:.0f})"
        )
    print(f"target: p99 < 100 ms, no errors (p99 {results['gather']['p99']:.1f} ms)")
    print(f"caller turns by tier: {tiers}; escalation packets written: {escalations}")


if __name__ == "__main__":
    main()

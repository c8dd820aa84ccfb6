"""SMS webhook throughput: the full path against a bare Flask endpoint, same gunicorn settings.

Starts ContactPro under gunicorn (2 sync workers, or --workers) on a fresh PostgreSQL database
with seeded customers, and loads POST /twilio/sms with wrk at 32 connections using unique,
correctly signed Twilio requests (signature check, understanding, database writes, TwiML). In
the same run it loads a bare Flask endpoint returning fixed TwiML under the same gunicorn
settings, and prints requests/s, p50 and p99 for both, the ratio, and the errors.

    python benchmarks/webhook_throughput.py [--seconds 15] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

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
from contactpro.db import Database  # noqa: E402
from contactpro.models import Customer, Interaction, Turn  # noqa: E402
from devtools.seed import seed_customers  # noqa: E402

PUBLIC_URL = "https://contactpro.example.com"
# One database per run, so runs started side by side on one server never drop each other's.
DATABASE = f"contactpro_bench_webhooks_{os.getpid()}"
MESSAGES = {
    "es": [
        "cuánto debo",
        "hola",
        "mi saldo por favor",
        "quiero un asesor",
        "gracias chao",
        "cuanto es mi factura",
        "no entiendo nada de esto",
    ],
    "en": [
        "what is my balance",
        "hi there",
        "how much do I owe",
        "agent please",
        "thanks bye",
        "blue skies",
    ],
}


def signed_bodies(phones: list[tuple[str, str]], count: int) -> list[tuple[str, str]]:
    """Build ``count`` unique SMS webhook bodies with their Twilio signatures."""
    validator = RequestValidator(TOKEN)
    rng = random.Random(3)
    bodies = []
    for index in range(count):
        phone, language = rng.choice(phones)
        params = {
            "MessageSid": f"SM{index:032x}",
            "AccountSid": "AC" + "1" * 32,
            "From": phone,
            "To": "+15550001000",
            "Body": rng.choice(MESSAGES[language]),
            "NumMedia": "0",
            "NumSegments": "1",
            "ApiVersion": "2010-04-01",
        }
        bodies.append(
            (form_body(params), validator.compute_signature(PUBLIC_URL + "/twilio/sms", params))
        )
    return bodies


def main() -> None:
    """Run both loads and print the comparison."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="sync gunicorn workers")
    parser.add_argument("--requests", type=int, default=60_000, help="unique bodies")
    args = parser.parse_args()

    scratch = temp_dir()
    url = fresh_database(DATABASE)
    migrate.upgrade(url)
    db = Database(url)
    with db.session() as session:
        seed_customers(session, 500, seed=1)
    with db.session() as session:
        phones = [(c.phone, c.preferred_language) for c in session.query(Customer)]
    script = lua_for_bodies(
        "/twilio/sms", signed_bodies(phones, args.requests), scratch / "sms.lua"
    )
    env = {
        "CONTACTPRO_DATABASE_URL": url,
        "CONTACTPRO_BROKER_URL": "redis://127.0.0.1:6379/14",
        "TWILIO_AUTH_TOKEN": TOKEN,
        "CONTACTPRO_PUBLIC_URL": PUBLIC_URL,
        "CONTACTPRO_VAR_DIR": str(scratch / "var"),
        "CONTACTPRO_RATE_LIMIT_CALLER_PER_MINUTE": "0",  # one load generator, many "callers"
    }
    print(
        f"load: {args.connections} connections, {args.seconds}s each, "
        f"{args.workers} sync gunicorn workers"
    )
    with gunicorn("webhooks.wsgi:app", env, workers=args.workers) as base:
        run_wrk(base, script, 8, args.connections)  # warm-up: caches, pools, code paths
        full = run_wrk(base, script, args.seconds, args.connections)
    # The shipped n-gram model, picked by its encoder name as an operator would.
    with gunicorn(
        "webhooks.wsgi:app", {**env, "CONTACTPRO_INTENT_ENCODER": "none"}, workers=args.workers
    ) as base:
        run_wrk(base, script, 8, args.connections)
        ngrams = run_wrk(base, script, args.seconds, args.connections)
    with gunicorn("benchmarks.bare_twiml:app", env, workers=args.workers) as base:
        run_wrk(base, script, 8, args.connections)
        bare = run_wrk(base, script, args.seconds, args.connections)
    with db.session() as session:
        turns = session.query(Turn).count()
        interactions = session.query(Interaction).count()
    db.dispose()
    drop_database(DATABASE)

    print(
        f"{'endpoint':28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'(socket/status/timeout)':>24}"
    )
    rows = (
        ("full path, shipped model", full),
        ("full path, n-gram model", ngrams),
        ("bare Flask TwiML", bare),
    )
    for name, fig in rows:
        errors = int(fig["errors"] + fig["status_errors"] + fig["timeouts"])
        detail = f"{fig['errors']:.0f}/{fig['status_errors']:.0f}/{fig['timeouts']:.0f}"
        print(
            f"{name:28} {fig['rps']:>9.0f} {fig['p50']:>8.1f} {fig['p99']:>8.1f} {errors:>7} "
            f"{detail:>24}"
        )
    print(
        f"throughput ratio full/bare: {full['rps'] / bare['rps']:.1%} (target >= 25%); "
        f"with the n-gram model: {ngrams['rps'] / bare['rps']:.1%}"
    )
    print(f"full path p99: {full['p99']:.1f} ms (target < 100 ms)")
    print(f"rows written: {turns} turns in {interactions} interactions")


if __name__ == "__main__":
    main()

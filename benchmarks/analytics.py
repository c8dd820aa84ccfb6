"""Benchmark the manager analytics at 10k, 100k and 1M interactions.

Not a test. For each size it creates a scratch PostgreSQL database, generates customers,
accounts, interactions (three turns each) and escalations with ``INSERT ... SELECT
generate_series``, then, in a fresh process, times and measures peak memory (max RSS) of:

1. scoring the conformity of every interaction (the initial backlog; in production each
   interaction is scored once, by the hourly run after it closes);
2. the analysis (pattern aggregates, KPIs, priority matrix, stored run);
3. the report and the eight dashboards.

The conformity text model's quality and speed are measured by ``benchmarks/conformity.py``.

Usage: python benchmarks/analytics.py [--sizes 10000,100000,1000000] [--keep-out DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
BENCH_DB = "contactpro_bench"
END = datetime(2026, 3, 1, tzinfo=UTC)
DAYS = 30

PHRASES = [
    "cuánto debo este mes",
    "quiero pagar mi factura",
    "no tengo internet hace tres días",
    "esto es una vergüenza, me cobraron dos veces",
    "muchas gracias, muy amable",
    "quiero cancelar el servicio",
    "hablar con un asesor",
    "saldo",
    "sí",
    "no",
    "how much do I owe",
    "I want to pay my bill",
    "my internet is down again",
    "this is ridiculous, I was charged twice",
    "thank you so much, that was fast",
    "I want to cancel my service",
    "talk to an agent",
    "balance",
    "yes",
    "perfecto, gracias",
]
INTENTS = [
    "check_balance",
    "pay_bill",
    "outage",
    "complaint",
    "thanks",
    "cancel",
    "agent_request",
    "check_balance",
    "confirm",
    "deny",
]


def generate_sql(n: int) -> list[str]:
    """Return the statements that fill an empty, migrated database with ``n`` interactions."""
    customers = max(100, n // 10)
    phrases = "ARRAY[" + ",".join("'" + p.replace("'", "''") + "'" for p in PHRASES) + "]"
    intents = "ARRAY[" + ",".join(f"'{i}'" for i in INTENTS) + "]"
    start = (END - timedelta(days=DAYS)).isoformat()
    return [
        "SELECT setseed(0.42)",
        f"""INSERT INTO customers (id, name, phone, preferred_language, segment, created_at)
        SELECT g, 'Customer ' || g, '+57' || (3000000000 + g), CASE WHEN g % 4 = 0 THEN 'en'
        ELSE 'es' END, (ARRAY['standard','standard','premium','vip'])[1 + g % 4], now()
        FROM generate_series(1, {customers}) g""",
        f"""INSERT INTO accounts (customer_id, number, plan, monthly_charge, currency, balance,
        status, days_past_due, debt_amount)
        SELECT g, 'A' || g, 'Hogar', round((20 + 480 * random() ^ 2)::numeric, 2), 'USD', 0,
        CASE WHEN g % 20 = 0 THEN 'cancelled' ELSE 'active' END, 0, 0
        FROM generate_series(1, {customers}) g""",
        f"""CREATE TEMP TABLE gen AS
        SELECT g AS id, 1 + floor(random() * {customers})::int AS customer,
        timestamptz '{start}' + random() * interval '{DAYS} days' AS started,
        random() AS r_outcome, 1 + floor(random() * {len(INTENTS)})::int AS intent_ix,
        1 + floor(random() * {len(PHRASES)})::int AS phrase_ix, random() AS r
        FROM generate_series(1, {n}) g""",
        """INSERT INTO interactions (id, channel, twilio_sid, customer_id, from_number,
        to_number, started_at, last_activity_at, ended_at, status, outcome, language,
        duration_seconds, close_reason, turn_count, state)
        SELECT id, CASE WHEN r < 0.7 THEN 'voice' ELSE 'sms' END, 'CA' || lpad(id::text, 32, '0'),
        CASE WHEN r < 0.95 THEN customer END, '+57' || (3000000000 + customer), '+15550001000',
        started, started, started + interval '2 minutes', 'closed',
        CASE WHEN r_outcome < 0.62 THEN 'auto_resolved' WHEN r_outcome < 0.9 THEN 'escalated'
        ELSE 'abandoned' END, CASE WHEN customer % 4 = 0 THEN 'en' ELSE 'es' END,
        CASE WHEN r_outcome < 0.62 THEN 40 + floor(random() * 120)::int
        ELSE 180 + floor(random() * 600)::int END, 'call_ended', 3,
        jsonb_build_object('steps', CASE WHEN r_outcome < 0.62 THEN '["told_balance"]'::jsonb
        WHEN r < 0.5 THEN '["asked_clarification"]'::jsonb ELSE '[]'::jsonb END)
        || CASE WHEN r < 0.1 THEN jsonb_build_object('csat', 1 + floor(random() * 5)::int)
        ELSE '{}'::jsonb END
        FROM gen""",
        f"""INSERT INTO turns (interaction_id, sequence, speaker, text, source, asr_confidence,
        intent, confidence, tier, entities, latency_ms, created_at)
        SELECT id, s, CASE WHEN s = 1 THEN 'caller' ELSE 'bot' END,
        CASE WHEN s = 1 THEN ({phrases})[phrase_ix] || CASE WHEN id % 3 = 0
        THEN ' referencia ' || (id % 50000) ELSE '' END ELSE 'Hola, ¿en qué le ayudo?' END,
        CASE WHEN s = 1 THEN 'speech' ELSE 'system' END, CASE WHEN s = 1 THEN 0.7 + 0.3 * r END,
        CASE WHEN s = 1 AND r_outcome < 0.97 THEN ({intents})[intent_ix] END,
        CASE WHEN s = 1 THEN 0.3 + 0.7 * random() END,
        CASE WHEN s <> 1 THEN NULL WHEN r < 0.5 THEN 'rules' WHEN r < 0.9 THEN 'model'
        ELSE 'llm' END, '{{}}'::jsonb, 20 * random(), started + s * interval '10 seconds'
        FROM gen CROSS JOIN generate_series(0, 2) s""",
        """INSERT INTO escalations (interaction_id, customer_id, status, priority, reason, queue,
        context, queue_result, queue_seconds, created_at)
        SELECT i.id, i.customer_id, 'resolved', 50, (ARRAY['agent_request','not_understood',
        'complaint','unknown_caller'])[1 + (i.id % 4)], 'support', '{}'::jsonb, 'answered',
        floor(random() * 300)::int, i.started_at
        FROM interactions i WHERE i.outcome = 'escalated'""",
        "SELECT setval('interactions_id_seq', (SELECT max(id) FROM interactions))",
        "SELECT setval('customers_id_seq', (SELECT max(id) FROM customers))",
        "ANALYZE",
    ]


def _admin(sql: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"{SERVER}/test", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child(n: int, out_dir: Path) -> dict[str, float]:
    """Measure one size in this (fresh) process; return timings and peak RSS."""
    from sqlalchemy import text

    from contactpro.analytics import conformity, runs, sentiment
    from contactpro.analytics.patterns import Period
    from contactpro.config import load_settings
    from contactpro.db import Database
    from dashboards import draw_dashboards

    url = f"{SERVER}/{BENCH_DB}"
    settings = load_settings(
        {
            "env": "test",
            "validate_twilio_signature": "false",
            "database_url": url,
            "secret_key": "x" * 32,
        },
        environ={},
        dotenv_path=None,
    )
    db = Database(url)
    sentiment.load_model()
    figures: dict[str, float] = {"baseline_rss_mb": _rss_mb()}
    period = Period(END - timedelta(days=DAYS), END)
    t = time.perf_counter()
    with db.engine.begin() as conn:
        scored = conformity.score_interactions(conn, settings, period.start, period.end)
    figures |= {"scored": scored, "scoring_s": time.perf_counter() - t, "scoring_rss_mb": _rss_mb()}
    t = time.perf_counter()
    result = runs.analyse(db, settings, period)
    figures |= {"analysis_s": time.perf_counter() - t, "analysis_rss_mb": _rss_mb()}
    t = time.perf_counter()
    runs.write_outputs(db, result, out_dir, render=draw_dashboards)
    figures |= {"outputs_s": time.perf_counter() - t, "peak_rss_mb": _rss_mb()}
    with db.engine.connect() as conn:
        figures["turns"] = conn.scalar(text("SELECT count(*) FROM turns"))
    figures["contacts"] = result.results["totals"]["contacts"]
    db.dispose()
    return figures


def _schema(url: str) -> None:
    """Migrate to revision 0002 (the analytics schema) with only the revisions it needs.

    A copy of the migrations folder holding 0001 and 0002 keeps the benchmark independent of
    later revisions (and of any being written while it runs).
    """
    import shutil
    import tempfile

    from alembic import command

    from contactpro import migrate

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "migrations"
        shutil.copytree(
            migrate.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__")
        )
        for script in (folder / "versions").glob("*.py"):
            if not script.name.startswith(("0001_", "0002_")):
                script.unlink()
        config = migrate.alembic_config(url)
        config.set_main_option("script_location", str(folder))
        command.upgrade(config, "0002")


def run_size(n: int, out_root: Path) -> dict[str, float]:
    """Create the scratch database, fill it with ``n`` interactions and measure a fresh run."""
    from sqlalchemy import create_engine

    _admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    _admin(f"CREATE DATABASE {BENCH_DB}")
    url = f"{SERVER}/{BENCH_DB}"
    _schema(url)
    engine = create_engine(url)
    t = time.perf_counter()
    with engine.begin() as conn:
        cursor = conn.connection.cursor()  # the driver's cursor: no placeholder parsing
        for statement in generate_sql(n):
            cursor.execute(statement)
    engine.dispose()
    generated = time.perf_counter() - t
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(n), "--out", str(out_root / f"n{n}")],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["generate_s"] = generated
    return figures


def main() -> None:
    """Parse arguments and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=Path("var/bench-analytics"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.out)))
        return
    try:
        for n in [int(s) for s in args.sizes.split(",") if s]:
            figures = run_size(n, args.out)
            print(
                f"{n:>9,} interactions ({figures['turns']:,} turns): generate "
                f"{figures['generate_s']:.1f} s | conformity backlog {figures['scoring_s']:.1f} s "
                f"| analysis {figures['analysis_s']:.1f} s | report+dashboards "
                f"{figures['outputs_s']:.1f} s | peak RSS: base {figures['baseline_rss_mb']:.0f} "
                f"MB, scoring {figures['scoring_rss_mb']:.0f} MB, analysis "
                f"{figures['analysis_rss_mb']:.0f} MB, all {figures['peak_rss_mb']:.0f} MB",
                flush=True,
            )
    finally:
        _admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


if __name__ == "__main__":
    main()

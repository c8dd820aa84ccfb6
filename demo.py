"""ContactPro product tour on the embedded default (SQLite under var/, Celery with no broker).

1. Seeds a company: customers in Spanish and English with accounts, invoices, payments and debts.
2. Starts the real webhooks on a local port with an in-process Celery worker, and shows every
   handler in both languages: billing, payments, debt negotiation, connection troubleshooting,
   cancellation with retention, product information and hand-offs.
3. Simulates 60 days of contacts (voice and SMS, realistic hours and customer mix) through the same
   signed webhooks, with agents answering the queue and customers answering the survey.
4. Runs the analysis as a Celery task, prints the KPI table and writes dashboards and the report
   to outputs/.

    python demo.py [--contacts 520] [--days 60] [--customers 150] [--tour-only]
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from werkzeug.serving import make_server

from contactpro.models import (
    Customer,
    Escalation,
    Interaction,
    ServiceOutage,
    SurveyResponse,
    Turn,
)
from devtools.simulator import TwilioSimulator, TwimlStep

BUSINESS_NUMBER = "+15550001000"
DEMO_TOKEN = "demo-auth-token-not-secret"
log = logging.getLogger("demo")

# What customers say, per scenario and language. "{id4}" and "{year}" are their second factor.
SCRIPTS: dict[str, dict[str, list[list[str]]]] = {
    "billing": {
        "es": [
            ["cuánto debo", "{id4}", "sí"],
            ["por qué me llegó tan cara la factura", "{id4}", "sí gracias"],
            ["hola buenas, me regala el saldo porfa", "{id4}", "no"],
        ],
        "en": [
            ["what's my balance", "{id4}", "yes"],
            ["why is my bill higher this month", "{id4}", "yes thanks"],
        ],
    },
    "payment": {
        "es": [
            ["dónde puedo pagar la factura", "sí"],
            ["mándame el link de pago", "{id4}", "sí"],
            ["ya pagué la factura", "{id4}", "sí"],
        ],
        "en": [["how can I pay my bill", "yes"], ["text me the payment link", "{id4}", "yes"]],
    },
    "debt": {
        "es": [
            ["necesito un acuerdo de pago", "{id4}", "la opción 2", "sí"],
            ["no puedo pagar todo, me dan cuotas", "{id4}", "no puedo con ninguna", "sí"],
            ["quiero negociar mi deuda", "{id4}", "no puedo", "no"],
        ],
        "en": [
            ["can I set up a payment plan", "{id4}", "option 3", "yes"],
            ["I can't pay everything I owe", "{id4}", "none of those", "no"],
        ],
    },
    "connection": {
        "es": [
            ["no tengo internet desde ayer", "no", "sí, ya funciona", "sí"],
            ["el internet está muy lento", "no", "no", "no", "sigue igual"],
            ["se me cayó el wifi", "ya funciona", "sí"],
        ],
        "en": [
            ["my internet is down", "no", "yes it works now", "yes"],
            ["no internet at all", "no", "no", "no", "still not working"],
        ],
    },
    "cancellation": {
        "es": [
            ["quiero cancelar el servicio", "{id4}", "sí"],
            ["me quiero ir a otra empresa", "{id4}", "no", "sí"],
        ],
        "en": [
            ["I want to cancel my service", "{id4}", "yes"],
            ["cancel my account", "{id4}", "no", "yes"],
        ],
    },
    "product": {
        "es": [
            ["qué planes de internet tienen", "sí"],
            ["cuánto cuesta el roaming", "sí"],
            ["puedo cambiar de plan", "no"],
        ],
        "en": [["what internet plans do you have", "yes"], ["how much is roaming", "yes"]],
    },
    "handoff": {
        "es": [
            ["quiero hablar con un asesor"],
            ["quiero poner una queja por el mal servicio"],
            ["el perro del vecino ladra", "la luna es azul"],
            ["#0"],
            ["", "", ""],
        ],
        "en": [
            ["I need a human please"],
            ["I want to file a complaint"],
            ["blue elephants dancing", "purple rain forever"],
        ],
    },
}
MIX = {
    "billing": 30,
    "payment": 12,
    "debt": 10,
    "connection": 16,
    "cancellation": 8,
    "product": 12,
    "handoff": 12,
}
HOURS = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 15, 14, 11, 10, 12, 13, 12, 10, 8, 7, 5, 4, 3, 2]
WEEKDAYS = [10, 10, 10, 10, 9, 5, 3]
TOUR = [
    ("billing", "es", "sms"),
    ("billing", "en", "voice"),
    ("payment", "es", "sms"),
    ("payment", "en", "sms"),
    ("debt", "es", "sms"),
    ("debt", "en", "voice"),
    ("connection", "es", "voice"),
    ("connection", "en", "sms"),
    ("cancellation", "es", "sms"),
    ("cancellation", "en", "voice"),
    ("product", "es", "voice"),
    ("product", "en", "sms"),
    ("handoff", "es", "voice"),
    ("handoff", "en", "sms"),
]


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Demo:
    """The running product: app, worker, server and a simulator signing requests as Twilio."""

    def __init__(self, args: argparse.Namespace) -> None:
        from contactpro import migrate
        from dashboards import draw_dashboards
        from tasks import start_embedded_worker
        from webhooks import create_app, warm_up, warm_worker

        self.args = args
        self.rng = random.Random(11)
        var_dir = Path(args.var_dir).resolve()
        database = var_dir / "demo.sqlite3"
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)
        port = free_port()
        os.environ.setdefault("TWILIO_AUTH_TOKEN", DEMO_TOKEN)
        self.config = {
            "var_dir": str(var_dir),
            "database_url": f"sqlite:///{database}",
            "broker_url": "embedded",
            "public_url": f"http://127.0.0.1:{port}",
            "telephony": "fake",
        }
        self.app = create_app(self.config)
        for name in ("", "werkzeug"):  # the demo prints its own story
            logging.getLogger(name).setLevel(logging.WARNING)
        self.runtime = self.app.extensions["contactpro"]
        self.runtime.renderer = draw_dashboards  # the analysis task draws the dashboards
        self.db = self.runtime.db
        migrate.upgrade(self.runtime.settings.database_url)
        warm_up(self.app)
        warm_worker(self.app)
        self.stop_worker = start_embedded_worker(self.app.extensions["celery"], beat=False)
        self.server = make_server("127.0.0.1", port, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.sim = TwilioSimulator(
            self.config["public_url"], self.runtime.settings.twilio_auth_token
        )
        self.database = database

    def close(self) -> None:
        """Stop the server and the worker."""
        self.server.shutdown()
        self.stop_worker()

    # --- conversations -------------------------------------------------------------------

    def converse(self, customer: dict[str, Any], channel: str, lines: list[str]) -> list[str]:
        """Run one conversation through the webhooks; return the transcript lines."""
        phone = customer["phone"]
        lines = [line.format(id4=customer["id4"], year=customer["year"]) for line in lines]
        transcript: list[str] = []
        if channel == "sms":
            for line in lines:
                step = self.sim.sms(phone, BUSINESS_NUMBER, line)
                transcript += [f"    > {line}", f"    < {step.text}"]
            return transcript
        call_sid, step = self.sim.start_call(phone, BUSINESS_NUMBER)
        step = self._settle(step, call_sid, phone)
        transcript.append(f"    < {step.text}")
        seconds = 8
        for line in lines:
            if step.verb != "gather":
                break
            if line.startswith("#"):
                step = self.sim.answer(step, call_sid, phone, BUSINESS_NUMBER, digits=line[1:])
            elif line:
                step = self.sim.answer(step, call_sid, phone, BUSINESS_NUMBER, speech=line)
            else:
                step = self.sim.answer(step, call_sid, phone, BUSINESS_NUMBER)
            step = self._settle(step, call_sid, phone)
            transcript += [f"    > {line or '(silence)'}", f"    < {step.text}  [{step.verb}]"]
            seconds += self.rng.randint(6, 15)
        if step.verb == "enqueue":
            wait = self.rng.randint(15, 240)
            self.sim.post(
                "/twilio/voice/queue-result",
                {
                    **self.sim._call_params(call_sid, phone, BUSINESS_NUMBER),
                    "QueueResult": "bridged" if self.rng.random() < 0.85 else "hangup",
                    "QueueTime": str(wait),
                    "QueueSid": "QU" + "0" * 32,
                },
            )
            seconds += wait + self.rng.randint(60, 420)
        self.sim.end_call(call_sid, phone, BUSINESS_NUMBER, duration=seconds)
        return transcript

    def _settle(self, step: TwimlStep, call_sid: str, phone: str) -> TwimlStep:
        """Follow hold-loop redirects until the bot speaks its answer."""
        for _ in range(30):
            if step.verb != "redirect":
                return step
            time.sleep(0.2)
            step = self.sim.follow(step, call_sid, phone, BUSINESS_NUMBER)
        return step

    def customers(self) -> dict[str, list[dict[str, Any]]]:
        """Return the seeded customers by language, with their second factor."""
        with self.db.session() as session:
            rows = session.scalars(select(Customer)).all()
            found: dict[str, list[dict[str, Any]]] = {"es": [], "en": []}
            for c in rows:
                id4 = (c.national_id or "")[-4:]
                found[c.preferred_language].append(
                    {
                        "phone": c.phone,
                        "id4": id4 if id4.isdigit() else str(c.birth_year),
                        "year": c.birth_year,
                        "debt": any(a.debt_amount > 0 for a in c.accounts),
                        "segment": c.segment,
                    }
                )
        return found

    def backdate(self, since_id: int, when: datetime) -> None:
        """Move the conversations just played to their simulated time."""
        with self.db.session() as session:
            rows = session.scalars(select(Interaction).where(Interaction.id > since_id)).all()
            for interaction in rows:
                delta = when - interaction.started_at
                interaction.started_at += delta
                interaction.last_activity_at += delta
                if interaction.ended_at is not None:
                    interaction.ended_at += delta
                for turn in session.scalars(
                    select(Turn).where(Turn.interaction_id == interaction.id)
                ):
                    turn.created_at += delta
                for escalation in session.scalars(
                    select(Escalation).where(Escalation.interaction_id == interaction.id)
                ):
                    escalation.created_at += delta

    def last_id(self) -> int:
        """Return the newest interaction id."""
        with self.db.session() as session:
            return session.scalar(select(func.max(Interaction.id))) or 0

    def wait_for_worker(self, timeout: float = 120) -> None:
        """Wait until the worker has closed every call and thread it was sent."""
        deadline = time.monotonic() + timeout
        with self.db.session() as session:
            while time.monotonic() < deadline:
                open_calls = session.scalar(
                    select(func.count(Interaction.id)).where(
                        Interaction.status == "active", Interaction.ended_at.is_not(None)
                    )
                )
                if not open_calls:
                    return
                session.expire_all()
                time.sleep(0.3)


def pick_customer(
    demo: Demo, people: dict[str, list[dict[str, Any]]], scenario: str, language: str
) -> dict[str, Any]:
    """A customer who fits the scenario (debtors negotiate debts)."""
    pool = people[language]
    if scenario == "debt":
        pool = [p for p in pool if p["debt"]] or pool
    return demo.rng.choice(pool)


def tour(demo: Demo, people: dict[str, list[dict[str, Any]]]) -> None:
    """Show every handler in both languages."""
    print("\n=== Every handler, in both languages ===")
    for scenario, language, channel in TOUR:
        lines = SCRIPTS[scenario][language][0]
        customer = pick_customer(demo, people, scenario, language)
        print(f"\n[{scenario} · {language} · {channel}]")
        print("\n".join(demo.converse(customer, channel, lines)))


def simulate(demo: Demo, people: dict[str, list[dict[str, Any]]], contacts: int, days: int) -> None:
    """Play ``contacts`` conversations spread over ``days`` days, with realistic hours."""
    print(f"\n=== Simulating {contacts} contacts over {days} days ===", flush=True)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=days)
    moments = []
    for _ in range(contacts):
        while True:
            day = start + timedelta(days=demo.rng.randrange(days))
            if demo.rng.random() < WEEKDAYS[day.weekday()] / 10:
                break
        hour = demo.rng.choices(range(24), weights=HOURS)[0]
        moments.append(day.replace(hour=hour) + timedelta(minutes=demo.rng.randrange(60)))
    started = time.perf_counter()
    for index, when in enumerate(sorted(moments), start=1):
        scenario = demo.rng.choices(list(MIX), weights=list(MIX.values()))[0]
        language = "es" if demo.rng.random() < 0.65 else "en"
        channel = "voice" if demo.rng.random() < 0.55 else "sms"
        customer = pick_customer(demo, people, scenario, language)
        lines = demo.rng.choice(SCRIPTS[scenario][language])
        before = demo.last_id()
        demo.converse(customer, channel, lines)
        demo.wait_for_worker(10)
        demo.backdate(before, when)
        if index % 100 == 0:
            print(
                f"  {index}/{contacts} contacts ({time.perf_counter() - started:.0f}s)", flush=True
            )


def finish_day(demo: Demo) -> None:
    """Close the SMS threads, let agents work the queue, collect survey answers."""
    from tasks import send
    from tasks.interactions import close_interaction

    with demo.db.session() as session:
        threads = list(
            session.scalars(
                select(Interaction.id).where(
                    Interaction.channel == "sms", Interaction.status == "active"
                )
            )
        )
    with demo.app.app_context():
        for interaction_id in threads:
            send(close_interaction, interaction_id, "demo_day_end")
    time.sleep(1.0)
    demo.wait_for_worker()
    deadline = time.monotonic() + 60
    with demo.db.session() as session:
        while time.monotonic() < deadline and session.scalar(
            select(func.count(Interaction.id)).where(Interaction.status == "active")
        ):
            session.expire_all()
            time.sleep(0.3)
        for escalation in session.scalars(select(Escalation)).all():
            # The agents' side: most hand-offs get resolved within the hour.
            if demo.rng.random() < 0.8:
                escalation.status, escalation.resolution = "resolved", "solved"
                escalation.resolved_at = escalation.created_at + timedelta(
                    minutes=demo.rng.randint(3, 55)
                )
        surveys = session.scalars(select(SurveyResponse)).all()
    for survey in surveys:
        if demo.rng.random() < 0.45:
            score = demo.rng.choices([1, 2, 3, 4, 5], weights=[4, 5, 12, 34, 45])[0]
            demo.sim.sms(survey.phone, BUSINESS_NUMBER, str(score))


def analyse(demo: Demo, days: int, out_dir: Path) -> None:
    """Run the analysis as a Celery task and print the KPI table."""
    from contactpro.analytics.runs import latest_run
    from tasks import send
    from tasks.analytics import analyze

    end = datetime.now(UTC) + timedelta(hours=1)
    begin = end - timedelta(days=days + 1)
    print("\n=== Analysis (Celery task contactpro.analytics.analyze) ===", flush=True)
    with demo.app.app_context():
        send(analyze, begin.isoformat(), end.isoformat(), str(out_dir))
    deadline = time.monotonic() + 600
    run = None
    while time.monotonic() < deadline:
        with demo.db.session() as session:
            run = latest_run(session)
            if run is not None and run.outputs:
                break
        time.sleep(1.0)
    if run is None:
        print("the analysis did not finish in time")
        return
    for kpi in run.results.get("kpis", []):
        print(f"  {kpi['label']:46} {kpi['text']:>14}")
    print(f"\nDashboards and report written to {out_dir}/ (open index.html and report.html)")


def summary(demo: Demo, elapsed: float) -> None:
    """Print what happened, from the database."""
    with demo.db.session() as session:
        interactions = session.scalars(select(Interaction)).all()
        turns = session.scalars(select(Turn).where(Turn.speaker == "caller")).all()
        escalations = session.scalars(select(Escalation)).all()
        surveys = [s.score for s in session.scalars(select(SurveyResponse)) if s.score]
    outcomes = Counter((i.channel, i.outcome or i.status) for i in interactions)
    print(f"\n=== {len(interactions)} interactions, {len(turns)} caller turns, {elapsed:.0f}s ===")
    print(f"{'channel':8} {'auto_resolved':>14} {'escalated':>10} {'abandoned':>10} {'open':>6}")
    for channel in ("voice", "sms"):
        row = [
            outcomes[(channel, o)] for o in ("auto_resolved", "escalated", "abandoned", "active")
        ]
        print(f"{channel:8} {row[0]:>14} {row[1]:>10} {row[2]:>10} {row[3]:>6}")
    print(
        "languages:",
        ", ".join(f"{k}={v}" for k, v in sorted(Counter(i.language for i in interactions).items())),
    )
    print(
        "intents:",
        ", ".join(f"{k}={v}" for k, v in Counter(t.intent for t in turns).most_common(10)),
    )
    print("tiers:", ", ".join(f"{k}={v}" for k, v in Counter(t.tier for t in turns).most_common()))
    print(
        "escalation reasons:",
        ", ".join(f"{k}={v}" for k, v in Counter(e.reason for e in escalations).most_common()),
    )
    if surveys:
        print(f"survey: {len(surveys)} answers, mean {sum(surveys) / len(surveys):.2f}/5")
    latencies = sorted(t.latency_ms for t in turns if t.latency_ms is not None)
    if latencies:
        p50 = latencies[len(latencies) // 2]
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"turn processing latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms")


def main() -> None:
    """Seed, tour, simulate, analyse."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=520)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--customers", type=int, default=150)
    parser.add_argument("--var-dir", default="var/demo")
    parser.add_argument("--out", default="outputs")
    parser.add_argument("--tour-only", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    demo = Demo(args)
    try:
        from devtools.seed import seed_customers

        with demo.db.session() as session:
            seeded = seed_customers(session, args.customers, seed=5)
            session.add(
                ServiceOutage(
                    city="Medellín",
                    description_es="mantenimiento de la red de fibra en El Poblado.",
                    description_en="fiber network maintenance.",
                    starts_at=datetime.now(UTC) - timedelta(hours=2),
                    expected_end_at=datetime.now(UTC) + timedelta(hours=4),
                )
            )
        print(
            f"Seeded {seeded.customers} customers, {seeded.accounts} accounts, "
            f"{seeded.invoices} invoices and {seeded.payments} payments in {demo.database}"
        )
        print(
            f"Webhooks on {demo.config['public_url']} (signatures verified), "
            "Celery worker in-process"
        )
        people = demo.customers()
        tour(demo, people)
        if not args.tour_only:
            simulate(demo, people, args.contacts, args.days)
        finish_day(demo)
        summary(demo, time.perf_counter() - started)
        if not args.tour_only:
            analyse(demo, args.days, Path(args.out).resolve())
    finally:
        demo.close()


if __name__ == "__main__":
    main()

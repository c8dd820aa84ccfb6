"""The priority matrix: conformity (low/high) crossed with billing (low/high) and payment history.

==================  =====================  ===============================================
conformity/billing  low billing            high billing
==================  =====================  ===============================================
low conformity      ``retain`` / ``let_go`` by value against cost of recovery
high conformity     ``care`` (loyalty)     ``monitor`` (preventive follow-up)
==================  =====================  ===============================================

A value equal to a threshold counts as high, compared as shown: conformity is rounded once to
the tenth pages show (:func:`shown_conformity`), so two customers who both read 40.1 against a
40.1 threshold fall on the same side. The billing threshold is
``billing_threshold`` when set, else the ``billing_percentile`` of the scored customers'
billing; the conformity threshold is the one managers set on the console's settings page
(:func:`~contactpro.console.settings.conformity_threshold`, by default
``CONTACTPRO_CONFORMITY_THRESHOLD``), the same figure the agents' queue ranks with. When a
manager changes it, :func:`apply_conformity_threshold` re-places the scored customers at once
and re-summarises the run they were scored by (its stored ``matrix``), which the report and the
figures are drawn from.

A customer's expected value is billing x ``customer_value_months`` x the share of their invoices
due in the last ``payment_history_months`` paid by the due date (1 with no invoice), and 0 once
an invoice is ``payment_lost_days`` or more past due. A customer of low conformity is ``let_go``
only where ``recovery_cost`` exceeds that value; otherwise ``retain``.

Billing and its threshold are money: both are rounded to the cent once, here, before any
comparison. :func:`build_matrix` assigns every customer's quadrant once, stores it in
``customer_scores`` and summarises the same rows, so the report, the figures, the console and
the CSV export all count the same customers.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    Float,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.console.settings import conformity_threshold
from contactpro.errors import ConfigError
from contactpro.models import (
    Account,
    AnalysisRun,
    Customer,
    CustomerScore,
    InteractionScore,
    Invoice,
    Payment,
    utcnow,
)
from contactpro.resilience.atomic import replace_file


@dataclass(frozen=True)
class Strategy:
    """What a quadrant means and what to do about its customers."""

    quadrant: str
    label: str
    priority: int
    action: str
    colour: str


STRATEGIES: dict[str, Strategy] = {
    "retain": Strategy(
        "retain",
        "Retain",
        1,
        "Top priority: call back within 24 h with an economic benefit "
        "(discount, plan upgrade, waived fees) before they cancel.",
        "#d62728",
    ),
    "monitor": Strategy(
        "monitor",
        "Monitor",
        2,
        "Keep them happy: preventive follow-up on incidents, early warning on outages.",
        "#1f77b4",
    ),
    "care": Strategy(
        "care",
        "Care",
        3,
        "Enrol in loyalty programmes; offer upgrades that raise billing.",
        "#2ca02c",
    ),
    "let_go": Strategy(
        "let_go",
        "Let go",
        4,
        "Serve through self-service only; no retention spend.",
        "#7f7f7f",
    ),
}


def quadrant_of(
    conformity: float, billing: float, conformity_cut: float, billing_cut: float
) -> str:
    """Return the quadrant of one customer (a value equal to a threshold counts as high)."""
    high_conf, high_bill = conformity >= conformity_cut, billing >= billing_cut
    if high_conf:
        return "monitor" if high_bill else "care"
    return "retain" if high_bill else "let_go"


@dataclass(frozen=True)
class PaymentHistory:
    """How a customer pays: the oldest unpaid invoice and how regularly they pay on time."""

    days_past_due: int = 0
    on_time_share: float = 1.0


def expected_value(billing: float, history: PaymentHistory, settings: Settings) -> float:
    """Return what keeping the customer is worth: billing over the value months, as they pay."""
    if history.days_past_due >= settings.payment_lost_days:
        return 0.0
    value = money(billing * settings.customer_value_months * history.on_time_share)
    return float(value)


def retention_quadrant(
    conformity: float,
    billing: float,
    history: PaymentHistory,
    cuts: tuple[float, float],
    settings: Settings,
) -> str:
    """Return the quadrant: low conformity is let go only where recovery costs more than value."""
    worth = expected_value(billing, history, settings)
    return placed(conformity, billing, worth, settings.recovery_cost, cuts)


def placed(
    conformity: float, billing: float, worth: Any, recovery_cost: Any, cuts: tuple[float, float]
) -> str:
    """Return the quadrant of a customer worth ``worth`` whose recovery costs ``recovery_cost``.

    Conformity is compared as shown (:func:`shown_conformity`), billing and money as cents; the
    one rule :func:`build_matrix` and :func:`apply_conformity_threshold` both place with.
    """
    base = quadrant_of(shown_conformity(conformity), billing, *cuts)
    if base in ("care", "monitor"):
        return base
    return "let_go" if money(recovery_cost) > money(worth) else "retain"


def payment_histories(
    conn: Connection, settings: Settings, end: datetime
) -> dict[int, PaymentHistory]:
    """Return each invoiced customer's payment history at ``end``, from invoices and payments."""
    today = end.date()
    since = today - timedelta(days=round(settings.payment_history_months * 30.44))
    last_paid = (
        select(Payment.invoice_id, func.max(Payment.paid_at).label("paid_at"))
        .where(Payment.invoice_id.is_not(None), Payment.paid_at < end)
        .group_by(Payment.invoice_id)
        .subquery()
    )
    rows = conn.execute(
        select(Account.customer_id, Invoice.due_date, Invoice.status, last_paid.c.paid_at)
        .join(Account, Account.id == Invoice.account_id)
        .outerjoin(last_paid, last_paid.c.invoice_id == Invoice.id)
        .where(Invoice.due_date < today)
        .where((Invoice.due_date >= since) | (Invoice.status != "paid"))
    ).all()
    due: dict[int, int] = {}
    on_time: dict[int, int] = {}
    past_due: dict[int, int] = {}
    for customer_id, due_date, status, paid_at in rows:
        unpaid = status != "paid"
        if unpaid:
            late = (today - due_date).days
            past_due[customer_id] = max(past_due.get(customer_id, 0), late)
        if due_date >= since:
            due[customer_id] = due.get(customer_id, 0) + 1
            paid_in_time = not unpaid and paid_at is not None and paid_at.date() <= due_date
            on_time[customer_id] = on_time.get(customer_id, 0) + int(paid_in_time)
    return {
        cid: PaymentHistory(
            days_past_due=past_due.get(cid, 0),
            on_time_share=on_time.get(cid, 0) / due[cid] if due.get(cid) else 1.0,
        )
        for cid in set(due) | set(past_due)
    }


CENT = Decimal("0.01")
# Conformity is shown with one decimal (console, CSV, export): the precision it is compared at.
CONFORMITY_STEP = Decimal("0.1")


def money(value: Any) -> Decimal:
    """Return an amount rounded to the cent (half up), the one rounding billing gets."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def shown_conformity(value: float) -> float:
    """Return a conformity as pages show it (one decimal, half up), the figure compared."""
    return float(Decimal(str(value)).quantize(CONFORMITY_STEP, rounding=ROUND_HALF_UP))


def billing_cut(billing: pd.Series, settings: Settings) -> float:
    """Return the billing threshold, in cents: the fixed setting, else the percentile."""
    if settings.billing_threshold > 0:
        return float(money(settings.billing_threshold))
    if billing.empty:
        return 0.0
    return float(money(np.percentile(billing.astype(float), settings.billing_percentile)))


def currency_rates(settings: Settings) -> list[tuple[str, float]]:
    """Return (currency, rate into the reporting currency) pairs from the settings."""
    try:
        pairs = [item.split(":") for item in settings.currency_rates.split(",") if item.strip()]
        return [(code.strip().upper(), float(rate)) for code, rate in pairs]
    except ValueError:
        raise ConfigError("CONTACTPRO_CURRENCY_RATES must look like USD:1,COP:0.00025") from None


def _customers(settings: Settings, end: datetime) -> Any:
    """Select one row per scored customer: conformity, interactions and monthly billing."""
    since = end - timedelta(days=settings.conformity_window_days)
    scores = (
        select(
            InteractionScore.customer_id.label("customer_id"),
            func.avg(InteractionScore.conformity).label("conformity"),
            func.count().label("interactions"),
        )
        .where(
            InteractionScore.customer_id.is_not(None),
            InteractionScore.started_at >= since,
            InteractionScore.started_at < end,
        )
        .group_by(InteractionScore.customer_id)
        .subquery()
    )
    in_reporting_currency = Account.monthly_charge * case(
        *[(Account.currency == code, literal(rate)) for code, rate in currency_rates(settings)],
        else_=literal(1.0),
    )
    billing = (
        select(Account.customer_id, func.sum(in_reporting_currency).label("billing"))
        .where(Account.status != "cancelled")
        .group_by(Account.customer_id)
        .subquery()
    )
    return (
        select(
            scores.c.customer_id,
            scores.c.conformity,
            scores.c.interactions,
            cast(func.coalesce(billing.c.billing, 0), Float).label("billing"),
        )
        .outerjoin(billing, billing.c.customer_id == scores.c.customer_id)
        .subquery("customer_rows")
    )


def customer_frame(conn: Connection, settings: Settings, end: datetime) -> pd.DataFrame:
    """Return one row per scored customer: conformity, interactions and monthly billing.

    Both figures are aggregated in SQL; the frame has one row per customer, not per contact.
    Billing is rounded to the cent and conformity to the tenth here, so what is compared is
    what is stored and shown.
    """
    rows = _customers(settings, end)
    result = conn.execute(select(rows).order_by(rows.c.customer_id))
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    if not frame.empty:
        frame["conformity"] = [shown_conformity(float(value)) for value in frame["conformity"]]
        frame["billing"] = [float(money(value)) for value in frame["billing"]]
    return frame


STORE_BATCH = 5000
SAMPLE = 3000  # customers drawn in the matrix figure (its counts are of all)


def _store(conn: Connection, frame: pd.DataFrame, run_id: int | None) -> None:
    """Rewrite ``customer_scores`` with the frame's rows: the one quadrant assignment."""
    conn.execute(delete(CustomerScore))
    now = utcnow()
    rows = [
        {
            "customer_id": int(r.customer_id),
            "conformity": float(r.conformity),
            "billing": money(r.billing),
            "quadrant": str(r.quadrant),
            "interactions": int(r.interactions),
            "days_past_due": int(r.days_past_due),
            "on_time_share": float(r.on_time_share),
            "expected_value": money(r.expected_value),
            "recovery_cost": money(r.recovery_cost),
            "run_id": run_id,
            "computed_at": now,
        }
        for r in frame.itertuples()
    ]
    for first in range(0, len(rows), STORE_BATCH):
        conn.execute(insert(CustomerScore), rows[first : first + STORE_BATCH])


def build_matrix(
    conn: Connection,
    settings: Settings,
    end: datetime,
    run_id: int | None = None,
    sample: int = SAMPLE,
    *,
    current: bool = True,
) -> dict[str, Any]:
    """Score every customer into a quadrant, store ``customer_scores``, return the summary.

    Each customer's quadrant is assigned once, by :func:`placed`; the stored rows and the
    summary (thresholds, counts and billing per quadrant, a reproducible sample of customers
    for the scatter plot) are both made from that one assignment. A matrix of a past period
    (``current`` False) is summarised for its report only: the customers' current quadrants,
    which offers and the queue read, stay those of the latest current run.
    """
    frame = customer_frame(conn, settings, end)
    with Session(bind=conn) as session:
        conf_cut = conformity_threshold(session, settings)
    bill_cut = billing_cut(
        frame["billing"] if not frame.empty else pd.Series(dtype=float), settings
    )
    if frame.empty:
        frame = frame.assign(
            quadrant=pd.Series(dtype=str),
            days_past_due=pd.Series(dtype=int),
            on_time_share=pd.Series(dtype=float),
            expected_value=pd.Series(dtype=float),
            recovery_cost=pd.Series(dtype=float),
        )
    else:
        histories = payment_histories(conn, settings, end)
        paying = [histories.get(int(cid), PaymentHistory()) for cid in frame["customer_id"]]
        frame["days_past_due"] = [h.days_past_due for h in paying]
        frame["on_time_share"] = [h.on_time_share for h in paying]
        frame["expected_value"] = [
            expected_value(b, h, settings) for b, h in zip(frame["billing"], paying, strict=True)
        ]
        frame["recovery_cost"] = float(money(settings.recovery_cost))
        frame["quadrant"] = [
            retention_quadrant(c, b, h, (conf_cut, bill_cut), settings)
            for c, b, h in zip(frame["conformity"], frame["billing"], paying, strict=True)
        ]
    if current:
        _store(conn, frame, run_id)
    return {
        **summarise(frame, conf_cut, bill_cut, sample),
        "recovery_cost": float(money(settings.recovery_cost)),
        "customer_value_months": settings.customer_value_months,
        "current": current,
    }


def summarise(
    frame: pd.DataFrame, conf_cut: float, bill_cut: float, sample: int = SAMPLE
) -> dict[str, Any]:
    """Return the matrix summary of placed customers (one row each, ordered by customer id).

    Thresholds, counts and billing per quadrant, and a reproducible sample for the scatter
    plot: what the report and the figures show, made from the rows the console reads.
    """
    counts = frame.groupby("quadrant")["customer_id"].count() if not frame.empty else pd.Series()
    revenue = frame.groupby("quadrant")["billing"].sum() if not frame.empty else pd.Series()
    shown = frame.sample(n=min(sample, len(frame)), random_state=0) if len(frame) else frame
    return {
        "conformity_threshold": conf_cut,
        "billing_threshold": bill_cut,
        "customers": len(frame),
        "quadrants": [
            {
                "quadrant": q,
                "label": s.label,
                "priority": s.priority,
                "action": s.action,
                "customers": int(counts.get(q, 0)),
                "billing": float(revenue.get(q, 0.0)),
            }
            for q, s in sorted(STRATEGIES.items(), key=lambda kv: kv[1].priority)
        ],
        "sample": [
            {"conformity": float(r.conformity), "billing": float(r.billing), "quadrant": r.quadrant}
            for r in shown.itertuples()
        ],
    }


def is_latest_period(conn: Connection, end: datetime) -> bool:
    """Return True when a run of a period ending at ``end`` is to set the customers' current
    quadrants: it ends no earlier than the period they were placed for (none placed: True).

    The current matrix is that of the most recent period analysed, which the scheduled runs
    keep up to now; an analysis of a past period must not put it back in time.
    """
    placed_by = select(CustomerScore.run_id).where(CustomerScore.run_id.is_not(None)).distinct()
    latest = conn.execute(
        select(func.max(AnalysisRun.period_end)).where(AnalysisRun.id.in_(placed_by))
    ).scalar()
    return latest is None or end >= latest


def placed_runs(session: Session) -> list[int]:
    """Return the runs whose customers ``customer_scores`` holds (normally the latest one)."""
    stmt = select(CustomerScore.run_id).where(CustomerScore.run_id.is_not(None)).distinct()
    return sorted(run_id for run_id in session.scalars(stmt) if run_id is not None)


def apply_conformity_threshold(session: Session, settings: Settings) -> int:
    """Re-place every scored customer for the current conformity threshold; return the rows.

    Billing, expected value and recovery cost stay as scored; the billing threshold is the one
    of the run that scored each row (the current setting for rows without one), so only the
    conformity side moves, exactly as :func:`retention_quadrant` would place it. The run's
    stored matrix summary is made again from the same rows (:func:`summarise`), so the report
    and the figures count the customers the console lists; its files are redrawn by the caller.
    """
    conf_cut = conformity_threshold(session, settings)
    columns = (
        CustomerScore.customer_id,
        CustomerScore.run_id,
        CustomerScore.conformity,
        CustomerScore.billing,
        CustomerScore.quadrant,
        CustomerScore.expected_value,
        CustomerScore.recovery_cost,
    )
    rows = session.execute(select(*columns).order_by(CustomerScore.customer_id)).all()
    frame = pd.DataFrame(rows, columns=[c.key for c in columns])
    if frame.empty:
        return 0
    frame["billing"] = [float(value) for value in frame["billing"]]
    frame["run_id"] = frame["run_id"].astype(object).where(frame["run_id"].notna(), None)
    moved: list[dict[str, Any]] = []
    for run_id, part in frame.groupby("run_id", dropna=False, sort=False):
        run = session.get(AnalysisRun, int(run_id)) if pd.notna(run_id) else None
        stored = dict((run.results or {}).get("matrix") or {}) if run else {}
        if "billing_threshold" in stored:
            bill_cut = float(stored["billing_threshold"])
        else:
            bill_cut = billing_cut(frame["billing"], settings)
        cuts = (conf_cut, bill_cut)
        part = part.assign(
            quadrant=[
                placed(r.conformity, r.billing, r.expected_value, r.recovery_cost, cuts)
                for r in part.itertuples()
            ]
        )
        before = frame.loc[part.index, "quadrant"]
        moved += [  # only the rows that change side are written
            {"customer_id": int(r.customer_id), "quadrant": r.quadrant}
            for r, old in zip(part.itertuples(), before, strict=True)
            if r.quadrant != old
        ]
        if run is not None and stored:
            summary = summarise(part, conf_cut, bill_cut)
            run.results = {**(run.results or {}), "matrix": {**stored, **summary}}
    for first in range(0, len(moved), STORE_BATCH):
        session.execute(update(CustomerScore), moved[first : first + STORE_BATCH])
    session.flush()
    session.expire_all()
    return len(frame)


@dataclass(frozen=True)
class CustomerQuadrant:
    """A customer's place in the matrix, for the cancellation handler and agents."""

    customer_id: int
    quadrant: str
    conformity: float
    billing: Decimal
    strategy: Strategy
    computed_at: datetime


def customer_quadrant(session: Session, customer_id: int) -> CustomerQuadrant | None:
    """Return the latest quadrant of a customer, or None when never scored."""
    score = session.get(CustomerScore, customer_id)
    if score is None:
        return None
    return CustomerQuadrant(
        customer_id=customer_id,
        quadrant=score.quadrant,
        conformity=score.conformity,
        billing=score.billing,
        strategy=STRATEGIES[score.quadrant],
        computed_at=score.computed_at,
    )


EXPORT_COLUMNS = (
    "customer_id",
    "name",
    "phone",
    "segment",
    "preferred_language",
    "conformity",
    "billing",
    "interactions",
    "days_past_due",
    "on_time_share",
    "expected_value",
    "recovery_cost",
    "quadrant",
    "priority",
    "recommended_action",
)


# Quadrants in the order of their priority (retain first): the export's order.
QUADRANT_ORDER = case(
    {q: s.priority for q, s in STRATEGIES.items()}, value=CustomerScore.quadrant, else_=99
)


def export_quadrants(
    session: Session,
    path: Path,
    quadrant: str | None = None,
    action: Callable[[str], str] | None = None,
) -> int:
    """Write customers per quadrant (top priority first, then lowest conformity) to a CSV.

    ``action`` words a quadrant's recommended action in the reader's language (the console's
    download); without it the strategies' own English. Names and phones are personal data: the
    file is readable by its owner only (0600), and it replaces ``path`` only once complete.
    """
    stmt = (
        select(CustomerScore, Customer)
        .join(Customer, Customer.id == CustomerScore.customer_id)
        .order_by(QUADRANT_ORDER, CustomerScore.conformity, CustomerScore.customer_id)
    )
    if quadrant is not None:
        stmt = stmt.where(CustomerScore.quadrant == quadrant)
    count = 0
    with replace_file(path, private=True, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(EXPORT_COLUMNS)
        for score, customer in session.execute(stmt.execution_options(yield_per=2000)):
            strategy = STRATEGIES[score.quadrant]
            writer.writerow(
                [
                    customer.id,
                    customer.name,
                    customer.phone,
                    customer.segment,
                    customer.preferred_language,
                    f"{shown_conformity(score.conformity):.1f}",
                    f"{score.billing:.2f}",
                    score.interactions,
                    score.days_past_due,
                    f"{score.on_time_share:.2f}",
                    f"{score.expected_value:.2f}",
                    f"{score.recovery_cost:.2f}",
                    score.quadrant,
                    strategy.priority,
                    action(score.quadrant) if action is not None else strategy.action,
                ]
            )
            count += 1
    return count

"""The operational KPI table managers read first, computed from the pattern aggregates."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from contactpro.analytics.patterns import Period
from contactpro.analytics.sql import ratio
from contactpro.analytics.targets import parse_targets
from contactpro.config import Settings

DAYS_PER_MONTH = 30.0


@dataclass(frozen=True)
class Kpi:
    """One figure of the KPI table: a stable key, a label, the value, its unit and its text.

    ``target`` is the target as text ("" without one) and ``met`` whether the value meets it.
    """

    key: str
    label: str
    value: float | None
    unit: str
    text: str
    target: str = ""
    met: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the KPI as a JSON-ready mapping."""
        return asdict(self)


NOT_MEASURED = "not measured"


def _no_negative_zero(text: str) -> str:
    """Return ``text`` without the sign of a value that rounds to zero ("-0 USD" -> "0 USD")."""
    if text.startswith("-") and not any(c in "123456789" for c in text):
        return text[1:]
    return text


def _fmt(value: float | None, unit: str, currency: str) -> str:
    if value is None:
        return NOT_MEASURED
    if unit == "%":
        text = f"{value * 100:.1f} %"
    elif unit == "min":
        text = f"{value:.1f} min"
    elif unit == "s":
        text = f"{value:.0f} s"
    elif unit == "currency":
        text = f"{value:,.0f} {currency}"
    elif unit == "/5":
        text = f"{value:.2f} / 5"
    elif unit == "/100":
        text = f"{value:.1f} / 100"
    else:
        text = f"{value:,.0f}"
    return _no_negative_zero(text)


def wait_reduction(total: dict[str, Any], settings: Settings) -> float | None:
    """Return 1 - mean measured queue wait / baseline; None when no wait was measured."""
    if not total.get("queue_waits") or settings.baseline_wait_seconds <= 0:
        return None
    mean_wait = float(total.get("queue_seconds") or 0.0)
    return 1.0 - mean_wait / settings.baseline_wait_seconds


def savings(
    total: dict[str, Any], tiers: pd.DataFrame, settings: Settings, period: Period
) -> dict[str, float]:
    """Estimate what automation saved in the period and per 30-day month.

    Each contained contact would otherwise have taken an agent as long as an escalated contact
    does on average (the bot's own handling time when nothing was escalated); the bot's minutes
    and the understanding tiers' per-call costs are subtracted.
    """
    automated_seconds, agent_seconds = total.get("automated_seconds"), total.get("agent_seconds")
    automated_min = (automated_seconds or 0.0) / 60.0
    # None means nothing was escalated; a measured mean of 0.0 s is a real handling time.
    agent_min = (agent_seconds if agent_seconds is not None else automated_seconds or 0.0) / 60.0
    contained = float(total["contained"])
    avoided = contained * agent_min * settings.agent_cost_per_minute
    bot = contained * automated_min * settings.bot_cost_per_minute
    tier_cost = float(tiers["cost"].sum()) if not tiers.empty else 0.0
    net = avoided - bot - tier_cost
    scale = DAYS_PER_MONTH / period.days if period.days > 0 else 0.0
    return {
        "agent_minutes_avoided": contained * agent_min,
        "avoided_cost": avoided,
        "bot_cost": bot,
        "tier_cost": tier_cost,
        "period_savings": net,
        "monthly_savings": net * scale,
    }


def kpi_table(
    total: dict[str, Any],
    tiers: pd.DataFrame,
    settings: Settings,
    period: Period,
    conformity_mean: float | None,
) -> list[Kpi]:
    """Return the KPI table of a period, in display order."""
    contacts = total["contacts"]
    money = savings(total, tiers, settings, period)
    monthly = money["monthly_savings"] if contacts else None
    auto_sec, agent_sec = total.get("automated_seconds"), total.get("agent_seconds")
    rows: list[tuple[str, str, float | None, str]] = [
        ("interactions", "Interactions analysed", float(contacts), "count"),
        ("auto_resolution", "Automatic resolution", ratio(total["resolved"], contacts), "%"),
        (
            "net_containment",
            f"Net containment (no repeat in {settings.repeat_contact_days} days)",
            ratio(total["contained"], contacts),
            "%",
        ),
        ("escalation_rate", "Escalated to an agent", ratio(total["escalated"], contacts), "%"),
        ("abandonment_rate", "Abandoned", ratio(total["abandoned"], contacts), "%"),
        (
            "automated_minutes",
            "Mean duration, automated",
            auto_sec / 60.0 if auto_sec is not None else None,
            "min",
        ),
        (
            "agent_minutes",
            "Mean handling time with an agent",
            agent_sec / 60.0 if agent_sec is not None else None,
            "min",
        ),
        ("queue_wait", "Mean queue wait (escalated)", total.get("queue_seconds"), "s"),
        (
            "wait_reduction",
            f"Wait-time reduction vs {settings.baseline_wait_seconds} s baseline",
            wait_reduction(total, settings),
            "%",
        ),
        (
            "repeat_rate",
            f"Repeat contacts within {settings.repeat_contact_days} days",
            ratio(total["repeat_contacts"], contacts),
            "%",
        ),
        ("monthly_savings", "Estimated monthly savings", monthly, "currency"),
        ("csat", "CSAT (survey mean)", total.get("csat_mean"), "/5"),
        (
            "csat_satisfied",
            "Satisfied (CSAT 4-5)",
            ratio(total["csat_satisfied"], total["csat_responses"]),
            "%",
        ),
        ("conformity", "Mean conformity", conformity_mean, "/100"),
    ]
    targets = parse_targets(settings.kpi_targets)
    currency = settings.analytics_currency
    table = []
    for key, label, value, unit in rows:
        target = targets.get(key)
        table.append(
            Kpi(
                key,
                label,
                value,
                unit,
                _fmt(value, unit, currency),
                target.text(unit, currency) if target else "",
                target.met(value, unit) if target else None,
            )
        )
    return table

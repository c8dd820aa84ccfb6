"""Debt offers as collection teams make them: cash settlements with a discount, or instalments.

Pure arithmetic over ``Decimal``: every amount is rounded to the currency (whole pesos, cents for
dollars), a settlement never goes below the policy floor, and instalments add up to the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal

from contactpro.config import Settings
from contactpro.errors import ConfigError

WHOLE_UNITS = frozenset({"COP", "CLP", "PYG"})


def quantum(currency: str) -> Decimal:
    """Return the smallest amount the currency is charged in."""
    return Decimal("1") if currency in WHOLE_UNITS else Decimal("0.01")


@dataclass(frozen=True)
class DebtPolicy:
    """The operator's rules for what may be offered."""

    discount_tiers: tuple[tuple[int, Decimal], ...]
    settlement_floor_pct: Decimal
    min_instalment: dict[str, Decimal]
    instalment_options: tuple[int, ...]
    surcharge_pct: Decimal

    @classmethod
    def from_settings(cls, settings: Settings) -> DebtPolicy:
        """Read the policy from settings, checking every value."""
        try:
            tiers = tuple(
                sorted(
                    (int(days), Decimal(pct))
                    for days, pct in (t.split(":") for t in settings.debt_discount_tiers.split(","))
                )
            )
            minimums = {
                cur.strip().upper(): Decimal(value)
                for cur, value in (m.split(":") for m in settings.debt_min_instalment.split(","))
            }
            options = tuple(sorted(int(n) for n in settings.debt_instalment_options))
        except (ValueError, ArithmeticError) as exc:
            raise ConfigError(f"bad debt policy setting: {exc}") from None
        floor = Decimal(str(settings.debt_settlement_floor_pct))
        if not tiers or any(not 0 <= pct < 100 for _, pct in tiers) or not 0 < floor <= 100:
            raise ConfigError("debt discounts must be 0-99 % and the floor 1-100 %")
        if any(n < 2 for n in options):
            raise ConfigError("CONTACTPRO_DEBT_INSTALMENT_OPTIONS must be 2 or more each")
        return cls(
            tiers, floor, minimums, options, Decimal(str(settings.debt_instalment_surcharge_pct))
        )

    def max_discount(self, days_past_due: int) -> Decimal:
        """Return the largest discount (percent) allowed at this many days past due."""
        for max_days, pct in self.discount_tiers:
            if days_past_due <= max_days:
                return pct
        return self.discount_tiers[-1][1]


@dataclass(frozen=True)
class Offer:
    """One way to settle a debt."""

    code: str
    kind: str
    debt: Decimal
    total: Decimal
    discount_pct: Decimal
    amounts: tuple[Decimal, ...]
    first_due: date

    @property
    def instalments(self) -> int:
        """Return how many payments the offer takes."""
        return len(self.amounts)


def split(total: Decimal, parts: int, currency: str) -> tuple[Decimal, ...]:
    """Split ``total`` into ``parts`` equal payments; the last absorbs the rounding."""
    q = quantum(currency)
    base = (total / parts).quantize(q, rounding=ROUND_DOWN)
    return (base,) * (parts - 1) + (total - base * (parts - 1),)


def _settlement(
    code: str, debt: Decimal, discount: Decimal, currency: str, policy: DebtPolicy, due: date
) -> Offer:
    q = quantum(currency)
    floor = (debt * policy.settlement_floor_pct / 100).quantize(q, rounding=ROUND_CEILING)
    total = max((debt * (100 - discount) / 100).quantize(q, rounding=ROUND_CEILING), floor)
    total = min(total, debt)
    real_discount = ((debt - total) / debt * 100).quantize(Decimal("0.01")) if debt else Decimal(0)
    return Offer(code, "settlement", debt, total, real_discount, (total,), due)


def settlement_offers(
    debt: Decimal, days_past_due: int, currency: str, policy: DebtPolicy, today: date
) -> list[Offer]:
    """Two cash offers: the full discount paid within 3 days, half of it within 30."""
    best = policy.max_discount(days_past_due)
    return [
        _settlement("settle_now", debt, best, currency, policy, today + timedelta(days=3)),
        _settlement("settle_30", debt, best / 2, currency, policy, today + timedelta(days=30)),
    ]


def instalment_plans(debt: Decimal, currency: str, policy: DebtPolicy, today: date) -> list[Offer]:
    """Every instalment plan whose payments stay above the policy minimum."""
    q = quantum(currency)
    minimum = policy.min_instalment.get(currency, Decimal(0))
    total = (debt * (100 + policy.surcharge_pct) / 100).quantize(q, rounding=ROUND_CEILING)
    plans = []
    for parts in policy.instalment_options:
        amounts = split(total, parts, currency)
        if min(amounts) >= minimum:
            plans.append(
                Offer(
                    f"plan_{parts}",
                    "instalments",
                    debt,
                    total,
                    Decimal(0),
                    amounts,
                    today + timedelta(days=5),
                )
            )
    return plans


def opening_offers(
    debt: Decimal, days_past_due: int, currency: str, policy: DebtPolicy, today: date
) -> list[Offer]:
    """What to put on the table first: two settlements and the shortest instalment plan."""
    offers = settlement_offers(debt, days_past_due, currency, policy, today)
    plans = instalment_plans(debt, currency, policy, today)
    return offers + plans[:1]


def counter_offer(
    debt: Decimal,
    days_past_due: int,
    currency: str,
    policy: DebtPolicy,
    today: date,
    already: list[str],
) -> Offer | None:
    """The one counter-offer after a refusal: the longest plan not yet offered."""
    for plan in reversed(instalment_plans(debt, currency, policy, today)):
        if plan.code not in already:
            return plan
    return None

"""Debt offers as collection teams make them: cash settlements with a discount, or instalments.

Pure arithmetic over ``Decimal``: every amount is in the units the customer is told (whole pesos,
cents for dollars, :func:`contactpro.dialog.replies.quantum`), starting from the debt as told, so
what is said and what is booked are the same numbers. A settlement never goes below the policy
floor, and instalments add up to the total, the last one absorbing the rounding.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal

from contactpro.config import Settings
from contactpro.dialog.replies import in_units, quantum
from contactpro.errors import ConfigError


@dataclass(frozen=True)
class DebtPolicy:
    """The operator's rules for what may be offered."""

    discount_tiers: tuple[tuple[int, Decimal], ...]
    settlement_floor_pct: Decimal
    min_instalment: dict[str, Decimal]
    instalment_options: tuple[int, ...]
    surcharge_pct: Decimal
    discount_cap: Decimal | None = None

    @classmethod
    def from_settings(cls, settings: Settings, discount_cap: object = None) -> DebtPolicy:
        """Read the policy from settings, checking every value.

        ``discount_cap`` is the managers' maximum discount (the configuration page): no offer
        goes above it, whatever the tiers allow.
        """
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
        cap = None
        if discount_cap is not None:
            try:
                cap = Decimal(str(discount_cap))
            except ArithmeticError:
                raise ConfigError(f"bad maximum discount: {discount_cap!r}") from None
            if not cap.is_finite() or not 0 <= cap <= 100:
                raise ConfigError(f"the maximum discount must be 0-100 %, not {discount_cap!r}")
        return cls(
            tiers,
            floor,
            minimums,
            options,
            Decimal(str(settings.debt_instalment_surcharge_pct)),
            cap,
        )

    def tier_discount(self, days_past_due: int) -> Decimal:
        """Return the discount (percent) the tiers allow at this many days past due."""
        for max_days, pct in self.discount_tiers:
            if days_past_due <= max_days:
                return pct
        return self.discount_tiers[-1][1]

    def max_discount(self, days_past_due: int) -> Decimal:
        """Return the largest discount (percent) allowed: the tier's, within the managers' cap."""
        tier = self.tier_discount(days_past_due)
        return tier if self.discount_cap is None else min(tier, self.discount_cap)

    @property
    def top_discount(self) -> Decimal:
        """Return the largest discount any tier allows (the cap's default on the console)."""
        return max(pct for _, pct in self.discount_tiers)


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
    debt = in_units(debt, currency)
    floor = (debt * policy.settlement_floor_pct / 100).quantize(q, rounding=ROUND_CEILING)
    discounted = (debt * (100 - discount) / 100).quantize(q, rounding=ROUND_CEILING)
    total = min(max(discounted, floor), debt)
    # The discount is quoted as the policy words it ("5 %"), not as the rounded total works out
    # ("4,94 %" on 688 pesos): the floor's when the floor holds, none when nothing is taken off.
    if total >= debt:
        offered = Decimal(0)
    elif total > discounted:
        offered = 100 - policy.settlement_floor_pct
    else:
        offered = discount
    return Offer(code, "settlement", debt, total, offered, (total,), due)


def settlement_offers(
    debt: Decimal, days_past_due: int, currency: str, policy: DebtPolicy, today: date
) -> list[Offer]:
    """Two cash offers: the full discount paid within 3 days, half of it within 30."""
    best = policy.max_discount(days_past_due)
    return [
        _settlement("settle_now", debt, best, currency, policy, today + timedelta(days=3)),
        _settlement("settle_30", debt, best / 2, currency, policy, today + timedelta(days=30)),
    ]


def _plan(debt: Decimal, parts: int, currency: str, policy: DebtPolicy, today: date) -> Offer:
    q = quantum(currency)
    debt = in_units(debt, currency)
    total = (debt * (100 + policy.surcharge_pct) / 100).quantize(q, rounding=ROUND_CEILING)
    amounts = split(total, parts, currency)
    return Offer(
        f"plan_{parts}", "instalments", debt, total, Decimal(0), amounts, today + timedelta(days=5)
    )


def instalment_plans(debt: Decimal, currency: str, policy: DebtPolicy, today: date) -> list[Offer]:
    """Every instalment plan whose payments stay above the policy minimum."""
    minimum = policy.min_instalment.get(currency, Decimal(0))
    plans = [_plan(debt, parts, currency, policy, today) for parts in policy.instalment_options]
    return [plan for plan in plans if min(plan.amounts) >= minimum]


@dataclass(frozen=True)
class PlanAnswer:
    """The answer to a request for a number of payments: the plan to restate, and why."""

    offer: Offer
    reason: str  # "allowed", "not_an_option", "below_minimum", "single_payment", "none_allowed"


def requested_plan(
    count: int,
    debt: Decimal,
    days_past_due: int,
    currency: str,
    policy: DebtPolicy,
    today: date,
    refused: Collection[str] = (),
) -> PlanAnswer:
    """Answer "can I pay in ``count`` payments?": that plan when allowed, else the nearest one.

    One payment is the immediate settlement. Ties go to the longer plan (smaller payments). The
    nearest is taken among the plans not ``refused`` (codes) while one is left: "none of those"
    to the 3-payment plan, then "could you do 4?", gets the 6-payment plan.
    """
    if count <= 1:
        return PlanAnswer(
            settlement_offers(debt, days_past_due, currency, policy, today)[0], "single_payment"
        )
    plans = instalment_plans(debt, currency, policy, today)
    for plan in plans:
        if plan.instalments == count:
            return PlanAnswer(plan, "allowed")
    if not plans:
        return PlanAnswer(
            settlement_offers(debt, days_past_due, currency, policy, today)[-1], "none_allowed"
        )
    candidates = [p for p in plans if p.code not in refused] or plans
    nearest = min(candidates, key=lambda p: (abs(p.instalments - count), -p.instalments))
    if count in policy.instalment_options:
        return PlanAnswer(nearest, "below_minimum")
    return PlanAnswer(nearest, "not_an_option")


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

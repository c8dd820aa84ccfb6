"""Debt offer arithmetic: never below the floor, instalments add up, rounded to the currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contactpro.config import load_settings
from contactpro.dialog.offers import (
    DebtPolicy,
    counter_offer,
    instalment_plans,
    opening_offers,
    quantum,
    requested_plan,
    settlement_offers,
    split,
)
from contactpro.dialog.replies import in_units
from contactpro.errors import ConfigError

TODAY = date(2026, 11, 21)
POLICY = DebtPolicy.from_settings(load_settings({"twilio_auth_token": "t"}, dotenv_path=None))
currencies = st.sampled_from(["COP", "USD", "MXN"])


def debts(currency: str) -> st.SearchStrategy[Decimal]:
    q = quantum(currency)
    return st.integers(min_value=1, max_value=50_000_000).map(lambda n: Decimal(n) * q)


@given(data=st.data(), currency=currencies, days=st.integers(min_value=0, max_value=2000))
def test_settlements_respect_the_floor_and_the_discount_cap(data, currency, days):
    debt = data.draw(debts(currency))
    floor = debt * POLICY.settlement_floor_pct / 100
    for offer in settlement_offers(debt, days, currency, POLICY, TODAY):
        assert floor <= offer.total <= debt
        assert offer.discount_pct <= POLICY.max_discount(days)
        assert offer.total == offer.total.quantize(quantum(currency))
        assert offer.amounts == (offer.total,)


@given(data=st.data(), currency=currencies)
def test_instalments_add_up_and_stay_above_the_minimum(data, currency):
    debt = data.draw(debts(currency))
    for plan in instalment_plans(debt, currency, POLICY, TODAY):
        assert sum(plan.amounts) == plan.total >= debt
        assert all(a == a.quantize(quantum(currency)) for a in plan.amounts)
        assert min(plan.amounts) >= POLICY.min_instalment[currency]
        assert max(plan.amounts) - min(plan.amounts) < plan.instalments * quantum(currency)


@given(
    cents=st.integers(min_value=100, max_value=5_000_000_000),
    currency=currencies,
    days=st.integers(min_value=0, max_value=2000),
)
def test_offers_on_a_debt_with_cents_are_in_the_units_told(cents, currency, days):
    debt = Decimal(cents) / 100  # 342180.10 pesos: told as 342.180, so offered from it
    told = in_units(debt, currency)
    for offer in opening_offers(debt, days, currency, POLICY, TODAY):
        assert offer.debt == told
        assert all(a == in_units(a, currency) for a in (offer.total, *offer.amounts))
        assert sum(offer.amounts) == offer.total <= told * (100 + POLICY.surcharge_pct) / 100
        assert offer.amounts[:-1] == (offer.amounts[0],) * (offer.instalments - 1)


@given(
    total=st.integers(min_value=1, max_value=10**9), parts=st.integers(min_value=1, max_value=24)
)
def test_split_is_exact_in_whole_pesos(total, parts):
    amounts = split(Decimal(total), parts, "COP")
    assert sum(amounts) == total and len(amounts) == parts


def test_discount_tiers_by_days_past_due():
    assert [POLICY.max_discount(d) for d in (0, 30, 31, 90, 120, 181, 5000)] == [
        Decimal(5),
        Decimal(5),
        Decimal(15),
        Decimal(15),
        Decimal(25),
        Decimal(35),
        Decimal(35),
    ]


def test_opening_offers_and_counter_offer():
    offers = opening_offers(Decimal("450000"), 75, "COP", POLICY, TODAY)
    assert [o.code for o in offers] == ["settle_now", "settle_30", "plan_3"]
    assert offers[0].total == Decimal("382500") and offers[1].total == Decimal("416250")
    counter = counter_offer(Decimal("450000"), 75, "COP", POLICY, TODAY, [o.code for o in offers])
    assert counter is not None and counter.code == "plan_12"
    assert (
        counter_offer(Decimal("450000"), 75, "COP", POLICY, TODAY, ["plan_3", "plan_6", "plan_12"])
        is None
    )


def test_small_debts_get_no_plan_below_the_minimum():
    assert instalment_plans(Decimal("25000"), "COP", POLICY, TODAY) == []
    assert [p.code for p in instalment_plans(Decimal("70000"), "COP", POLICY, TODAY)] == ["plan_3"]


@pytest.mark.parametrize(
    "override",
    [
        {"debt_discount_tiers": "30:abc"},
        {"debt_discount_tiers": "30:150"},
        {"debt_settlement_floor_pct": 0},
        {"debt_instalment_options": "1,3"},
    ],
)
def test_bad_policy_is_a_clear_configuration_error(override):
    settings = load_settings({"twilio_auth_token": "t", **override}, dotenv_path=None)
    with pytest.raises(ConfigError):
        DebtPolicy.from_settings(settings)


@given(data=st.data(), currency=currencies, days=st.integers(min_value=0, max_value=2000))
def test_the_managers_cap_bounds_every_settlement(data, currency, days):
    cap = data.draw(st.integers(min_value=0, max_value=40))
    settings = load_settings({"twilio_auth_token": "t"}, dotenv_path=None)
    policy = DebtPolicy.from_settings(settings, discount_cap=cap)
    debt = data.draw(debts(currency))
    for offer in settlement_offers(debt, days, currency, policy, TODAY):
        assert offer.discount_pct <= cap
        assert offer.total >= debt * policy.settlement_floor_pct / 100


@pytest.mark.parametrize("cap", ["nan", "inf", "-5", "150"])
def test_a_broken_cap_is_a_configuration_error(cap):
    settings = load_settings({"twilio_auth_token": "t"}, dotenv_path=None)
    with pytest.raises(ConfigError):
        DebtPolicy.from_settings(settings, discount_cap=cap)


@pytest.mark.parametrize(
    ("asked", "got", "reason"),
    [
        (6, 6, "allowed"),
        (2, 3, "not_an_option"),
        (24, 12, "not_an_option"),
        (9, 12, "not_an_option"),
    ],
)
def test_a_requested_count_gets_that_plan_or_the_nearest(asked, got, reason):
    answer = requested_plan(asked, Decimal("450000"), 75, "COP", POLICY, TODAY)
    assert (answer.offer.instalments, answer.reason) == (got, reason)


def test_a_requested_plan_below_the_minimum_gets_the_nearest_allowed():
    answer = requested_plan(12, Decimal("90000"), 40, "COP", POLICY, TODAY)
    assert (answer.offer.instalments, answer.reason) == (3, "below_minimum")
    too_small = requested_plan(3, Decimal("25000"), 40, "COP", POLICY, TODAY)
    assert (too_small.offer.kind, too_small.reason) == ("settlement", "none_allowed")

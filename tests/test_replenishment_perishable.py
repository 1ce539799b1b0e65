"""Shelf life in the planner: stock that expires unsold is not counted, and no more is
bought than sells while fresh (first in first out against the forecast)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from replenishment_support import chain_network, fixed_forecast

from supplynet.optimizer.replenishment import PlanSettings, build_problem, plan_replenishment

START = dt.date(2025, 1, 6)
DAILY = 20.0
HORIZON = 10
SETTINGS = PlanSettings(
    horizon=HORIZON, period_days=1, workers=1, time_limit_s=20.0, shelf_life=True
)
FORECAST = fixed_forecast({"S1": [DAILY] * HORIZON}, START, 1)


def test_stock_that_expires_before_it_sells_is_not_counted() -> None:
    """100 units on hand at 20 a day with 3 days of life: 60 sell, 40 expire at the end
    of day 3 (period 2); dated to 1 day left, 80 expire tonight. The plan buys what
    expires back, unit for unit, against the same stock of a durable SKU."""
    durable = chain_network(store_on_hand=100.0, lead_time_days=1.0, unit_cost=2.0)
    fresh = chain_network(
        store_on_hand=100.0, lead_time_days=1.0, unit_cost=2.0, shelf_life_days=3.0
    )
    problem = build_problem(fresh, FORECAST, SETTINGS)
    store = int(np.flatnonzero(problem.nodes["location_id"] == "S1")[0])
    assert problem.expiring is not None
    np.testing.assert_allclose(problem.expiring[store], [0, 0, 40] + [0] * (HORIZON - 3))
    dated = pd.DataFrame(
        {"location_id": ["S1"], "sku_id": ["K1"], "days_left": [1.0], "quantity": [100.0]}
    )
    old = build_problem(fresh, FORECAST, SETTINGS, stock_life=dated)
    assert old.expiring is not None
    assert old.expiring[store, 0] == pytest.approx(80.0)
    bought = plan_replenishment(fresh, FORECAST, SETTINGS).orders["quantity"].sum()
    kept = plan_replenishment(durable, FORECAST, SETTINGS).orders["quantity"].sum()
    assert bought - kept == pytest.approx(40.0, abs=1.0)


def test_orders_are_capped_by_what_sells_while_fresh() -> None:
    """A fixed order cost of 1000 makes a durable SKU order many days at once; with 4
    days of life a store holds at most the next 3 days of demand at a day's end, the
    warehouse the next 2 (half the window), so nothing bought expires in the plan."""
    durable, fresh = (
        plan_replenishment(
            chain_network(fixed_order_cost=1000.0, unit_cost=2.0, shelf_life_days=life),
            FORECAST,
            SETTINGS,
        )
        for life in (None, 4.0)
    )
    assert fresh.status == durable.status == "optimal"
    stock = fresh.inventory.pivot_table(index="period", columns="location_id", values="stock")
    assert stock["S1"].max() <= 3 * DAILY + 1e-6
    assert stock["W1"].max() <= 2 * DAILY + 1e-6
    held = durable.inventory.groupby("period")["stock"].sum()
    assert held.max() > 5 * DAILY
    assert len(fresh.orders) > len(durable.orders)


def test_a_minimum_order_above_what_sells_while_fresh_is_bought_and_its_rest_wasted() -> None:
    """A 100-unit minimum order of a 3-day product selling 20 a day: serving demand
    is worth more than the 40 units an order wastes, so the plan still orders, meets
    the demand, and counts the thrown-away units at their cost as ``waste``."""
    network = chain_network(moq=100.0, unit_cost=2.0, price=10.0, shelf_life_days=3.0)
    plan = plan_replenishment(network, FORECAST, SETTINGS)
    assert plan.status == "optimal"
    assert plan.orders["quantity"].min() >= 100.0
    assert plan.planned_fill_rate == pytest.approx(1.0)
    assert plan.costs["waste"] > 0

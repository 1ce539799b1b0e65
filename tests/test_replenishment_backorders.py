"""The planner's economics: backorders vs lost sales, stock in transit, the horizon's
ends (too short for the lead time; not drained at the end)."""

from __future__ import annotations

import datetime as dt

import pytest
from replenishment_support import balance_residual, chain_network, fixed_forecast

from supplynet.graph.errors import ValidationFailed
from supplynet.optimizer.replenishment import (
    PlanSettings,
    ReplenishmentPlan,
    build_problem,
    plan_replenishment,
    solve,
)

START = dt.date(2025, 1, 6)
DAILY = 20.0
SPREAD = 8.0


def plan_chain(
    backorders: bool, lead: int = 3, horizon: int = 12, **network: object
) -> ReplenishmentPlan:
    """One store fed through one warehouse, daily periods, 20 +- 8 units a day."""
    settings = PlanSettings(
        horizon=horizon, period_days=1, backorders=backorders, workers=1, time_limit_s=20.0
    )
    return plan_replenishment(
        chain_network(lead_time_days=lead, holding=0.1, price=10.0, **network),  # type: ignore[arg-type]
        fixed_forecast({"S1": [DAILY] * horizon}, START, 1, spread=SPREAD),
        settings,
    )


def first_order(plan: ReplenishmentPlan) -> float:
    return float(plan.orders.loc[plan.orders["order_period"] == 0, "quantity"].sum())


def test_backorders_make_up_the_demand_missed_before_the_order_arrives() -> None:
    """With nothing on hand and a 3-day lead time, 60 units of demand go unmet before
    anything can arrive. Lost, they need no order: the first order covers the arrival
    day and a buffer. Backordered, the first order must bring them too (theory: the
    inventory position counts backorders, so the order-up-to level is reached only by
    ordering them)."""
    lost = plan_chain(backorders=False)
    backordered = plan_chain(backorders=True)
    assert lost.status == backordered.status == "optimal"
    assert DAILY < first_order(lost) < 3 * DAILY
    assert first_order(backordered) > 4 * DAILY
    held = backordered.inventory
    waiting = held.loc[(held["location_id"] == "S1") & (held["period"] == 2), "shortage"]
    assert float(waiting.iloc[0]) == pytest.approx(3 * DAILY)


def test_stock_on_hand_lowers_the_order_when_orders_are_in_transit() -> None:
    """Three orders in transit: 40 more units on hand mean 40 fewer ordered (the
    failure the issue measured: the same order whatever was on hand)."""
    transit = tuple((START + dt.timedelta(days=d), DAILY) for d in (1, 2, 3))
    empty = plan_chain(backorders=True, lead=4, in_transit=transit)
    stocked = plan_chain(backorders=True, lead=4, in_transit=transit, store_on_hand=40.0)
    assert first_order(empty) - first_order(stocked) == pytest.approx(40.0, abs=1.0)


def test_a_horizon_shorter_than_the_lead_time_is_extended_with_a_warning() -> None:
    """An 8-day lead time with an 8-period horizon: the plan covers 10 periods, orders,
    and says why; it is not an empty plan called optimal."""
    plan = plan_chain(backorders=False, lead=8, horizon=8)
    assert plan.horizon == 10
    assert plan.warnings and "extended from 8 to 10" in plan.warnings[0]
    assert "warning" in plan.summary()
    assert first_order(plan) > 0
    assert plan.orders["arrival_period"].min() == 8


def test_the_end_of_the_horizon_is_not_drained() -> None:
    """The last period ends at its safety stock target with lost sales, and with
    backorders at the same net stock as every period after the first arrival: the
    terminal value makes stock left at the end worth its replacement cost."""
    lost = plan_chain(backorders=False).inventory
    store = lost[lost["location_id"] == "S1"]
    last = store.iloc[-1]
    assert last["stock"] == pytest.approx(last["target"], rel=0.02)
    backordered = plan_chain(backorders=True).inventory
    held = backordered[backordered["location_id"] == "S1"]
    net = (held["stock"] - held["shortage"]).to_numpy()
    assert net[-1] == pytest.approx(net[3], abs=1.0)
    assert net[-1] > 0


def test_backorder_rate_must_be_positive() -> None:
    with pytest.raises(ValidationFailed, match="backorder_daily_rate"):
        plan_replenishment(
            chain_network(),
            fixed_forecast({"S1": [1.0]}, START, 1),
            PlanSettings(backorders=True, backorder_daily_rate=0.0),
        )


def test_a_distribution_part_with_backorders_carries_its_backlog() -> None:
    """Two stores behind one warehouse (planned by the MIP with newsvendor lines): the
    backlog is carried from period to period and the first order brings it."""
    settings = PlanSettings(horizon=8, period_days=1, backorders=True, workers=1)
    problem = build_problem(
        chain_network(lead_time_days=2, holding=0.1, price=10.0, stores=2),
        fixed_forecast({"S1": [DAILY] * 8, "S2": [DAILY] * 8}, START, 1, spread=SPREAD),
        settings,
    )
    plan = solve(problem, settings)
    assert plan.status == "optimal"
    assert balance_residual(problem, plan) < 1e-6
    held = plan.inventory
    waiting = held.loc[held["period"] == 1, "shortage"].sum()
    assert waiting == pytest.approx(4 * DAILY)
    assert first_order(plan) > waiting + 2 * DAILY
    assert plan.costs["expected_stock_cost"] > 0

"""The pricing bench's simulator: paired, reproducible, and faithful to the truth's direction.

Properties: the same arm, replication and seed give the same outcome (common random
numbers); higher prices sell fewer units; a perishable cohort sized above demand wastes,
and every received unit is either sold or wasted; ordering and marking down together
(``margin_safe_order``) orders less of a short-lived SKU and wastes less than today's
order sold at full price (the tiny network's perishable, its stores made busier).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.pricing import (
    MarkdownProblem,
    PricingArm,
    PricingSimulator,
    margin_safe_order,
)


@pytest.fixture(scope="module")
def simulator(tiny: SyntheticDataset) -> PricingSimulator:
    start = tiny.demand["date"].max() + pd.Timedelta(days=1)
    return PricingSimulator(tiny.truth, tiny.network.skus, start, days=14)


def arm(tiny: SyntheticDataset, sim: PricingSimulator, scale: float, cover: float) -> PricingArm:
    prices = {s.id: s.price * scale for s in tiny.network.skus}
    daily = sim.expected_daily_units(prices)
    orders = {pos: round(cover * daily[pos] * life) for pos, life in sim.perishable_positions()}
    return PricingArm(f"x{scale}", prices, orders)


def test_same_draws_same_outcome(tiny: SyntheticDataset, simulator: PricingSimulator) -> None:
    today = arm(tiny, simulator, 1.0, 1.2)
    assert simulator.run(today, 0, seed=5) == simulator.run(today, 0, seed=5)
    assert simulator.run(today, 0, seed=5) != simulator.run(today, 1, seed=5)


def test_higher_prices_sell_fewer_units(
    tiny: SyntheticDataset, simulator: PricingSimulator
) -> None:
    low = simulator.run(arm(tiny, simulator, 0.9, 1.2), 0, seed=1)
    high = simulator.run(arm(tiny, simulator, 1.1, 1.2), 0, seed=1)
    assert high.units_sold < low.units_sold


def test_oversized_cohorts_waste(tiny: SyntheticDataset, simulator: PricingSimulator) -> None:
    assert simulator.perishable_positions()
    lean = simulator.run(arm(tiny, simulator, 1.0, 0.8), 0, seed=2)
    heavy = simulator.run(arm(tiny, simulator, 1.0, 2.0), 0, seed=2)
    assert heavy.waste_share > lean.waste_share
    assert 0 < heavy.perishable_wasted < heavy.perishable_received


def test_ordering_with_markdowns_orders_less_and_wastes_less(tiny: SyntheticDataset) -> None:
    busy = tiny.truth.series.assign(base_rate=tiny.truth.series["base_rate"] * 50)
    simulator = PricingSimulator(
        dataclasses.replace(tiny.truth, series=busy),
        tiny.network.skus,
        tiny.demand["date"].max() + pd.Timedelta(days=1),
        days=14,
    )
    today = arm(tiny, simulator, 1.0, 1.2)
    daily = simulator.expected_daily_units(today.prices)
    elasticity = tiny.truth.skus.set_index("sku_id")["elasticity"]
    cost = {s.id: s.unit_cost for s in tiny.network.skus}
    policies = {
        (store, sku): margin_safe_order(
            MarkdownProblem(
                stock=today.order_units[(store, sku)],
                price=today.prices[sku],
                unit_cost=cost[sku],
                units_per_day=np.full(life, daily[(store, sku)]),
                elasticity=float(elasticity[sku]),
            )
        )
        for (store, sku), life in simulator.perishable_positions()
    }
    orders = {pos: policy.problem.stock for pos, policy in policies.items()}
    both = PricingArm("order and mark down", today.prices, orders, policies)
    assert sum(orders.values()) < sum(today.order_units.values())
    runs = [(simulator.run(both, r, seed=3), simulator.run(today, r, seed=3)) for r in range(2)]
    assert all(mine.waste_share < theirs.waste_share for mine, theirs in runs)

"""The rolling-horizon evaluator: the planner rolled as a policy matches the optimal
(s, S) policy of a textbook instance on the same demand; fixed policies behave as
their definitions say; common random numbers make runs repeatable and paired."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from replenishment_support import anchor_single_stage

from supplynet.graph.errors import ValidationFailed
from supplynet.optimizer.replenishment import PlanSettings
from supplynet.optimizer.replenishment.demand_models import DemandModel
from supplynet.optimizer.replenishment.policies import BaseStock, MinMax, ReorderQuantity, State
from supplynet.optimizer.replenishment.rolling import PlannerPolicy, SingleStage, roll

BENCH_DATA = Path(__file__).resolve().parents[1] / "bench" / "data" / "inventory"
SETTINGS = PlanSettings(horizon=8, period_days=1, relative_gap=1e-4, workers=1)


def anchor(name: str) -> dict:  # type: ignore[type-arg]
    data: dict = json.loads((BENCH_DATA / name).read_text())  # type: ignore[type-arg]
    return data


def test_rolled_planner_is_the_optimal_s_s_policy() -> None:
    """Snyder & Shen ex. 4.7 (Poisson 6, K=5, h=1, p=4; (s, S)* = (4, 10), 8.034 per
    period): rolled with common random numbers, the planner orders exactly when the
    optimum does and costs the same within 1%, and the cost is the published one."""
    instance, optimum, _ = anchor_single_stage(anchor("sS_poisson_snyder_shen_ex4_7.json"))
    assert optimum == MinMax(4, 10)
    planner = PlannerPolicy(instance, SETTINGS)
    best = roll(instance, optimum, trials=8, periods=300, warmup=20, seed=3)
    ours = roll(instance, planner, trials=8, periods=300, warmup=20, seed=3)
    gap, error = ours.paired_gap(best)
    assert abs(gap) <= 0.01 + 2 * error
    assert abs(best.mean_cost - 8.0341) < 4 * best.standard_error
    position, order = planner.observed()
    assert position[order > 0].max() == 4
    assert set((position + order)[order > 0]) == {10}


def test_same_seed_same_costs_and_policies_see_the_same_demand() -> None:
    stage = SingleStage(DemandModel("poisson", 5.0), 1, 1.0, 9.0, fixed_cost=10.0)
    a = roll(stage, BaseStock(14), trials=3, periods=60, warmup=5, seed=7)
    b = roll(stage, BaseStock(14), trials=3, periods=60, warmup=5, seed=7)
    c = roll(stage, BaseStock(14), trials=3, periods=60, warmup=5, seed=8)
    np.testing.assert_array_equal(a.cost_per_trial, b.cost_per_trial)
    assert not np.array_equal(a.cost_per_trial, c.cost_per_trial)
    gap, error = a.paired_gap(b)
    assert gap == 0.0
    assert error == 0.0


def test_fixed_policies_order_as_defined() -> None:
    """Inventory position 3 (1 in the store, 2 on order)."""
    state = State(np.zeros(1), np.ones(1), np.array([[2.0], [0.0]]))
    assert state.position[0] == 3.0
    assert BaseStock(10).decide(state).order[0] == 7.0
    assert MinMax(3, 12).decide(state).order[0] == 9.0
    assert MinMax(2, 12).decide(state).order[0] == 0.0
    assert ReorderQuantity(3, 5).decide(state).order[0] == 5.0
    assert ReorderQuantity(9, 5).decide(state).order[0] == 10.0
    assert ReorderQuantity(2, 5).decide(state).order[0] == 0.0


def test_lost_sales_lose_demand_instead_of_backordering() -> None:
    """With nothing ever ordered, every unit is lost once and never charged again."""
    stage = SingleStage(
        DemandModel("deterministic", 2.0), 0, 1.0, 0.0, backorders=False, lost_sale_cost=5.0
    )
    result = roll(stage, BaseStock(0), trials=2, periods=20, warmup=10, seed=0)
    assert result.mean_cost == pytest.approx(10.0)
    assert result.fill_rate == 0.0


def test_bad_runs_are_refused() -> None:
    stage = SingleStage(DemandModel("poisson", 1.0), -1, 0.0, 1.0)
    with pytest.raises(ValidationFailed, match="lead_time") as caught:
        roll(stage, BaseStock(1), periods=5, warmup=5)
    fields = {p.path for p in caught.value.problems}
    assert fields == {"lead_time", "holding", "warmup"}

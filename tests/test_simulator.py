"""The inventory simulator reproduces the anchors' optimal costs and judges policies fairly."""

from __future__ import annotations

import json

import pytest
from conftest import SHARED_DATA

from supplynet.graph.errors import ValidationFailed
from supplynet.optimizer.replenishment.demand_models import DemandModel
from supplynet.optimizer.replenishment.safety_stock import SerialChain, serial_echelon_levels
from supplynet.optimizer.simulation import LeadTimeRisk, simulate_echelon_base_stock

INVENTORY = SHARED_DATA / "inventory"
NEWSVENDOR = SerialChain((1,), (0.18,), 0.7, 50.0, 8.0)
SERIAL = SerialChain((1, 1, 2), (3.0, 2.0, 2.0), 37.12, 5.0, 1.0)


def expected(name: str) -> dict:  # type: ignore[type-arg]
    data: dict = json.loads((INVENTORY / f"{name}.json").read_text())  # type: ignore[type-arg]
    return data["expected"]


def test_newsvendor_optimum_costs_what_the_anchor_says() -> None:
    """S* = 56.604 costs 1.9976 per period (within 3 standard errors)."""
    truth = expected("nv_normal_snyder_shen_ex4_3")
    level = truth["decisions"]["base_stock_level"]["store"]
    result = simulate_echelon_base_stock(NEWSVENDOR, (level,), seed=11)
    assert abs(result.mean_cost - truth["expected_cost_per_period"]) < 3 * result.standard_error
    assert 0.9 < result.fill_rate < 1.0
    assert 0.1 < result.stockout_rate < 0.3


def test_serial_optimum_costs_what_the_anchor_says() -> None:
    """Clark-Scarf levels cost 47.66 within its tolerance plus 3 standard errors."""
    truth = expected("serial3_clark_scarf_snyder_shen_ex6_1")
    levels = truth["decisions"]["echelon_base_stock"]
    policy = (levels["stage1_store"], levels["stage2_warehouse"], levels["stage3_upstream"])
    result = simulate_echelon_base_stock(SERIAL, policy, seed=5)
    slack = truth["cost_tolerance"] + 3 * result.standard_error
    assert abs(result.mean_cost - truth["expected_cost_per_period"]) < slack


def test_planner_levels_are_within_one_percent_with_common_random_numbers() -> None:
    """Shang-Song levels vs the optimum on the same demand: paired gap below 1%."""
    levels = expected("serial3_clark_scarf_snyder_shen_ex6_1")["decisions"]["echelon_base_stock"]
    optimum = (levels["stage1_store"], levels["stage2_warehouse"], levels["stage3_upstream"])
    best = simulate_echelon_base_stock(SERIAL, optimum, seed=2)
    ours = simulate_echelon_base_stock(SERIAL, serial_echelon_levels(SERIAL), seed=2)
    gap, error = ours.paired_gap(best)
    assert gap < 0.01
    assert error < 0.005
    mean_only = simulate_echelon_base_stock(SERIAL, (5.0, 10.0, 20.0), seed=2)
    assert mean_only.paired_gap(best)[0] > 0.3


def test_same_seed_same_result_and_seed_matters() -> None:
    a = simulate_echelon_base_stock(SERIAL, (6.5, 12.0, 22.7), trials=10, periods=200, seed=1)
    b = simulate_echelon_base_stock(SERIAL, (6.5, 12.0, 22.7), trials=10, periods=200, seed=1)
    c = simulate_echelon_base_stock(SERIAL, (6.5, 12.0, 22.7), trials=10, periods=200, seed=2)
    assert (a.cost_per_trial == b.cost_per_trial).all()
    assert a.mean_cost != c.mean_cost


def test_late_deliveries_cost_more_and_fill_less() -> None:
    """Random supplier delays (deliveries may cross) hurt a policy sized for none."""
    risk = LeadTimeRisk(late_probability=(0.0, 0.0, 0.3), delay_periods=(0, 0, 2))
    calm = simulate_echelon_base_stock(SERIAL, (6.5, 12.0, 22.7), trials=20, seed=4)
    late = simulate_echelon_base_stock(SERIAL, (6.5, 12.0, 22.7), trials=20, seed=4, risk=risk)
    assert late.mean_cost > calm.mean_cost * 1.05
    assert late.fill_rate < calm.fill_rate


def test_bad_policy_shapes_are_rejected() -> None:
    with pytest.raises(ValidationFailed, match="levels: need 3 levels"):
        simulate_echelon_base_stock(SERIAL, (1.0,))
    with pytest.raises(ValidationFailed, match="warmup"):
        simulate_echelon_base_stock(NEWSVENDOR, (50.0,), periods=10, warmup=10)


def test_fractional_lead_times_arrive_in_the_next_whole_period() -> None:
    """A 1.5-period lead time runs (it crashed) and is simulated as 2 periods."""
    fractional = SerialChain((1.5,), (0.18,), 0.7, 50.0, 8.0)  # type: ignore[arg-type]
    whole = SerialChain((2,), (0.18,), 0.7, 50.0, 8.0)
    a = simulate_echelon_base_stock(fractional, (110.0,), trials=4, periods=200, seed=1)
    b = simulate_echelon_base_stock(whole, (110.0,), trials=4, periods=200, seed=1)
    assert a.mean_cost == b.mean_cost


def test_poisson_demand_on_a_serial_chain() -> None:
    """Poisson(5) demand in place of N(5, 1): more spread, so the same levels cost more."""
    levels = (6.5, 12.0, 22.7)
    normal = simulate_echelon_base_stock(SERIAL, levels, trials=20, periods=300, seed=4)
    counted = simulate_echelon_base_stock(
        SERIAL, levels, trials=20, periods=300, seed=4, demand_model=DemandModel("poisson", 5.0)
    )
    assert counted.mean_cost > 1.5 * normal.mean_cost

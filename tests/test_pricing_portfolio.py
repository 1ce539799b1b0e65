"""Portfolio prices: the CP-SAT pick over substitution components is the true optimum.

Properties: on small random problems the solution equals brute force over every joint
ladder choice (with stock limits and a cap on the number of price changes); the margin
of substitutes is counted, so a price rise that only pays through its substitute is
taken, and not taken when the substitution is ignored; components follow the edges.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from supplynet.optimizer.pricing import PortfolioProblem, PriceRules, build_ladder, solve_portfolio
from supplynet.optimizer.pricing.portfolio import components_of


def random_problem(seed: int, n: int = 4) -> PortfolioProblem:
    rng = np.random.default_rng(seed)
    price = np.round(rng.uniform(2, 9, n), 2)
    units = rng.uniform(1, 20, n)
    return PortfolioProblem(
        sku_ids=tuple(f"K{i}" for i in range(n)),
        current_price=price,
        unit_cost=price * rng.uniform(0.4, 0.8, n),
        units_per_day=units,
        elasticity=rng.uniform(0.8, 3.0, n),
        cross=((0, 1, 0.8), (1, 0, 0.5), (2, 3, 1.2)),
        supply=np.where(rng.random(n) < 0.5, units * 7 * rng.uniform(0.8, 1.1, n), np.inf),
        horizon_days=7.0,
    )


def brute_force(problem: PortfolioProblem, rules: PriceRules) -> float:
    ladders = [
        build_ladder(p, c, rules).prices
        for p, c in zip(problem.current_price, problem.unit_cost, strict=True)
    ]
    best = -np.inf
    for combo in itertools.product(*ladders):
        prices = np.array(combo)
        changes = int((np.abs(prices - problem.current_price) > 1e-9).sum())
        if rules.max_price_changes is not None and changes > rules.max_price_changes:
            continue
        units = problem.units_at(prices)
        if (units * problem.horizon_days > problem.supply + 1e-9).any():
            continue
        best = max(best, float(problem.margin_at(prices).sum()))
    return best


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("max_changes", [None, 1])
def test_matches_brute_force(seed: int, max_changes: int | None) -> None:
    problem = random_problem(seed)
    rules = PriceRules(max_change=0.15, max_rungs=5, max_price_changes=max_changes)
    expected = brute_force(problem, rules)
    solution = solve_portfolio(problem, rules)
    changes = int((np.abs(solution.prices - problem.current_price) > 1e-9).sum())
    assert max_changes is None or changes <= max_changes
    if not np.isfinite(expected):
        assert not all(c.feasible for c in solution.chosen)
        return
    assert solution.status == "OPTIMAL"
    assert float(problem.margin_at(solution.prices).sum()) == pytest.approx(expected, abs=0.02)


def cannibal_pair(cross: float) -> PortfolioProblem:
    """A low-margin SKU 0 whose shoppers switch to the high-margin SKU 1 when it rises."""
    return PortfolioProblem(
        sku_ids=("cheap", "premium"),
        current_price=np.array([5.0, 8.0]),
        unit_cost=np.array([2.5, 3.0]),
        units_per_day=np.array([100.0, 30.0]),
        elasticity=np.array([2.0, 1.5]),
        cross=((1, 0, cross),),
        supply=np.array([np.inf, np.inf]),
        horizon_days=7.0,
    )


def test_a_rise_that_pays_only_through_its_substitute_is_taken() -> None:
    alone = cannibal_pair(0.0)
    at_today = alone.margin_at(alone.current_price)
    # On its own, the cheap SKU (elasticity 2, margin 50 %) is at its optimum today.
    assert solve_portfolio(alone, PriceRules(max_change=0.1)).prices[0] == pytest.approx(
        5.0, abs=0.3
    )
    linked = cannibal_pair(3.0)
    rules = PriceRules(max_change=0.1)
    prices = solve_portfolio(linked, rules).prices
    assert prices[0] > 5.2
    own_margin = linked.margin_at(prices)[0]
    assert own_margin < at_today[0]  # the rise loses margin on the SKU itself ...
    assert linked.margin_at(prices).sum() > linked.margin_at(linked.current_price).sum()


def test_components_follow_substitution_edges() -> None:
    assert sorted(map(sorted, components_of(5, [(0, 1, 0.5), (3, 1, 0.2)]))) == [
        [0, 1, 3],
        [2],
        [4],
    ]

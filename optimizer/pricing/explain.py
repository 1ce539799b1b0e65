"""Why each recommended price is what it is: elasticity, neighbours moved, rules that bind.

A price recommendation is only used if a category manager can check it, so every SKU
carries its own elasticity with an interval, the substitutes whose sales its move shifts
(units and margin per day), and the rule that stopped it going further.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from supplynet.optimizer.pricing.elasticity import SkuEstimate
from supplynet.optimizer.pricing.portfolio import (
    Choice,
    Component,
    PortfolioProblem,
    PortfolioSolution,
    local_units,
)

NUDGE = 0.01
"""Relative price step used to test whether a rule at the edge of a ladder binds."""


@dataclass(frozen=True)
class NeighbourEffect:
    """How a SKU's price move changes one substitute's expected sales per day."""

    sku_id: str
    units_per_day: float
    margin_per_day: float


@dataclass(frozen=True)
class PriceRecommendation:
    """One SKU's recommended price and its explanation.

    ``binding`` names the rules that stopped the price: ``max_change``, ``margin_floor``,
    ``price_cap``, ``stock``, ``max_price_changes`` or ``rules_conflict``.
    """

    sku_id: str
    current_price: float
    recommended_price: float
    unit_cost: float
    units_per_day_now: float
    units_per_day_after: float
    margin_per_day_now: float
    margin_per_day_after: float
    elasticity: float
    elasticity_interval: tuple[float, float]
    elasticity_source: str
    neighbours: tuple[NeighbourEffect, ...]
    binding: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def demand_change(self) -> float:
        """Relative change of the SKU's own expected units."""
        return self.units_per_day_after / max(self.units_per_day_now, 1e-12) - 1

    @property
    def margin_change_per_day(self) -> float:
        return self.margin_per_day_after - self.margin_per_day_now


def explain(
    problem: PortfolioProblem, solution: PortfolioSolution, estimates: dict[str, SkuEstimate]
) -> tuple[PriceRecommendation, ...]:
    """Recommendations in ``problem.sku_ids`` order, each with its reasons."""
    now_units = problem.units_per_day
    after_units = problem.units_at(solution.prices)
    out: dict[int, PriceRecommendation] = {}
    for component, choice in zip(solution.components, solution.chosen, strict=True):
        members = list(component.members)
        prices = solution.prices[members]
        for i, k in enumerate(members):
            estimate = estimates[problem.sku_ids[k]]
            neighbours = _neighbours(problem, component, prices, after_units[members], i)
            binding = _binding(problem, component, prices, choice, i)
            cost = float(problem.unit_cost[k])
            out[k] = PriceRecommendation(
                sku_id=problem.sku_ids[k],
                current_price=float(problem.current_price[k]),
                recommended_price=float(prices[i]),
                unit_cost=cost,
                units_per_day_now=float(now_units[k]),
                units_per_day_after=float(after_units[k]),
                margin_per_day_now=float((problem.current_price[k] - cost) * now_units[k]),
                margin_per_day_after=float((prices[i] - cost) * after_units[k]),
                elasticity=estimate.elasticity,
                elasticity_interval=estimate.interval(),
                elasticity_source=estimate.source,
                neighbours=neighbours,
                binding=binding,
                reasons=_reasons(estimate, neighbours, binding),
            )
    return tuple(out[k] for k in range(len(problem.sku_ids)))


def _margin(problem: PortfolioProblem, component: Component, prices: np.ndarray) -> float:
    members = list(component.members)
    units = local_units(problem, members, component.edges, prices[None, :])[0]
    return float(((prices - problem.unit_cost[members]) * units).sum())


def _binding(
    problem: PortfolioProblem,
    component: Component,
    prices: np.ndarray,
    choice: Choice,
    i: int,
) -> tuple[str, ...]:
    ladder = component.ladders[i]
    if ladder.conflict:
        return ("rules_conflict",)
    found: list[str] = []
    here = _margin(problem, component, prices)
    position = choice.positions[i]
    chosen_margin = choice.margin
    for edge, bound, step in (
        (len(ladder.prices) - 1, ladder.upper_bound, 1 + NUDGE),
        (0, ladder.lower_bound, 1 - NUDGE),
    ):
        if position == edge and bound != "none":
            nudged = prices.copy()
            nudged[i] *= step
            if _margin(problem, component, nudged) > here + 1e-12:
                found.append(bound)
    best = component.best_ignoring_stock
    if not best.feasible and best.margin > chosen_margin + 1e-9:
        unconstrained = np.array(
            [lad.prices[pos] for lad, pos in zip(component.ladders, best.positions, strict=True)]
        )
        members = list(component.members)
        units = local_units(problem, members, component.edges, unconstrained[None, :])[0]
        if units[i] * problem.horizon_days > problem.supply[members[i]] + 1e-9:
            found.append("stock")
    if max(c.margin for c in component.choices) > chosen_margin + 1e-9:
        found.append("max_price_changes")
    return tuple(found)


def _neighbours(
    problem: PortfolioProblem, component: Component, prices: np.ndarray, units: np.ndarray, i: int
) -> tuple[NeighbourEffect, ...]:
    """Substitutes whose demand depends on member ``i``'s price, and what its move did to them."""
    members = component.members
    ratio = prices[i] / problem.current_price[members[i]]
    effects = []
    for m, j, g in component.edges:
        if j == i and g != 0:
            delta = units[m] * (1 - ratio ** (-g))
            effects.append(
                NeighbourEffect(
                    sku_id=problem.sku_ids[members[m]],
                    units_per_day=float(delta),
                    margin_per_day=float((prices[m] - problem.unit_cost[members[m]]) * delta),
                )
            )
    return tuple(effects)


def _reasons(
    estimate: SkuEstimate, neighbours: tuple[NeighbourEffect, ...], binding: tuple[str, ...]
) -> tuple[str, ...]:
    low, high = estimate.interval()
    lines = [
        f"own elasticity {estimate.elasticity:.2f} (95% {low:.2f} to {high:.2f}, {estimate.source})"
    ]
    if estimate.note:
        lines.append(estimate.note)
    lines += [
        f"moves {n.sku_id} by {n.units_per_day:+.2f} units/day ({n.margin_per_day:+.2f} margin/day)"
        for n in neighbours
        if abs(n.units_per_day) > 1e-9
    ]
    lines += [f"binding: {rule}" for rule in binding]
    return tuple(lines)

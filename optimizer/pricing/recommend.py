"""Recommend portfolio prices for a scope from a fitted demand model: problem, solve, explain."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.model import Sku
from supplynet.optimizer.pricing.elasticity import DemandModel
from supplynet.optimizer.pricing.explain import PriceRecommendation, explain
from supplynet.optimizer.pricing.ladder import PriceRules
from supplynet.optimizer.pricing.portfolio import PortfolioProblem, solve_portfolio


@dataclass(frozen=True)
class PriceRecommendations:
    """Recommended prices for a scope, with the scope's margin per day before and after.

    Margins count every SKU in the scope, so a price that only shifts sales onto a
    substitute shows as no gain.
    """

    recommendations: tuple[PriceRecommendation, ...]
    rules: PriceRules
    horizon_days: float
    solver_status: str
    margin_per_day_now: float
    margin_per_day_after: float

    def prices(self) -> dict[str, float]:
        return {r.sku_id: r.recommended_price for r in self.recommendations}

    def summary(self) -> dict[str, float | int | str]:
        changed = sum(r.recommended_price != r.current_price for r in self.recommendations)
        return {
            "skus": len(self.recommendations),
            "price_changes": changed,
            "margin_per_day_now": round(self.margin_per_day_now, 2),
            "margin_per_day_after": round(self.margin_per_day_after, 2),
            "solver_status": self.solver_status,
        }

    def frame(self) -> pd.DataFrame:
        """One row per SKU: prices, expected units and margin, elasticity, binding rules."""
        return pd.DataFrame(
            [
                {
                    "sku_id": r.sku_id,
                    "current_price": r.current_price,
                    "recommended_price": r.recommended_price,
                    "demand_change": r.demand_change,
                    "margin_change_per_day": r.margin_change_per_day,
                    "elasticity": r.elasticity,
                    "elasticity_low": r.elasticity_interval[0],
                    "elasticity_high": r.elasticity_interval[1],
                    "elasticity_source": r.elasticity_source,
                    "binding": ";".join(r.binding),
                    "reasons": " | ".join(r.reasons),
                }
                for r in self.recommendations
            ]
        )


def portfolio_problem(
    model: DemandModel,
    skus: Sequence[Sku],
    supply: Mapping[str, float] | None = None,
    horizon_days: float = 7.0,
) -> PortfolioProblem:
    """The pricing problem of ``skus`` at today's prices.

    Cross effects enter with their estimate floored at 0: an edge is a substitution by
    definition, and a negative estimate there is noise that would reward pricing a SKU
    against its own substitute.

    Raises
    ------
    ValidationFailed
        A SKU the model has no estimate for, or without a positive price.
    """
    at = model.index()
    found = [
        Problem(f"sku_ids[{i}]", f"no demand estimate for {s.id!r}")
        for i, s in enumerate(skus)
        if s.id not in at
    ]
    found += [
        Problem(f"skus[{i}].price", f"must be > 0 to be priced, {s.id!r} has {s.price}")
        for i, s in enumerate(skus)
        if s.price <= 0
    ]
    if found:
        raise ValidationFailed(found, "pricing scope")
    rows = [at[s.id] for s in skus]
    current = np.array([s.price for s in skus], dtype=float)
    full_prices = np.array([e.reference_price for e in model.skus])
    full_prices[rows] = current
    units = model.units_per_day(full_prices)[rows]
    local = {s.id: i for i, s in enumerate(skus)}
    cross = tuple(
        (local[c.sku_id], local[c.substitute_id], max(c.elasticity, 0.0))
        for c in model.cross
        if c.sku_id in local and c.substitute_id in local
    )
    available = supply or {}
    return PortfolioProblem(
        sku_ids=tuple(s.id for s in skus),
        current_price=current,
        unit_cost=np.array([s.unit_cost for s in skus], dtype=float),
        units_per_day=np.maximum(units, 1e-9),
        elasticity=np.array([model.skus[r].elasticity for r in rows]),
        cross=cross,
        supply=np.array([available.get(s.id, math.inf) for s in skus], dtype=float),
        horizon_days=horizon_days,
    )


def recommend_prices(
    model: DemandModel,
    skus: Sequence[Sku],
    rules: PriceRules,
    supply: Mapping[str, float] | None = None,
    horizon_days: float = 7.0,
) -> PriceRecommendations:
    """Portfolio prices for ``skus`` under ``rules``, each with its explanation.

    Parameters
    ----------
    model
        A fitted demand model holding every SKU in ``skus``.
    rules
        Price rules (checked here).
    supply
        Stock plus inbound per SKU over the horizon; a SKU left out is unconstrained.
    horizon_days
        Days the prices hold (the stock limit applies to sales over them).

    Raises
    ------
    ValidationFailed
        Bad rules (the field named) or SKUs the model does not know.
    """
    rules.check()
    problem = portfolio_problem(model, skus, supply, horizon_days)
    solution = solve_portfolio(problem, rules)
    estimates = {e.sku_id: e for e in model.skus}
    return PriceRecommendations(
        recommendations=explain(problem, solution, estimates),
        rules=rules,
        horizon_days=horizon_days,
        solver_status=solution.status,
        margin_per_day_now=float(problem.margin_at(problem.current_price).sum()),
        margin_per_day_after=float(problem.margin_at(solution.prices).sum()),
    )

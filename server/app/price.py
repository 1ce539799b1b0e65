"""Use case: graph-aware prices for a scope, with markdown schedules for perishables.

``price_request`` checks and defaults what was asked (unknown SKUs and stores are named);
``pricing_basis`` scopes the network and fits elasticities on the scope's history (pooled
on the substitution graph; the slow part, which a server caches); ``price`` chooses
portfolio prices within stock plus the latest plan's arrivals and, when asked, a markdown
schedule per perishable store position. ``planned_prices`` turns an answer into a stored
``prices`` plan, which a forecast or plan reads back as known-future prices
(``price_plans``): the loop from pricing to planning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from supplynet.graph.errors import Problem
from supplynet.graph.network import Network
from supplynet.graph.plans import StoredPlan
from supplynet.graph.scope import Scope
from supplynet.optimizer.pricing import (
    DemandModel,
    ElasticityEstimator,
    MarkdownProblem,
    MarkdownStep,
    PriceRecommendations,
    PriceRules,
    evaluate,
    margin_safe_markdown,
    recommend_prices,
    rule_policy,
)
from supplynet.optimizer.recommend.shelf_stock import ShelfStock
from supplynet.server.app.price_plans import price_plan_of
from supplynet.server.app.validation import checked, require

MAX_MARKDOWN_STOCK = 400
"""Largest cohort a markdown schedule is computed for (the DP is quadratic in units)."""


class PriceRequest(BaseModel):
    """What a pricing request asked for, checked; ``price_request`` fills the defaults."""

    model_config = ConfigDict(frozen=True)

    max_change: float = Field(default=0.1, gt=0, lt=1)
    min_margin: float = Field(default=0.05, ge=0, lt=1)
    price_cap: float | None = Field(default=None, gt=0)
    max_price_changes: int | None = Field(default=None, ge=0)
    horizon_days: int = Field(default=7, ge=1, le=366)
    include_markdowns: bool = False
    max_markdown_changes: int = Field(default=2, ge=0, le=30)
    store_ids: tuple[str, ...] = ()
    scope: Scope | None = None
    seed: int = 0

    def rules(self) -> PriceRules:
        return PriceRules(
            max_change=self.max_change,
            min_margin=self.min_margin,
            price_cap=self.price_cap,
            max_price_changes=self.max_price_changes,
        )


def price_request(network: Network | None = None, **fields: object) -> PriceRequest:
    """The checked request; with ``network``, unknown SKUs and stores are named too."""
    found: list[Problem] = []
    if network is not None:
        scope = fields.get("scope")
        known_skus = {s.id for s in network.skus}
        if isinstance(scope, Scope) and scope.sku_ids is not None:
            found += [
                Problem("scope.sku_ids", f"unknown SKU {k!r}")
                for k in sorted(scope.sku_ids - known_skus)
            ]
        known_stores = {s.id for s in network.stores}
        stores = fields.get("store_ids")
        named: list[object] = list(stores) if isinstance(stores, tuple | list) else []
        found += [
            Problem(f"store_ids[{i}]", f"unknown store {s!r}")
            for i, s in enumerate(named)
            if s not in known_stores
        ]
    return checked(PriceRequest, "price request", found, **fields)


@dataclass(frozen=True)
class MarkdownSchedule:
    """The markdown plan of one perishable store position and what it is expected to do."""

    store_id: str
    sku_id: str
    stock: int
    days_to_expiry: int
    steps: tuple[MarkdownStep, ...]
    expected_revenue: float
    expected_waste_units: float
    no_markdown_waste_units: float


@dataclass(frozen=True)
class PriceAnswer:
    """Recommended prices (with explanations), markdown schedules and the day they start."""

    prices: PriceRecommendations
    markdowns: tuple[MarkdownSchedule, ...]
    start: dt.date
    pooled_skus: tuple[str, ...]


@dataclass(frozen=True)
class PricingBasis:
    """A scope's network and the demand model fitted on its history: what ``price`` needs.

    Scoping a large network and fitting its history are the slow parts, so a server keeps
    the basis while its cached network and history stay the same.
    """

    network: Network
    model: DemandModel


def pricing_basis(request: PriceRequest, network: Network, demand: pd.DataFrame) -> PricingBasis:
    """Scope the network and fit elasticities on the scope's history.

    Raises ``ValidationFailed`` for an empty scope or a history without price variation
    (``demand.price``).
    """
    scoped = network.scoped(request.scope) if request.scope is not None else network
    require([] if scoped.skus else [Problem("scope", "selects no SKUs")], "price request")
    history = demand
    if request.scope is not None:
        stores, skus = {s.id for s in scoped.stores}, {s.id for s in scoped.skus}
        history = demand[demand["store_id"].isin(stores) & demand["sku_id"].isin(skus)]
    empty = [Problem("scope", "no demand history in this scope")] if history.empty else []
    require(empty, "price request")
    model = ElasticityEstimator().fit(history, scoped.skus, scoped.substitutions).model_
    return PricingBasis(scoped, model)


def price(
    request: PriceRequest, basis: PricingBasis, plan: StoredPlan | None, start: dt.date
) -> PriceAnswer:
    """Portfolio prices for the request's scope from ``start``, and markdowns if asked.

    ``basis`` is ``pricing_basis`` of the same scope; ``plan`` is the latest
    replenishment plan: its arrivals within the horizon count as stock.
    """
    scoped, model = basis.network, basis.model
    shelf = ShelfStock.build(scoped, plan)
    until = start + dt.timedelta(days=request.horizon_days - 1)
    supply = np.sum([shelf.units_on(location, until) for location in shelf.locations], axis=0)
    available = {sku: float(supply[i]) for sku, i in shelf.skus.items()}
    prices = recommend_prices(
        model, scoped.skus, request.rules(), available, float(request.horizon_days)
    )
    markdowns = (
        _markdowns(request, scoped, model, prices.prices(), start)
        if request.include_markdowns
        else ()
    )
    pooled = tuple(e.sku_id for e in model.skus if e.source == "pooled")
    return PriceAnswer(prices, markdowns, start, pooled)


def _markdowns(
    request: PriceRequest,
    network: Network,
    model: DemandModel,
    prices: dict[str, float],
    start: dt.date,
) -> tuple[MarkdownSchedule, ...]:
    """Schedules for perishables expiring within the horizon, one per stocked store position.

    The network does not record the age of stock, so what a store holds is taken as one
    cohort that expires a full shelf life from ``start``.
    """
    stores = set(request.store_ids) or {s.id for s in network.stores}
    skus = network.skus_by_id
    at = model.index()
    chain = model.units_per_day(np.array([prices[e.sku_id] for e in model.skus]))
    store_row = {s: i for i, s in enumerate(model.store_ids)}
    out = []
    for position in network.inventory_positions:
        sku = skus.get(position.sku_id)
        life = sku.shelf_life_days if sku is not None else None
        if (
            sku is None
            or life is None
            or life > request.horizon_days
            or position.location_id not in stores
            or position.location_id not in store_row
            or not 1 <= position.on_hand <= MAX_MARKDOWN_STOCK
        ):
            continue
        k, s = at[sku.id], store_row[position.location_id]
        days = max(int(life), 1)
        pattern = model.daily_units(sku.id, pd.Timestamp(start), days) / model.skus[k].units_per_day
        problem = MarkdownProblem(
            stock=int(position.on_hand),
            price=prices[sku.id],
            unit_cost=sku.unit_cost,
            units_per_day=chain[k] * model.store_share[s, k] * pattern,
            elasticity=model.skus[k].elasticity,
            max_changes=request.max_markdown_changes,
            neighbours=tuple(
                (
                    (prices[c.sku_id] - skus[c.sku_id].unit_cost)
                    * chain[at[c.sku_id]]
                    * model.store_share[s, at[c.sku_id]],
                    c.elasticity,
                )
                for c in model.cross
                if c.substitute_id == sku.id and c.elasticity > 0
            ),
        )
        policy = margin_safe_markdown(problem)
        outcome = evaluate(policy, problem)
        flat = evaluate(rule_policy(problem, 0.0, 0), problem)
        out.append(
            MarkdownSchedule(
                store_id=position.location_id,
                sku_id=sku.id,
                stock=problem.stock,
                days_to_expiry=days,
                steps=policy.schedule(),
                expected_revenue=outcome.revenue,
                expected_waste_units=outcome.units_wasted,
                no_markdown_waste_units=flat.units_wasted,
            )
        )
    return tuple(out)


def planned_prices(answer: PriceAnswer, horizon_days: int, plan_id: str = "") -> StoredPlan:
    """The recommended prices as a stored ``prices`` plan valid over the horizon."""
    recommendations = answer.prices.recommendations
    return price_plan_of(
        {r.sku_id: r.recommended_price for r in recommendations},
        {r.sku_id: r.current_price for r in recommendations},
        answer.start,
        horizon_days,
        plan_id,
        margin_per_day_now=answer.prices.margin_per_day_now,
        margin_per_day_after=answer.prices.margin_per_day_after,
    )

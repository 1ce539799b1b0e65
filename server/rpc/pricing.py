"""``PricingService``: a thin door onto ``server.app.price``.

Scoping the network and fitting elasticities are the slow parts, so the basis of a scope
is kept while the cached network and demand history stay the same objects (the server's
cache hands out the same frames until it re-reads the store); choosing prices and
markdowns is fast and runs in a thread per call.
"""

from __future__ import annotations

import asyncio

import grpc
import pandas as pd

from supplynet.graph.network import Network
from supplynet.graph.scope import Scope
from supplynet.server.app import price as use
from supplynet.server.app.recommend import latest_plan, network_today
from supplynet.server.rpc.converters import scope_from_proto, unset_if_zero
from supplynet.server.rpc.recently_used import RecentlyUsed
from supplynet.server.rpc.state import ServerState
from supplynet.v1 import pricing_pb2, pricing_pb2_grpc

KEPT_MODELS = 8
"""Fitted scopes kept per server (least recently used dropped first)."""


class PricingServicer(pricing_pb2_grpc.PricingServiceServicer):
    """Parse, call the use case, render."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        # values hold the network and demand they were fitted on, so their ids stay unique
        self._models: RecentlyUsed[
            tuple[int, int, Scope | None], tuple[Network, pd.DataFrame, use.PricingBasis]
        ] = RecentlyUsed(KEPT_MODELS)
        self._lock = asyncio.Lock()

    async def RecommendPrices(
        self, request: pricing_pb2.RecommendPricesRequest, context: grpc.aio.ServicerContext
    ) -> pricing_pb2.RecommendPricesResponse:
        network = await self.state.network()
        asked = use.price_request(
            network,
            max_change=unset_if_zero(request.max_change),
            min_margin=unset_if_zero(request.min_margin),
            price_cap=unset_if_zero(request.price_cap),
            max_price_changes=(
                request.max_price_changes if request.HasField("max_price_changes") else None
            ),
            horizon_days=unset_if_zero(request.horizon_days),
            include_markdowns=request.include_markdowns,
            store_ids=tuple(request.store_ids),
            scope=scope_from_proto(request.scope),
            seed=request.seed,
        )
        demand = await self.state.demand()
        basis = await self._basis(asked, network, demand)
        plan = await self.state.call(latest_plan, self.state.store)
        answer = await asyncio.to_thread(use.price, asked, basis, plan, network_today(demand))
        applied = False
        if request.apply_as_planned_prices:
            saved = use.planned_prices(answer, asked.horizon_days)
            await self.state.call(self.state.store.save_plan, saved)
            applied = True
        return answer_to_proto(answer, applied)

    async def _basis(
        self, asked: use.PriceRequest, network: Network, demand: pd.DataFrame
    ) -> use.PricingBasis:
        key = (id(network), id(demand), asked.scope)
        async with self._lock:
            kept = self._models.get(key)
            if kept is None:
                fitted = await asyncio.to_thread(use.pricing_basis, asked, network, demand)
                kept = (network, demand, fitted)
                self._models.put(key, kept)
            return kept[2]


def answer_to_proto(answer: use.PriceAnswer, applied: bool) -> pricing_pb2.RecommendPricesResponse:
    """The domain answer as the response message."""
    prices = answer.prices
    return pricing_pb2.RecommendPricesResponse(
        recommendations=[
            pricing_pb2.PriceRecommendation(
                sku_id=r.sku_id,
                current_price=r.current_price,
                recommended_price=r.recommended_price,
                expected_demand_change=r.demand_change,
                expected_margin_change=r.margin_change_per_day,
                unit_cost=r.unit_cost,
                own_elasticity=r.elasticity,
                own_elasticity_low=r.elasticity_interval[0],
                own_elasticity_high=r.elasticity_interval[1],
                elasticity_source=r.elasticity_source,
                neighbours=[
                    pricing_pb2.NeighbourEffect(
                        sku_id=n.sku_id,
                        units_per_day_change=n.units_per_day,
                        margin_per_day_change=n.margin_per_day,
                    )
                    for n in r.neighbours
                ],
                binding_rules=list(r.binding),
                reasons=list(r.reasons),
                units_per_day_now=r.units_per_day_now,
                units_per_day_after=r.units_per_day_after,
            )
            for r in prices.recommendations
        ],
        markdowns=[
            pricing_pb2.MarkdownSchedule(
                store_id=m.store_id,
                sku_id=m.sku_id,
                stock=m.stock,
                days_to_expiry=m.days_to_expiry,
                steps=[
                    pricing_pb2.MarkdownStep(day=s.day, discount=s.discount, price=s.price)
                    for s in m.steps
                ],
                expected_revenue=m.expected_revenue,
                expected_waste_units=m.expected_waste_units,
                no_markdown_waste_units=m.no_markdown_waste_units,
            )
            for m in answer.markdowns
        ],
        margin_per_day_now=prices.margin_per_day_now,
        margin_per_day_after=prices.margin_per_day_after,
        solver_status=prices.solver_status,
        planned_prices_applied=applied,
    )


def register(server: grpc.aio.Server, state: ServerState) -> str:
    pricing_pb2_grpc.add_PricingServiceServicer_to_server(PricingServicer(state), server)  # type: ignore[no-untyped-call]
    return str(pricing_pb2.DESCRIPTOR.services_by_name["PricingService"].full_name)

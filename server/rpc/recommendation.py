"""``RecommendationService``: substitutes, listings and alternate suppliers from the saved
recommendation model (``supplynet train recommend``).

A light call: the recommender (normalised vectors, lane index, the latest plan's
arrivals) is built once per model file, network read and plan, in a thread, and reused;
a request is then numpy over precomputed vectors plus the stock check, answered in the
event loop. Risk scores for alternate suppliers come from the saved risk GNN, scored
once per risk model and network in a worker process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import grpc

from supplynet.graph.plans import StoredPlan
from supplynet.server.app import recommend as use
from supplynet.server.rpc import tasks
from supplynet.server.rpc.recommend_converters import (
    recommendations_to_proto,
    request_from_proto,
)
from supplynet.server.rpc.state import ServerState
from supplynet.v1 import recommendation_pb2, recommendation_pb2_grpc

if TYPE_CHECKING:
    from supplynet.gnn.risk_scores import RiskScores
    from supplynet.optimizer.recommend.recommender import Recommender


@dataclass(frozen=True)
class Ready:
    """A built recommender, what it was built from, and the network's today."""

    key: tuple[object, ...]
    recommender: Recommender
    today: dt.date


class RecommenderCache:
    """The recommender for the current model file, network, plan and (optionally) risk."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self._ready: dict[bool, Ready] = {}
        self._plan: tuple[float, StoredPlan | None] = (float("-inf"), None)
        self._risk: tuple[tuple[object, ...], RiskScores | None] | None = None
        self._lock = asyncio.Lock()

    async def get(self, with_risk: bool) -> Ready:
        network = await self.state.network()
        demand = await self.state.demand()
        model = _stamp(self.state.models.path(use.KIND))
        plan = await self._latest_plan()
        risk_key = (id(network), _stamp(self.state.models.path("risk"))) if with_risk else ()
        key = (id(network), id(demand), model, plan.id if plan else "", risk_key)
        ready = self._ready.get(with_risk)
        if ready is not None and ready.key == key:
            return ready
        async with self._lock:
            ready = self._ready.get(with_risk)
            if ready is not None and ready.key == key:
                return ready
            checkpoint = await asyncio.to_thread(self.state.models.load_bytes, use.KIND)
            risk = await self._risk_scores(risk_key) if with_risk else None
            recommender = await asyncio.to_thread(
                use.build_recommender, checkpoint, network, plan, risk
            )
            today = await asyncio.to_thread(use.network_today, demand)
            self._ready[with_risk] = Ready(key, recommender, today)
            return self._ready[with_risk]

    async def _latest_plan(self) -> StoredPlan | None:
        """The newest replenishment plan, looked up at most every ``cache_seconds``."""
        read_at, plan = self._plan
        if time.monotonic() - read_at > self.state.settings.cache_seconds:
            plan = await self.state.call(use.latest_plan, self.state.store)
            self._plan = (time.monotonic(), plan)
        return plan

    async def _risk_scores(self, key: tuple[object, ...]) -> RiskScores | None:
        if self._risk is not None and self._risk[0] == key:
            return self._risk[1]
        scores = None
        if self.state.models.exists("risk"):
            checkpoint = await asyncio.to_thread(self.state.models.load_bytes, "risk")
            network = await self.state.network()
            deliveries = await self.state.call(self.state.store.read_deliveries)
            scores = await self.state.jobs.run(tasks.score_risk, checkpoint, network, deliveries)
        self._risk = (key, scores)
        return scores


def _stamp(path: os.PathLike[str]) -> tuple[int, int]:
    """When and how big a model file is: a new checkpoint changes it (0s when missing)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return (0, 0)
    return (info.st_mtime_ns, info.st_size)


class RecommendationServicer(recommendation_pb2_grpc.RecommendationServiceServicer):
    """Thin: check, get the cached recommender, answer."""

    def __init__(self, state: ServerState) -> None:
        self.cache = RecommenderCache(state)

    async def RecommendSkus(
        self,
        request: recommendation_pb2.RecommendSkusRequest,
        context: grpc.aio.ServicerContext,
    ) -> recommendation_pb2.RecommendSkusResponse:
        asked = request_from_proto(request)
        ready = await self.cache.get(with_risk=asked.use == "alternate-supplier")
        answer = use.recommend(ready.recommender, asked, ready.today)
        return recommendations_to_proto(answer)


def register(server: grpc.aio.Server, state: ServerState) -> str:
    recommendation_pb2_grpc.add_RecommendationServiceServicer_to_server(  # type: ignore[no-untyped-call]
        RecommendationServicer(state), server
    )
    return str(recommendation_pb2.DESCRIPTOR.services_by_name["RecommendationService"].full_name)

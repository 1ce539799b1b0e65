"""``RecommendationService``: substitutes, listings and alternate suppliers from the saved
recommendation model (``supplynet train recommend``).

A light call: the recommender (normalised vectors, lane index, the latest plan's
arrivals) is built once per model file, network read and plan, in a thread, and reused;
a request is then numpy over precomputed vectors plus the stock check, answered in the
event loop, and its response is kept with that recommender (``KEPT_ANSWERS``): the
same question asked again (a store's pickers meeting the same empty shelf; a listing or
an alternate supplier asked for another date, which does not change it) is answered
from memory until anything the answer depends on changes. Risk scores for alternate
suppliers come from the saved risk GNN, scored once per risk model file in a worker
process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import grpc

from supplynet.graph.plans import StoredPlan
from supplynet.server.app import recommend as use
from supplynet.server.rpc import tasks
from supplynet.server.rpc.recently_used import RecentlyUsed
from supplynet.server.rpc.recommend_converters import (
    on_need_date,
    recommendations_to_proto,
    request_from_proto,
)
from supplynet.server.rpc.state import ServerState, VersionProbe, quietly
from supplynet.v1 import recommendation_pb2, recommendation_pb2_grpc

if TYPE_CHECKING:
    import pandas as pd

    from supplynet.gnn.risk_scores import RiskScores
    from supplynet.graph.network import Network
    from supplynet.optimizer.recommend.recommender import Recommender

KEPT_ANSWERS = 4096
"""Responses kept per recommender (a few KiB each), least recently asked dropped first.
Building one is ~0.1 ms of the event loop's time (a fifth of the call's server CPU)."""


Stamps = tuple[str | None, tuple[int, int], tuple[int, int], str]
"""The store's version, the recommendation and risk model files' stamps, the plans' version."""


@dataclass(frozen=True)
class Ready:
    """A built recommender, what it was built from, the network's today, and the answers
    it gave (by ``use.answer_key``: every field an answer depends on, besides what this
    recommender was built from)."""

    key: tuple[object, ...]
    recommender: Recommender
    today: dt.date
    answers: RecentlyUsed[tuple[object, ...], recommendation_pb2.RecommendSkusResponse] = field(
        default_factory=lambda: RecentlyUsed(KEPT_ANSWERS)
    )


@dataclass(frozen=True)
class Inputs:
    """What one recommender is built from, and the key that tells it apart."""

    key: tuple[object, ...]
    network: Network
    demand: pd.DataFrame
    plan: StoredPlan | None
    risk_key: tuple[object, ...] | None


class RecommenderCache:
    """The recommender for the current model file, network, plan and (optionally) risk.

    Like the server's cached reads, a recommender that is out of date keeps answering while
    its successor is built in the background, so no request waits for a rebuild; only the
    first request (nothing built yet) does.
    """

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self._ready: dict[bool, Ready] = {}
        self._plan: tuple[str, StoredPlan | None] | None = None
        self._risk: tuple[tuple[object, ...], RiskScores | None] | None = None
        self._lock = asyncio.Lock()
        self._background: set[asyncio.Task[object]] = set()
        self._rebuild: asyncio.Task[object] | None = None
        self._plan_refresh: asyncio.Task[object] | None = None
        self._current: dict[bool, Stamps] = {}
        """The stamps under which each ready recommender was last found current."""
        self._model_files = (str(state.models.path(use.KIND)), str(state.models.path("risk")))
        # read once per pass of the event loop for a local store, else in a thread shared
        # by the calls that arrive while it runs (``VersionProbe``)
        self._stamps = VersionProbe(self._versions, inline=state.local_store)

    def _versions(self) -> Stamps:
        """What a recommender depends on, read together: the store's version (for the
        cached network and demand), the recommendation and risk model files' stamps
        (``_stamp``) and the plans' version. Three thread hops, one after the other, were
        ~0.15 ms of server CPU per call."""
        recommend, risk = self._model_files
        return (
            self.state.checked_version(),
            _stamp(recommend),
            _stamp(risk),
            self.state.store.plans_version(),
        )

    async def get(self, with_risk: bool) -> Ready:
        stamps = await self._stamps.current()
        ready = self._ready.get(with_risk)
        if ready is not None and self._current.get(with_risk) == stamps:
            return ready  # nothing it is built from has changed since it was found current
        store, model, risk, plans = stamps
        network = await self.state.network(store)
        demand = await self.state.demand(store)
        plan = await self._latest_plan(plans)
        risk_key = (risk,) if with_risk else None
        key = (id(network), id(demand), model, plan.id if plan else "", risk_key)
        ready = self._ready.get(with_risk)
        if ready is not None and ready.key == key:
            # the stamps say it all when the store's version was read (no trust period)
            # and the plan is that of the plans' version (not being read again)
            if store is not None and self._plan is not None and self._plan[0] == plans:
                self._current[with_risk] = stamps
            return ready
        inputs = Inputs(key, network, demand, plan, risk_key)
        if ready is None:
            async with self._lock:
                return self._ready.get(with_risk) or await self._build(inputs, with_risk)
        if self._rebuild is None or self._rebuild.done():
            self._rebuild = self._start(self._build(inputs, with_risk))
        return ready

    async def warm(self) -> None:
        """Build the recommender at start-up when a model is saved, so the first call does
        not wait for it (nor each server process's first, behind one port)."""
        if await asyncio.to_thread(self.state.models.exists, use.KIND):
            await self.get(with_risk=False)

    async def _build(self, inputs: Inputs, with_risk: bool) -> Ready:
        checkpoint = await asyncio.to_thread(self.state.models.load_bytes, use.KIND)
        risk = None if inputs.risk_key is None else await self._risk_scores(inputs.risk_key)
        recommender = await asyncio.to_thread(
            use.build_recommender, checkpoint, inputs.network, inputs.plan, risk
        )
        today = await asyncio.to_thread(use.network_today, inputs.demand)
        self._ready[with_risk] = Ready(inputs.key, recommender, today)
        return self._ready[with_risk]

    def _start(self, work: Coroutine[object, object, object]) -> asyncio.Task[object]:
        """Run ``work`` in the background; a failure is logged and retried on a later call."""
        failure = "refreshing the recommender failed; the old one answers"
        task = asyncio.create_task(quietly(work, failure))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def _latest_plan(self, plans: str) -> StoredPlan | None:
        """The newest replenishment plan, read again (in the background once there is
        one) when the plans' version changes."""
        if self._plan is None:
            self._plan = (plans, await self._read_plan())
        elif self._plan[0] != plans and (self._plan_refresh is None or self._plan_refresh.done()):
            self._plan_refresh = self._start(self._refresh_plan(plans))
        return self._plan[1]

    async def _read_plan(self) -> StoredPlan | None:
        return await self.state.call(use.latest_plan, self.state.store)

    async def _refresh_plan(self, plans: str) -> None:
        self._plan = (plans, await self._read_plan())

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


def _stamp(path: str) -> tuple[int, int]:
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
        state.warm_with(self.cache.warm)

    async def RecommendSkus(
        self,
        request: recommendation_pb2.RecommendSkusRequest,
        context: grpc.aio.ServicerContext,
    ) -> recommendation_pb2.RecommendSkusResponse:
        asked = request_from_proto(request)
        ready = await self.cache.get(with_risk=asked.use == "alternate-supplier")
        question = use.answer_key(asked)
        response = ready.answers.get(question)
        if response is None:
            answer = use.recommend(ready.recommender, asked, ready.today)
            response = recommendations_to_proto(answer)
            ready.answers.put(question, response)
        return on_need_date(response, asked.need_date or ready.today)


def register(server: grpc.aio.Server, state: ServerState) -> str:
    recommendation_pb2_grpc.add_RecommendationServiceServicer_to_server(  # type: ignore[no-untyped-call]
        RecommendationServicer(state), server
    )
    return str(recommendation_pb2.DESCRIPTOR.services_by_name["RecommendationService"].full_name)

"""``ReplenishmentService``: planning as a long-running operation, and saved plans.

StartPlan checks the request (``server.app.plan``), then returns an operation at once;
the worker process selects the demand rows, forecasts, solves and saves the plan, so
the server's GIL stays free for other calls. One ``Deadline`` covers the whole
plan, forecast included: the request's time limit, or the caller's gRPC deadline if
that comes first.
"""

from __future__ import annotations

import asyncio

import grpc

from supplynet.graph.deadline import Deadline
from supplynet.graph.errors import Problem
from supplynet.server.app import plan, plans
from supplynet.server.app.forecast import select_series
from supplynet.server.app.price_plans import price_plan
from supplynet.server.rpc import tasks
from supplynet.server.rpc.converters import (
    lines_page_to_proto,
    name_id,
    plan_to_proto,
    scope_from_proto,
    unset_if_zero,
)
from supplynet.server.rpc.operation_methods import OperationMethods
from supplynet.server.rpc.operations import Operation
from supplynet.server.rpc.state import ServerState
from supplynet.v1 import (
    operation_pb2,
    plan_pb2,
    replenishment_pb2,
    replenishment_pb2_grpc,
)


class ReplenishmentServicer(OperationMethods, replenishment_pb2_grpc.ReplenishmentServiceServicer):
    """Thin: check through ``server.app.plan``, run it as an operation, report its state."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    async def StartPlan(
        self, request: replenishment_pb2.StartPlanRequest, context: grpc.aio.ServicerContext
    ) -> operation_pb2.Operation:
        network = await self.state.network()
        scope = scope_from_proto(request.scope)
        scoped = network if scope is None else await self.state.call(network.scoped, scope)
        empty = not scoped.warehouses or not scoped.skus
        asked = plan.plan_request(
            self.state.app,
            [Problem("scope", "selects no warehouse or no SKU")] if empty else [],
            horizon_days=unset_if_zero(request.horizon_days),
            service_level=unset_if_zero(request.service_level),
            time_limit_seconds=unset_if_zero(request.time_limit_seconds),
            forecast_model=request.forecast_model or None,
            use_risk=request.use_risk,
            scope=scope,
            prices_plan=request.prices_plan,
            backorders=request.backorders,
            country=request.country or None,
        )
        deadline = Deadline.after(asked.time_limit_seconds).earlier(context.time_remaining())
        checkpoint = await self._risk_checkpoint() if asked.use_risk else None
        demand = await self.state.indexed()
        select_series(asked.forecast(), network, demand.index)  # no history: refused now
        version = await self.state.call(self.state.store.version)
        dates = demand.raw["date"]
        prices = await self.state.call(price_plan, self.state.store, asked.prices_plan)
        job = tasks.PlanJob(
            tasks.ForecastJob(network, demand.file, prices),
            scoped,
            self.state.settings.store,
            checkpoint,
            history_end=dates.max().date() if len(dates) else None,
            store_version=version,
        )

        async def work(operation: Operation) -> str:
            plan_id: str = await self.state.jobs.run(
                tasks.make_plan, job, asked, deadline, on_progress=operation.report
            )
            return plan_id

        return self.state.operations.start(work, deadline.remaining()).snapshot()

    async def _risk_checkpoint(self) -> bytes:
        return await asyncio.to_thread(self.state.models.load_bytes, "risk")

    async def GetPlan(
        self, request: plan_pb2.GetPlanRequest, context: grpc.aio.ServicerContext
    ) -> plan_pb2.Plan:
        stored = await self.state.call(self.state.store.load_plan, name_id(request.name, "plans"))
        return await asyncio.to_thread(plan_to_proto, stored)

    async def ListPlanLines(
        self, request: plan_pb2.ListPlanLinesRequest, context: grpc.aio.ServicerContext
    ) -> plan_pb2.ListPlanLinesResponse:
        query = plans.lines_query(
            table=request.table,
            location_id=request.location_id,
            sku_id=request.sku_id,
            line_type=request.line_type,
            short_only=request.short_only,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        plan_id = name_id(request.parent, "plans", "parent")
        stored = await self.state.call(self.state.store.load_plan, plan_id)
        page = await asyncio.to_thread(plans.lines_page, stored, query)
        return lines_page_to_proto(page)


def register(server: grpc.aio.Server, state: ServerState) -> str:
    servicer = ReplenishmentServicer(state)
    replenishment_pb2_grpc.add_ReplenishmentServiceServicer_to_server(servicer, server)  # type: ignore[no-untyped-call]
    return str(replenishment_pb2.DESCRIPTOR.services_by_name["ReplenishmentService"].full_name)

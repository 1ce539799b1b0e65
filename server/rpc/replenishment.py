"""``ReplenishmentService``: planning as a long-running operation, and saved plans.

StartPlan checks the request, then returns an operation at once; the forecast and
the solve run in a worker process. A deadline on StartPlan shortens the solver time
limit to fit inside it, so that the plan exists before the caller's deadline.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import grpc

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.network import Network
from supplynet.graph.plans import StoredPlan
from supplynet.server.rpc import planning, tasks
from supplynet.server.rpc.converters import name_id, plan_to_proto, scope_from_proto
from supplynet.server.rpc.jobs import MAX_TIME_LIMIT, TimeBudget
from supplynet.server.rpc.operations import Operation
from supplynet.server.rpc.risk import load_risk_checkpoint
from supplynet.server.rpc.state import ServerState
from supplynet.v1 import (
    operation_pb2,
    plan_pb2,
    replenishment_pb2,
    replenishment_pb2_grpc,
)

DEFAULT_HORIZON_DAYS = 28
DEFAULT_SERVICE_LEVEL = 0.95


class ReplenishmentServicer(replenishment_pb2_grpc.ReplenishmentServiceServicer):
    """Thin: validate, start an operation around ``planning.plan``, report its state."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    async def StartPlan(
        self, request: replenishment_pb2.StartPlanRequest, context: grpc.aio.ServicerContext
    ) -> operation_pb2.Operation:
        job, network = await self._job(request, context.time_remaining())
        scope = scope_from_proto(request.scope)
        checkpoint = await load_risk_checkpoint(self.state) if request.use_risk else None

        async def work(operation: Operation) -> str:
            await operation.update(stage="reading history")
            demand = await self.state.demand_in(network, scope)
            risk = None
            if checkpoint is not None:
                deliveries = await self.state.call(self.state.store.read_deliveries, scope)
                risk = planning.RiskInput(checkpoint, deliveries)
            stored: StoredPlan = await self.state.jobs.run(
                planning.plan, network, demand, job, risk, on_progress=operation.report
            )
            await operation.update(stage="saving")
            await self.state.call(self.state.store.save_plan, stored)
            return stored.id

        return self.state.operations.start(work, job.budget.seconds()).snapshot()

    async def _job(
        self, request: replenishment_pb2.StartPlanRequest, remaining: float | None
    ) -> tuple[planning.PlanJob, Network]:
        problems = []
        horizon = request.horizon_days or DEFAULT_HORIZON_DAYS
        if not 1 <= horizon <= 366:
            problems.append(Problem("horizon_days", f"must be within 1..366, got {horizon}"))
        level = request.service_level or DEFAULT_SERVICE_LEVEL
        if not 0 < level < 1:
            problems.append(Problem("service_level", f"must be within (0, 1), got {level}"))
        limit = request.time_limit_seconds or self.state.settings.default_time_limit_seconds
        if not 0 < limit <= MAX_TIME_LIMIT:
            problems.append(
                Problem("time_limit_seconds", f"must be within (0, {MAX_TIME_LIMIT:.0f}]")
            )
        try:
            model = tasks.check_model(request.forecast_model, "forecast_model")
        except ValidationFailed as error:
            problems.extend(error.problems)
        network = await self.state.network()
        scope = scope_from_proto(request.scope)
        if scope is not None:
            network = await self.state.call(network.scoped, scope)
        if not network.warehouses or not network.skus:
            problems.append(Problem("scope", "selects no warehouse or no SKU"))
        if problems:
            raise ValidationFailed(problems, "plan request")
        job = planning.PlanJob(
            plan_id=f"plan-{uuid.uuid4().hex[:12]}",
            horizon_days=horizon,
            forecast_model=model,
            service_level=level,
            budget=TimeBudget.for_call(limit, remaining),
        )
        return job, network

    async def GetOperation(
        self, request: replenishment_pb2.GetOperationRequest, context: grpc.aio.ServicerContext
    ) -> operation_pb2.Operation:
        return self.state.operations.get(name_id(request.name, "operations")).snapshot()

    async def WatchOperation(
        self, request: replenishment_pb2.WatchOperationRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[operation_pb2.Operation]:
        async for snapshot in self.state.operations.watch(name_id(request.name, "operations")):
            yield snapshot

    async def CancelOperation(
        self, request: replenishment_pb2.CancelOperationRequest, context: grpc.aio.ServicerContext
    ) -> operation_pb2.Operation:
        operation = await self.state.operations.cancel(name_id(request.name, "operations"))
        return operation.snapshot()

    async def GetPlan(
        self, request: plan_pb2.GetPlanRequest, context: grpc.aio.ServicerContext
    ) -> plan_pb2.Plan:
        stored = await self.state.call(self.state.store.load_plan, name_id(request.name, "plans"))
        return await asyncio.to_thread(plan_to_proto, stored)


def register(server: grpc.aio.Server, state: ServerState) -> str:
    servicer = ReplenishmentServicer(state)
    replenishment_pb2_grpc.add_ReplenishmentServiceServicer_to_server(servicer, server)  # type: ignore[no-untyped-call]
    return str(replenishment_pb2.DESCRIPTOR.services_by_name["ReplenishmentService"].full_name)

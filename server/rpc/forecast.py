"""``ForecastService``: demand forecasts of the stored history, fitted in a worker process."""

from __future__ import annotations

import asyncio

import grpc
import pandas as pd

from graph.errors import Problem, ValidationFailed
from graph.history import DEMAND
from graph.network import Network
from graph.scope import Scope
from graph.store import history_in_scope
from proto.supplynet.v1 import forecast_pb2, forecast_pb2_grpc
from server.rpc import tasks
from server.rpc.converters import forecast_to_proto, scope_from_proto
from server.rpc.state import ServerState

MAX_HORIZON_DAYS = 366


class ForecastServicer(forecast_pb2_grpc.ForecastServiceServicer):
    """Selects the series in the parent; cleaning and fitting run in a job."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    async def ForecastDemand(
        self, request: forecast_pb2.ForecastDemandRequest, context: grpc.aio.ServicerContext
    ) -> forecast_pb2.ForecastDemandResponse:
        problems = []
        if not 1 <= request.horizon_days <= MAX_HORIZON_DAYS:
            problems.append(
                Problem(
                    "horizon_days",
                    f"must be within 1..{MAX_HORIZON_DAYS}, got {request.horizon_days}",
                )
            )
        try:
            model = tasks.check_model(request.model, "model")
        except ValidationFailed as error:
            problems.extend(error.problems)
        network = await self.state.network()
        known = {s.id for s in network.stores}
        problems.extend(
            Problem(f"store_ids[{i}]", f"unknown store {store!r}")
            for i, store in enumerate(request.store_ids)
            if store not in known
        )
        if problems:
            raise ValidationFailed(problems, "forecast request")
        demand = await select_demand(
            self.state, network, scope_from_proto(request.scope), list(request.store_ids)
        )
        if demand.empty:
            raise ValidationFailed(
                [Problem("scope", "no demand history in this scope")], "forecast request"
            )
        result = await self.state.jobs.run(tasks.forecast, demand, model, request.horizon_days)
        return await asyncio.to_thread(forecast_to_proto, result)


async def select_demand(
    state: ServerState, network: Network, scope: Scope | None, store_ids: list[str] | None = None
) -> pd.DataFrame:
    """The cached demand history of a scope (and optionally some stores only)."""
    demand = await state.demand()

    def select() -> pd.DataFrame:
        part = history_in_scope(demand, DEMAND, network, scope)
        if store_ids:
            part = part[part["store_id"].isin(store_ids)].reset_index(drop=True)
        return part

    return await asyncio.to_thread(select)


def register(server: grpc.aio.Server, state: ServerState) -> str:
    forecast_pb2_grpc.add_ForecastServiceServicer_to_server(ForecastServicer(state), server)  # type: ignore[no-untyped-call]
    return str(forecast_pb2.DESCRIPTOR.services_by_name["ForecastService"].full_name)

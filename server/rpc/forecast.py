"""``ForecastService``: demand forecasts of the stored history.

A few series with a cheap model (a ``ValueForecaster``) are answered in the event loop
from the cached series index, in well under a millisecond each; anything else (Prophet,
``auto``, many series) is a job in a worker process. Both paths forecast the same
cleaned values, so they give the same answer.
"""

from __future__ import annotations

import asyncio

import grpc

from supplynet.forecasting.registry import VALUE_FORECASTERS
from supplynet.forecasting.series_index import SeriesIndex, SeriesKey
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.model import Store
from supplynet.graph.network import Network
from supplynet.server.rpc import tasks
from supplynet.server.rpc.converters import (
    forecast_to_proto,
    scope_from_proto,
    series_forecasts_to_proto,
)
from supplynet.server.rpc.state import ServerState
from supplynet.v1 import forecast_pb2, forecast_pb2_grpc

MAX_HORIZON_DAYS = 366

IN_LOOP_SERIES = 16
"""At most this many series of a cheap model are forecast in the event loop (~0.2 ms
each); more would hold up every other call, so they go to a worker like the rest."""


class ForecastServicer(forecast_pb2_grpc.ForecastServiceServicer):
    """Validates and selects the series in the parent; fits run in the loop or a job."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    async def ForecastDemand(
        self, request: forecast_pb2.ForecastDemandRequest, context: grpc.aio.ServicerContext
    ) -> forecast_pb2.ForecastDemandResponse:
        network = await self.state.network()
        model = _checked_model(request, network)
        index = await self.state.series()
        keys = _series_in(request, network, index)
        if not keys:
            raise ValidationFailed(
                [Problem("scope", "no demand history in this scope")], "forecast request"
            )
        if model in VALUE_FORECASTERS and len(keys) <= IN_LOOP_SERIES:
            forecasts = index.forecast(keys, VALUE_FORECASTERS[model], request.horizon_days)
            return series_forecasts_to_proto(forecasts)
        cleaned = await asyncio.to_thread(index.rows, keys)
        result = await self.state.jobs.run(tasks.forecast, cleaned, model, request.horizon_days)
        return await asyncio.to_thread(forecast_to_proto, result)


def _checked_model(request: forecast_pb2.ForecastDemandRequest, network: Network) -> str:
    """The model to use; every bad field of the request in one ``ValidationFailed``."""
    problems = []
    if not 1 <= request.horizon_days <= MAX_HORIZON_DAYS:
        problems.append(
            Problem(
                "horizon_days", f"must be within 1..{MAX_HORIZON_DAYS}, got {request.horizon_days}"
            )
        )
    try:
        model = tasks.check_model(request.model, "model")
    except ValidationFailed as error:
        problems.extend(error.problems)
    problems.extend(
        Problem(f"store_ids[{i}]", f"unknown store {store!r}")
        for i, store in enumerate(request.store_ids)
        if not isinstance(network.locations.get(store), Store)
    )
    if problems:
        raise ValidationFailed(problems, "forecast request")
    return model


def _series_in(
    request: forecast_pb2.ForecastDemandRequest, network: Network, index: SeriesIndex
) -> list[SeriesKey]:
    """The series with history in the request's scope and, if named, its stores."""
    scope = scope_from_proto(request.scope)
    stores, skus = network.demand_filter(scope) if scope is not None else (None, None)
    if request.store_ids:
        named = frozenset(request.store_ids)
        stores = named if stores is None else named & stores
    return index.keys(stores, skus)


def register(server: grpc.aio.Server, state: ServerState) -> str:
    forecast_pb2_grpc.add_ForecastServiceServicer_to_server(ForecastServicer(state), server)  # type: ignore[no-untyped-call]
    return str(forecast_pb2.DESCRIPTOR.services_by_name["ForecastService"].full_name)

"""``ForecastService``: a thin door onto ``server.app.forecast``.

A few series of a cheap model are answered in the event loop from the cached series
index; anything else is a job in a worker process, which selects its rows from the
index's file itself. Both paths forecast the same cleaned values at the history's own
frequency, as the CLI does.
"""

from __future__ import annotations

import asyncio

import grpc

from supplynet.server.app import forecast as use
from supplynet.server.app.price_plans import price_plan
from supplynet.server.app.settings import holiday_country
from supplynet.server.rpc import tasks
from supplynet.server.rpc.converters import (
    forecast_to_proto,
    scope_from_proto,
    series_forecasts_to_proto,
    unset_if_zero,
)
from supplynet.server.rpc.state import ServerState
from supplynet.v1 import forecast_pb2, forecast_pb2_grpc


class ForecastServicer(forecast_pb2_grpc.ForecastServiceServicer):
    """Parse, call the use case (in the loop or a job), render."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    async def ForecastDemand(
        self, request: forecast_pb2.ForecastDemandRequest, context: grpc.aio.ServicerContext
    ) -> forecast_pb2.ForecastDemandResponse:
        network = await self.state.network()
        asked = use.forecast_request(
            self.state.app,
            horizon_days=unset_if_zero(request.horizon_days),
            model=request.model,
            scope=scope_from_proto(request.scope),
            store_ids=request.store_ids,
            network=network,
            country=request.country,
            prices_plan=request.prices_plan,
        )
        demand = await self.state.indexed()
        index = demand.index
        keys = use.select_series(asked, network, index)
        if use.is_light(asked, len(keys)):
            answer = series_forecasts_to_proto(use.light_forecast(asked, index, keys), index.freq)
        else:
            prices = await self.state.call(price_plan, self.state.store, asked.prices_plan)
            job = tasks.ForecastJob(network, demand.file, prices)
            result = await self.state.jobs.run(tasks.forecast, job, asked)
            answer = await asyncio.to_thread(forecast_to_proto, result)
        answer.holiday_country = holiday_country(asked.country, network) or ""
        return answer


def register(server: grpc.aio.Server, state: ServerState) -> str:
    forecast_pb2_grpc.add_ForecastServiceServicer_to_server(ForecastServicer(state), server)  # type: ignore[no-untyped-call]
    return str(forecast_pb2.DESCRIPTOR.services_by_name["ForecastService"].full_name)

"""Use case: forecast the demand of a scope, the same way through every door.

Both doors select series from one ``SeriesIndex`` of the whole stored history (so every
series runs to the last day of the data, at the data's own frequency), turn the
requested days into periods once (``Horizon``), and then either answer a few series
of a cheap model from bare arrays (``light_forecast``, in the server's event loop) or
run the full pipeline (``run_forecast``, in a worker process on the server). The two
give the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

import pandas as pd
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from supplynet.forecasting.forecast import DemandForecast
from supplynet.forecasting.pipeline import forecast_demand
from supplynet.forecasting.registry import (
    DEFAULT_MODEL,
    FORECASTERS,
    GLOBAL_MODELS,
    VALUE_FORECASTERS,
    forecaster_factory,
    panel_forecaster,
)
from supplynet.forecasting.series_index import SeriesForecast, SeriesIndex, SeriesKey
from supplynet.graph.errors import Problem
from supplynet.graph.executor import ParallelSettings
from supplynet.graph.executor import Progress as CountProgress
from supplynet.graph.model import CountryCode, Store
from supplynet.graph.network import Network
from supplynet.graph.plans import StoredPlan
from supplynet.graph.scope import Scope
from supplynet.server.app.horizon import Horizon
from supplynet.server.app.price_plans import price_future
from supplynet.server.app.settings import AppSettings, holiday_country
from supplynet.server.app.validation import checked, require, scope_problems

NETWORK_MODELS = ("gnn",)
"""Models that forecast the network as a whole instead of series by series."""

MODEL_NAMES = tuple(sorted([*FORECASTERS, *GLOBAL_MODELS, *NETWORK_MODELS]))


def _known_model(name: str) -> str:
    if name not in MODEL_NAMES:
        raise ValueError(f"unknown model; known: {', '.join(MODEL_NAMES)}")
    return name


ModelName = Annotated[str, AfterValidator(_known_model)]
"""A forecaster's name, checked against every model the service offers."""

IN_LOOP_SERIES = 16
"""At most this many series of a cheap model are answered in the server's event loop
(~0.2 ms each); more would hold up every other call, so they go to a worker."""


class ForecastRequest(BaseModel):
    """What to forecast; unset fields take ``AppSettings``' defaults (``forecast_request``)."""

    model_config = ConfigDict(frozen=True)

    horizon_days: int = Field(ge=1, le=366)
    model: ModelName
    scope: Scope | None = None
    store_ids: frozenset[str] | None = None
    seed: int = 0
    country: CountryCode | None = None
    """The calendar asked for (flag, field) or configured; ``None``: the network's."""
    checkpoint: bytes | None = None
    prices_plan: str | None = None
    """A saved prices plan (``latest``: the newest) whose prices are the planned ones."""


PRICE_MODELS = (DEFAULT_MODEL, *GLOBAL_MODELS)
"""Models that read planned prices (the global model; ``auto`` is it on daily data)."""


def prices_plan_problems(model: str, prices_plan: str | None) -> list[Problem]:
    """Why ``model`` cannot take a prices plan: only the global model reads future prices."""
    if not prices_plan or model in PRICE_MODELS:
        return []
    takes = ", ".join(PRICE_MODELS)
    return [Problem("prices_plan", f"planned prices need a model that reads them ({takes})")]


def forecast_request(
    settings: AppSettings,
    *,
    horizon_days: int | None = None,
    model: str | None = None,
    scope: Scope | None = None,
    store_ids: Sequence[str] = (),
    network: Network | None = None,
    country: str | None = None,
    checkpoint: bytes | None = None,
    prices_plan: str | None = None,
) -> ForecastRequest:
    """A checked request; ``None`` fields take the settings' defaults.

    ``country`` (default: the settings', else the network's: ``holiday_country``) is the
    holiday calendar of every model;
    ``checkpoint`` a saved demand GNN to forecast with (``gnn`` only); ``prices_plan``
    a saved prices plan (``latest``: the newest) the global model takes as planned prices.

    With ``network``, unknown stores are reported with the request's other problems.
    """
    unknown = [
        Problem(f"store_ids[{i}]", f"unknown store {store!r}"[:100])
        for i, store in enumerate(store_ids)
        if network is not None and not isinstance(network.locations.get(store), Store)
    ]
    model = model or settings.forecast_model
    return checked(
        ForecastRequest,
        "forecast request",
        unknown + prices_plan_problems(model, prices_plan),
        horizon_days=settings.forecast_horizon_days if horizon_days is None else horizon_days,
        model=model,
        scope=scope,
        store_ids=frozenset(store_ids) or None,
        seed=settings.seed,
        country=country or settings.country,
        checkpoint=checkpoint,
        prices_plan=prices_plan or None,
    )


@dataclass(frozen=True)
class ForecastInputs:
    """The selected series' cleaned rows and what a network-wide model needs besides.

    ``country``: the holiday calendar every model uses (``holiday_country``).
    ``future``: planned prices per series and day (``price_plans.price_future``) from the
    prices plan ``prices_plan``.
    """

    network: Network
    cleaned: pd.DataFrame
    horizon: Horizon
    country: str | None = None
    future: pd.DataFrame | None = None
    prices_plan: str | None = None


def select_series(
    request: ForecastRequest, network: Network, index: SeriesIndex
) -> list[SeriesKey]:
    """The series with history in the request's scope and stores.

    Raises ``ValidationFailed`` for a scope without history.
    """
    scope = request.scope
    stores, skus = network.demand_filter(scope) if scope is not None else (None, None)
    if request.store_ids:
        stores = request.store_ids if stores is None else request.store_ids & stores
    keys = index.keys(stores, skus)
    unknown = scope_problems(network, scope)
    empty = [] if keys or unknown else [Problem("scope", "no demand history in this scope")]
    require(unknown + empty, "forecast request")
    return keys


def forecast_inputs(
    request: ForecastRequest,
    network: Network,
    index: SeriesIndex,
    prices: StoredPlan | None = None,
) -> ForecastInputs:
    """The cleaned rows of the request's series, for ``run_forecast``.

    ``prices``: the request's prices plan, read by the door (``price_plans.price_plan``).
    Raises ``ValidationFailed`` naming ``prices_plan`` for weekly data: prices plans
    are daily.
    """
    keys = select_series(request, network, index)
    rows, horizon = index.rows(keys), Horizon(request.horizon_days, index.freq)
    country = holiday_country(request.country, network)
    if prices is None:
        return ForecastInputs(network, rows, horizon, country)
    weekly = [Problem("prices_plan", "planned prices need daily demand history")]
    require(weekly if index.freq != "D" else [], "forecast request")
    return ForecastInputs(network, rows, horizon, country, price_future(prices, rows), prices.id)


def is_light(request: ForecastRequest, series: int) -> bool:
    """Whether ``light_forecast`` may answer: a cheap model and few series."""
    return request.model in VALUE_FORECASTERS and series <= IN_LOOP_SERIES


def light_forecast(
    request: ForecastRequest, index: SeriesIndex, keys: list[SeriesKey]
) -> list[SeriesForecast]:
    """A few series of a cheap model from the index's arrays, in well under a millisecond."""
    horizon = Horizon(request.horizon_days, index.freq)
    return index.forecast(keys, VALUE_FORECASTERS[request.model], horizon.periods)


def run_forecast(
    inputs: ForecastInputs,
    request: ForecastRequest,
    parallel: ParallelSettings,
    progress: CountProgress | None = None,
) -> DemandForecast:
    """The full pipeline (or a network-wide model) over the inputs' series.

    ``auto`` is the global model on daily and weekly data alike (it won the rolling
    backtests of ``bench/forecast_accuracy.py``). The global model takes the inputs'
    planned prices. Every model takes the inputs' holiday country.
    """
    if request.model in NETWORK_MODELS:
        return NETWORK_RUNNERS[request.model](inputs, request)
    periods, country = inputs.horizon.periods, inputs.country
    if request.model in (DEFAULT_MODEL, *GLOBAL_MODELS):
        model = panel_forecaster(request.model, periods, country, inputs.network, request.seed)
        return model.fit(inputs.cleaned).forecast(inputs.cleaned, inputs.future)
    return forecast_demand(
        inputs.cleaned,
        forecaster_factory(request.model, country, periods),
        inputs.horizon.periods,
        inputs.horizon.freq,
        parallel,
        progress,
    )


NetworkRunner = Callable[[ForecastInputs, ForecastRequest], DemandForecast]


def _gnn(inputs: ForecastInputs, request: ForecastRequest) -> DemandForecast:
    from supplynet.server.app.train import gnn_forecast  # torch loads only when asked for

    return gnn_forecast(
        inputs.network,
        inputs.cleaned,
        inputs.horizon,
        request.seed,
        country=inputs.country,
        checkpoint=request.checkpoint,
    )


NETWORK_RUNNERS: dict[str, NetworkRunner] = {"gnn": _gnn}

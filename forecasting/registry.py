"""Forecasters by name: what ``--model`` offers and the backtest compares.

``FORECASTERS`` holds the per-series models; each entry makes a fresh, unfitted
forecaster and is picklable (a class or a ``functools.partial``), so it can be shipped
to worker processes. ``forecaster_factory`` binds the run's holiday country and
horizon into them (Prophet, ``auto``'s Prophet, ``best``'s selection horizon).

``panel_forecaster`` makes the models of all series at once: the global LightGBM
model (``GLOBAL_MODEL``), its no-graph ablation, their per-series combination
(``lightgbm_combined``, what ``DEFAULT_MODEL`` means: it won the rolling backtests of
``bench/forecast_accuracy.py``) and every per-series model with conformally calibrated
intervals.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from supplynet.forecasting.baselines import MovingAverage, Naive, SeasonalAverage, SeasonalNaive
from supplynet.forecasting.best import BestOfForecaster
from supplynet.forecasting.conformal import CalibratedPerSeries, PanelForecaster
from supplynet.forecasting.croston import Croston
from supplynet.forecasting.forecaster import ForecasterFactory, ValueForecaster
from supplynet.forecasting.global_model import (
    COMBINED_NAME,
    NO_GRAPH_NAME,
    GlobalForecaster,
    GraphUse,
)
from supplynet.forecasting.global_model import MODEL_NAME as GLOBAL_MODEL
from supplynet.forecasting.prophet_model import ProphetForecaster
from supplynet.forecasting.selection import AutoForecaster
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.network import Network

VALUE_FORECASTERS: dict[str, Callable[[], ValueForecaster]] = {
    "seasonal_naive": SeasonalNaive,
    "moving_average": MovingAverage,
    "seasonal_average": SeasonalAverage,
    "naive": Naive,
}
"""The models that also forecast bare arrays (see ``ValueForecaster``)."""

BASELINES: dict[str, ForecasterFactory] = {
    name: VALUE_FORECASTERS[name]
    for name in ("seasonal_naive", "moving_average", "seasonal_average")
}
"""The cheap yardsticks, also the candidates of ``best`` besides ``auto``."""

FORECASTERS: dict[str, ForecasterFactory] = {
    "auto": AutoForecaster,
    "prophet": ProphetForecaster,
    **BASELINES,
    "naive": Naive,
    "croston": partial(Croston, variant="croston"),
    "sba": partial(Croston, variant="sba"),
    "tsb": partial(Croston, variant="tsb"),
    "best": partial(BestOfForecaster, {"auto": AutoForecaster, **BASELINES}),
}

DEFAULT_MODEL = "auto"
"""What a forecast uses unless told otherwise: ``panel_forecaster`` maps it to the
combination of the global model with and without graph features."""

GLOBAL_MODELS = (GLOBAL_MODEL, NO_GRAPH_NAME, COMBINED_NAME)
"""Models fitted across all series (``panel_forecaster`` only)."""


def forecaster_factory(name: str, country: str | None, horizon: int) -> ForecasterFactory:
    """The per-series model ``name`` with the run's holiday ``country`` and ``horizon``.

    Raises
    ------
    ValidationFailed
        An unknown name.
    """
    prophet = partial(ProphetForecaster, country=country)
    auto = partial(AutoForecaster, primary=prophet)
    bound: dict[str, ForecasterFactory] = {
        "prophet": prophet,
        "auto": auto,
        "best": partial(BestOfForecaster, {"auto": auto, **BASELINES}, horizon=horizon),
    }
    if name in bound:
        return bound[name]
    if name in FORECASTERS:
        return FORECASTERS[name]
    known = ", ".join(sorted({*FORECASTERS, *GLOBAL_MODELS}))
    raise ValidationFailed(
        [Problem("model", f"unknown model {name!r}; known: {known}")], "forecast"
    )


def panel_forecaster(
    name: str,
    horizon: int,
    country: str | None,
    network: Network | None = None,
    seed: int = 0,
) -> PanelForecaster:
    """An unfitted model of every series: ``fit(cleaned)``, then ``forecast(history)``.

    ``lightgbm_global`` is the global model (graph features from ``network`` when
    given); ``lightgbm_no_graph`` is it without them; ``auto`` (the default) and
    ``lightgbm_combined`` combine the two per series; any other name is the per-series
    model with conformally calibrated intervals. Every model gets the same holiday
    ``country``.
    """
    graph: dict[str, GraphUse] = {
        DEFAULT_MODEL: "both",
        COMBINED_NAME: "both",
        GLOBAL_MODEL: True,
        NO_GRAPH_NAME: False,
    }
    if name in graph:
        return GlobalForecaster(horizon, country, network, graph=graph[name], seed=seed)
    return CalibratedPerSeries(forecaster_factory(name, country, horizon), name, horizon)

"""Per-series forecasters by name: what ``--model`` offers and the backtest compares.

Each entry makes a fresh, unfitted forecaster and is picklable (a class or a
``functools.partial``), so it can be shipped to worker processes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from supplynet.forecasting.baselines import MovingAverage, Naive, SeasonalAverage, SeasonalNaive
from supplynet.forecasting.best import BestOfForecaster
from supplynet.forecasting.croston import Croston
from supplynet.forecasting.forecaster import ForecasterFactory, ValueForecaster
from supplynet.forecasting.prophet_model import ProphetForecaster
from supplynet.forecasting.selection import AutoForecaster

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

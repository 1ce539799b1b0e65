"""Forecast every series of a cleaned demand frame with one forecaster factory.

This is the pure core of ``supplynet forecast`` and of the demo stage: cleaned demand
in, ``DemandForecast`` out, with the model actually used recorded per series.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import pandas as pd

from supplynet.forecasting.forecast import DemandForecast, Freq
from supplynet.forecasting.forecaster import QUANTILE_COLUMNS, ForecasterFactory
from supplynet.forecasting.series import SeriesHistory, split_series
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.executor import ParallelSettings, Progress, parallel_map


@dataclass(frozen=True)
class _Task:
    series: SeriesHistory
    future: pd.DataFrame | None


def forecast_demand(
    cleaned: pd.DataFrame,
    factory: ForecasterFactory,
    horizon: int,
    freq: Freq = "D",
    parallel: ParallelSettings | None = None,
    progress: Progress | None = None,
    future: pd.DataFrame | None = None,
) -> DemandForecast:
    """Fit ``factory()`` on each series of ``cleaned`` and forecast ``horizon`` periods.

    Parameters
    ----------
    cleaned
        A ``clean_demand`` frame.
    future
        Optional known future ``price``/``promo`` (columns ``date``, ``store_id``,
        ``sku_id``, ``price``, ``promo``), e.g. planned promotions.

    Raises
    ------
    ValidationFailed
        ``horizon`` is not positive.
    """
    if horizon < 1:
        raise ValidationFailed([Problem("horizon", f"must be >= 1, got {horizon}")], "forecast")
    tasks = [_Task(s, _future_for(future, s)) for s in split_series(cleaned)]
    parts = parallel_map(partial(_forecast_one, factory, horizon), tasks, parallel, progress)
    if not parts:
        return DemandForecast.empty(freq)
    return DemandForecast(pd.concat(parts, ignore_index=True), freq)


def _forecast_one(factory: ForecasterFactory, horizon: int, task: _Task) -> pd.DataFrame:
    model = factory().fit(task.series.history)
    answer = model.predict(horizon, task.future)
    # One construction: inserting columns one by one is slow with string-typed labels.
    return pd.DataFrame(
        {
            "location_id": task.series.location_id,
            "sku_id": task.series.sku_id,
            "period": answer.index,
            **{name: answer[name].to_numpy() for name in QUANTILE_COLUMNS},
            "model": model.model_name,
        }
    )


def _future_for(future: pd.DataFrame | None, series: SeriesHistory) -> pd.DataFrame | None:
    if future is None:
        return None
    mine = future[(future["store_id"] == series.location_id) & (future["sku_id"] == series.sku_id)]
    return mine.set_index(pd.DatetimeIndex(mine["date"], name="period")) if len(mine) else None

"""Rolling-origin backtest of the demand GNN, scored exactly like the forecasters'.

The origins are ``forecasting.backtest.cuts`` and the points have the columns of a
``forecasting.backtest.Backtest``, so the same tables (WAPE, pinball, MASE, coverage)
compare the GNN with Prophet and the baselines. The GNN is trained once, on the
periods before the first origin only, and then forecasts from every origin with the
history up to that origin: no refit, and nothing after the first origin is learned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplynet.forecasting import metrics
from supplynet.forecasting.backtest import Backtest, cuts
from supplynet.forecasting.forecaster import season_length
from supplynet.gnn.demand_forecaster import DemandModel, forecast_demand, train_demand
from supplynet.gnn.demand_model import DemandConfig
from supplynet.gnn.training import Progress, TrainConfig
from supplynet.graph.network import Network


@dataclass(frozen=True)
class GnnBacktest:
    """The scored points and the trained model (with its training report)."""

    backtest: Backtest
    model: DemandModel


def gnn_backtest(
    network: Network,
    demand: pd.DataFrame,
    config: DemandConfig,
    training: TrainConfig,
    *,
    origins: int = 3,
    step: int | None = None,
    known_future: bool = True,
    name: str = "gnn",
    stride: int = 2,
    progress: Progress | None = None,
    model: DemandModel | None = None,
) -> GnnBacktest:
    """Train before the first origin, then forecast and score every origin.

    Parameters
    ----------
    demand
        DEMAND rows (or a cleaned frame) on a regular grid, all series ending together.
    known_future
        Give the model the planned price and promotion of each horizon (they are in
        ``demand``); ``False`` holds prices flat with no promotion, as a model without
        a promotion plan would see it.
    model
        An already trained model to score instead (it must not have seen the origins).
    """
    horizon = config.horizon
    dates = pd.DatetimeIndex(np.sort(demand["date"].unique()))
    positions = cuts(len(dates), horizon, origins, step or horizon)
    first = dates[positions[0]]
    if model is None:
        model = train_demand(
            network,
            demand[demand["date"] < first],
            config,
            training,
            stride=stride,
            progress=progress,
        )
    season = season_length(dates)
    parts = []
    for cut in positions:
        origin, end = dates[cut], dates[min(cut + horizon, len(dates)) - 1]
        history = demand[demand["date"] < origin]
        window = demand[(demand["date"] >= origin) & (demand["date"] <= end)]
        forecast = forecast_demand(model, network, history, window if known_future else None)
        actual = window.rename(columns={"store_id": "location_id", "date": "period"})
        points = forecast.frame.merge(
            actual[["location_id", "sku_id", "period", "quantity"]],
            on=["location_id", "sku_id", "period"],
        ).rename(columns={"quantity": "actual"})
        points["scale"] = _mase_scales(history, season, points)
        points["origin"] = origin
        points["model"] = name
        points["fitted_model"] = name
        parts.append(points)
    return GnnBacktest(Backtest(pd.concat(parts, ignore_index=True), horizon), model)


def _mase_scales(history: pd.DataFrame, season: int, points: pd.DataFrame) -> np.ndarray:
    """Each point's series' MASE denominator from its own training history."""
    scales = {
        key: metrics.mase_scale(part.sort_values("date")["quantity"].to_numpy(dtype=float), season)
        for key, part in history.groupby(["store_id", "sku_id"], sort=False)
    }
    keys = zip(points["location_id"], points["sku_id"], strict=True)
    return np.array([scales.get(k, np.nan) for k in keys], dtype=float)

"""Use case of the analyst (and the demo): backtest the forecasters and the demand GNN on
the same sample of series and the same scored origins, so their tables compare like
with like."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from supplynet.forecasting.backtest import Backtest, backtest
from supplynet.forecasting.registry import BASELINES, forecaster_factory
from supplynet.graph.network import Network
from supplynet.server.app.horizon import Horizon


@dataclass(frozen=True)
class SeriesSample:
    """Which series are scored, on how many origins, how far ahead."""

    series: int = 16
    origins: int = 3
    horizon_days: int = 28
    seed: int = 0

    def keys(self, cleaned: pd.DataFrame) -> pd.DataFrame:
        """The sampled (store_id, sku_id) pairs, the same for every model."""
        keys = cleaned[["store_id", "sku_id"]].drop_duplicates()
        return keys.sample(min(self.series, len(keys)), random_state=self.seed)


def backtest_forecasters(
    cleaned: pd.DataFrame, sample: SeriesSample, horizon: Horizon, country: str | None
) -> pd.DataFrame:
    """``auto`` (its Prophet with the holidays of ``country``), the baselines and ``best``
    (chosen on the first origin), aggregated."""
    rows = cleaned.merge(sample.keys(cleaned), on=["store_id", "sku_id"])
    auto = forecaster_factory("auto", country, horizon.periods)
    result = backtest(
        rows, {"auto": auto, **BASELINES}, horizon.periods, origins=sample.origins
    ).with_best(selection_origins=1)
    return result.aggregate()


def backtest_gnn(
    network: Network,
    cleaned: pd.DataFrame,
    sample: SeriesSample,
    horizon: Horizon,
    epochs: int,
    country: str | None,
) -> pd.DataFrame:
    """The demand GNN (holidays of ``country``) trained before the first scored origin, on
    the sample's series."""
    from supplynet.gnn.backtest import gnn_backtest
    from supplynet.gnn.demand_model import DemandConfig, lag_window
    from supplynet.gnn.training import TrainConfig

    config = DemandConfig(
        horizon=horizon.periods,
        freq=horizon.freq,
        lags=lag_window(horizon.freq, cleaned["date"].nunique()),
        holiday_country=country,
    )
    training = TrainConfig(epochs=epochs, patience=4, seed=sample.seed)
    result = gnn_backtest(network, cleaned, config, training, origins=sample.origins - 1, stride=7)
    keys = sample.keys(cleaned).rename(columns={"store_id": "location_id"})
    points = result.backtest.points.merge(keys, on=["location_id", "sku_id"])
    return Backtest(points, horizon.periods).aggregate()

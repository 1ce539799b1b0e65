"""Use case of the analyst (and the demo): backtest the forecasters and the demand GNN on
the same sample of series and the same scored origins, so their tables compare like
with like.

The GNN is trained on a bounded sample around the scored series (whole locations, at
most ``SeriesSample.train_series``), not on every series of the network: a snapshot
holds every series it trains on, and a network of 100k series would take the better
part of an hour and over 10 GB to score 16 of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplynet.forecasting.backtest import Backtest, backtest
from supplynet.forecasting.registry import BASELINES, forecaster_factory
from supplynet.forecasting.series_index import SeriesIndex, SeriesKey
from supplynet.graph.network import Network
from supplynet.server.app.horizon import Horizon

TRAIN_SERIES = 5_000
"""The most series the backtest's GNN trains on (whole locations around the scored ones)."""


@dataclass(frozen=True)
class SeriesSample:
    """Which series are scored, on how many origins; how many series the GNN trains on."""

    series: int = 16
    origins: int = 3
    seed: int = 0
    train_series: int = TRAIN_SERIES

    def keys(self, index: SeriesIndex) -> list[SeriesKey]:
        """The scored series, the same for every model (a seeded draw, sorted)."""
        every = index.keys()
        picked = np.random.default_rng(self.seed).choice(
            len(every), size=min(self.series, len(every)), replace=False
        )
        return sorted(every[i] for i in picked)

    def training_keys(self, index: SeriesIndex) -> list[SeriesKey]:
        """The GNN's training series: the scored ones and whole locations, theirs first."""
        from supplynet.gnn.series_sample import whole_locations

        return whole_locations(index.keys(), self.train_series, self.seed, self.keys(index))


@dataclass(frozen=True)
class GnnTable:
    """The GNN's aggregated backtest and what it was trained on."""

    table: pd.DataFrame
    trained_series: int
    trained_locations: int


def backtest_forecasters(
    index: SeriesIndex, sample: SeriesSample, horizon: Horizon, country: str | None
) -> pd.DataFrame:
    """``auto`` (its Prophet with the holidays of ``country``), the baselines and ``best``
    (chosen on the first origin), aggregated."""
    auto = forecaster_factory("auto", country, horizon.periods)
    result = backtest(
        index.rows(sample.keys(index)),
        {"auto": auto, **BASELINES},
        horizon.periods,
        origins=sample.origins,
    ).with_best(selection_origins=1)
    return result.aggregate()


def backtest_gnn(
    network: Network,
    index: SeriesIndex,
    sample: SeriesSample,
    horizon: Horizon,
    epochs: int,
    country: str | None,
) -> GnnTable:
    """The demand GNN (holidays of ``country``) trained before the first scored origin on
    ``sample.training_keys``, scored on the sample's series."""
    from supplynet.gnn.backtest import gnn_backtest
    from supplynet.gnn.demand_model import DemandConfig, lag_window
    from supplynet.gnn.training import TrainConfig

    trained = sample.training_keys(index)
    rows = index.rows(trained)
    config = DemandConfig(
        horizon=horizon.periods,
        freq=horizon.freq,
        lags=lag_window(horizon.freq, rows["date"].nunique()),
        holiday_country=country,
    )
    training = TrainConfig(epochs=epochs, patience=4, seed=sample.seed)
    result = gnn_backtest(network, rows, config, training, origins=sample.origins - 1, stride=7)
    scored = pd.DataFrame(sample.keys(index), columns=["location_id", "sku_id"])
    points = result.backtest.points.merge(scored, on=["location_id", "sku_id"])
    table = Backtest(points, horizon.periods).aggregate()
    return GnnTable(table, len(trained), len({location for location, _ in trained}))

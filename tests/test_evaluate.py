"""The analyst's (and the demo's) backtest: the GNN trains on a bounded, seeded sample
that holds the scored series, and is scored on exactly the forecasters' series."""

from __future__ import annotations

import pytest

from supplynet.forecasting.series_index import SeriesIndex
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.app import evaluate
from supplynet.server.app.horizon import Horizon

SAMPLE = evaluate.SeriesSample(series=4, origins=3, seed=1, train_series=20)


@pytest.fixture(scope="module")
def index(tiny: SyntheticDataset) -> SeriesIndex:
    return SeriesIndex(tiny.demand)


def test_training_sample_is_capped_seeded_and_holds_the_scored_series(index: SeriesIndex) -> None:
    scored = SAMPLE.keys(index)
    trained = SAMPLE.training_keys(index)
    assert len(scored) == 4 and len(index) > 20
    assert len(trained) == 20
    assert set(scored) <= set(trained)
    assert SAMPLE.training_keys(index) == trained
    assert evaluate.SeriesSample(seed=1, train_series=10_000).training_keys(index) == index.keys()


def test_gnn_is_scored_on_the_forecasters_series(
    tiny: SyntheticDataset, index: SeriesIndex
) -> None:
    horizon = Horizon(28, index.freq)
    gnn = evaluate.backtest_gnn(tiny.network, index, SAMPLE, horizon, epochs=1, country=None)
    assert gnn.trained_series == 20
    assert gnn.trained_locations == len({location for location, _ in SAMPLE.training_keys(index)})
    assert gnn.table["model"].tolist() == ["gnn"]
    forecasters = evaluate.backtest_forecasters(index, SAMPLE, horizon, None)
    assert set(forecasters["series"]) == set(gnn.table["series"]) == {4}

"""Demand GNN: the loop learns, checkpoints round-trip, forecasts have the shared shape."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from supplynet.forecasting.forecast import DemandForecast
from supplynet.gnn.demand_forecaster import DemandModel, forecast_demand, train_demand
from supplynet.gnn.demand_model import DemandConfig, DemandNet, quantile_loss
from supplynet.gnn.graph_data import NODE, build_graph, snapshot
from supplynet.gnn.panel import build_panel
from supplynet.gnn.training import Checkpoint, TrainConfig, fit
from supplynet.graph.errors import ValidationFailed
from supplynet.graph.synthetic import SyntheticDataset

SMALL = DemandConfig(lags=14, horizon=7, hidden=8, layers=1, dropout=0.0)
QUICK = TrainConfig(epochs=3, batch_size=8, patience=3, seed=1)


@pytest.fixture(scope="module")
def model(tiny: SyntheticDataset) -> DemandModel:
    history = tiny.demand[tiny.demand["date"] < "2025-06-01"]
    return train_demand(tiny.network, history, SMALL, QUICK, stride=21, val_origins=2)


def test_tiny_model_overfits_a_tiny_problem(tiny: SyntheticDataset) -> None:
    """Two snapshots, many epochs: the loss falls far below the seasonal profile's it
    starts from (the network learns beyond its naive starting point)."""
    panel = build_panel(tiny.demand)
    graph = build_graph(tiny.network, panel.keys)
    samples = [snapshot(panel, graph, o, SMALL.lags, SMALL.horizon) for o in (50, 250)]
    net = DemandNet(DemandConfig(lags=14, horizon=7, hidden=32, layers=1, dropout=0.0))

    def loss(m: torch.nn.Module, batch: object) -> torch.Tensor:
        node = batch[NODE]  # type: ignore[index]
        return quantile_loss(m(batch), node.y, node.y_mask)

    naive = float(
        np.mean(
            [
                quantile_loss(s[NODE].base[..., None].expand(-1, -1, 4), s[NODE].y, s[NODE].y_mask)
                for s in samples
            ]
        )
    )
    config = TrainConfig(epochs=60, batch_size=2, patience=60, learning_rate=1e-2)
    report = fit(net, samples, samples, loss, config)
    assert report.best_val_loss < 0.8 * naive


def test_forecast_covers_every_series_and_step(tiny: SyntheticDataset, model: DemandModel) -> None:
    """One forward pass gives mean and ordered quantiles for all series and periods."""
    history = tiny.demand[tiny.demand["date"] < "2025-06-01"]
    forecast = forecast_demand(model, tiny.network, history)
    assert isinstance(forecast, DemandForecast)
    n_series = history.groupby(["store_id", "sku_id"]).ngroups
    assert len(forecast.frame) == n_series * SMALL.horizon
    assert forecast.periods[0].strftime("%Y-%m-%d") == "2025-06-01"
    assert set(forecast.frame["model"]) == {"gnn"}


def test_checkpoint_round_trip_gives_identical_predictions(
    tiny: SyntheticDataset, model: DemandModel
) -> None:
    """State dict + config through bytes rebuild a model that predicts bit for bit the same."""
    history = tiny.demand[tiny.demand["date"] < "2025-03-01"]
    again = DemandModel.from_checkpoint(Checkpoint.from_bytes(model.checkpoint().to_bytes()))
    assert again.config == model.config
    first = forecast_demand(model, tiny.network, history).frame
    second = forecast_demand(again, tiny.network, history).frame
    assert first.equals(second)


def test_same_seed_same_model(tiny: SyntheticDataset, model: DemandModel) -> None:
    """Training is deterministic given the seed; another seed gives other weights."""
    history = tiny.demand[tiny.demand["date"] < "2025-06-01"]
    same = train_demand(tiny.network, history, SMALL, QUICK, stride=21, val_origins=2)
    for a, b in zip(model.net.state_dict().values(), same.net.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    other = TrainConfig(epochs=3, batch_size=8, patience=3, seed=2)
    different = train_demand(tiny.network, history, SMALL, other, stride=21, val_origins=2)
    weights = [p.detach().numpy() for p in different.net.parameters()]
    assert not all(
        np.array_equal(w, p.detach().numpy())
        for w, p in zip(weights, model.net.parameters(), strict=True)
    )


def test_neighbour_plans_reach_the_head_only_through_edges(tiny: SyntheticDataset) -> None:
    """A substitute's planned promotion changes a series' forecast; without edges (the
    ablation) it cannot."""
    panel = build_panel(tiny.demand)
    config = DemandConfig(lags=14, horizon=7, hidden=8, layers=0, relations=("substitute",))
    torch.manual_seed(0)
    net = DemandNet(config).eval()
    graph = build_graph(tiny.network, panel.keys, config.relations)
    src, dst = (int(v) for v in graph.edges["substitute"][:, 0])
    for edges, moves in ((graph, True), (graph.without_edges(), False)):
        data = snapshot(panel, edges, 300, config.lags, config.horizon)
        before = net(data)[dst]
        data[NODE].x_future[src, :, 0] = 1 - data[NODE].x_future[src, :, 0]
        assert bool((net(data)[dst] != before).any()) is moves


def test_wrong_checkpoint_kind_is_rejected(model: DemandModel) -> None:
    bad = Checkpoint("risk", model.config.to_dict(), model.net.state_dict())
    with pytest.raises(ValidationFailed, match="expected 'demand'"):
        DemandModel.from_checkpoint(bad)


def test_too_short_history_is_rejected(tiny: SyntheticDataset) -> None:
    history = tiny.demand[tiny.demand["date"] < "2024-01-20"]
    with pytest.raises(ValidationFailed, match="history too short"):
        train_demand(tiny.network, history, SMALL, QUICK)

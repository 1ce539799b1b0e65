"""Demand GNN: the loop learns, checkpoints round-trip, forecasts have the shared shape;
training and forecasting clean alike, restarts keep the best validation loss, the mean
lies inside the interval, closed weekdays are zero, and a longer horizon than trained
is an error rather than a silent retrain."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from supplynet.forecasting.cleaning import clean_demand
from supplynet.forecasting.forecast import DemandForecast
from supplynet.gnn.demand_forecaster import (
    DemandModel,
    GnnForecaster,
    forecast_demand,
    train_demand,
)
from supplynet.gnn.demand_model import DemandConfig, DemandNet, quantile_loss
from supplynet.gnn.graph_data import NODE, build_graph, snapshot
from supplynet.gnn.panel import build_panel
from supplynet.gnn.training import Checkpoint, TrainConfig, fit
from supplynet.graph.errors import ValidationFailed
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.app.horizon import Horizon
from supplynet.server.app.models import ModelStore
from supplynet.server.app.train import gnn_forecast

SMALL = DemandConfig(lags=14, horizon=7, hidden=8, layers=1, dropout=0.0)
QUICK = TrainConfig(epochs=3, batch_size=8, patience=3, seed=1)


@pytest.fixture(scope="module")
def model(tiny: SyntheticDataset) -> DemandModel:
    history = tiny.demand[tiny.demand["date"] < "2025-06-01"]
    return train_demand(tiny.network, history, SMALL, QUICK, stride=21, val_origins=2, restarts=1)


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
    same = train_demand(tiny.network, history, SMALL, QUICK, stride=21, val_origins=2, restarts=1)
    for a, b in zip(model.net.state_dict().values(), same.net.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    other = TrainConfig(epochs=3, batch_size=8, patience=3, seed=20)
    different = train_demand(
        tiny.network, history, SMALL, other, stride=21, val_origins=2, restarts=1
    )
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
    with pytest.raises(ValidationFailed, match=r"history too short: 19 periods, .* need 38"):
        train_demand(tiny.network, history, SMALL, QUICK)


def test_longer_horizon_than_trained_is_an_error(
    tiny: SyntheticDataset, model: DemandModel
) -> None:
    """A model answers its horizon or a shorter one; a longer one never retrains silently."""
    history = tiny.demand[tiny.demand["date"] < "2025-06-01"]
    with pytest.raises(ValidationFailed, match="trained for 7 periods; got 14"):
        forecast_demand(model, tiny.network, history, horizon=14)
    shorter = forecast_demand(model, tiny.network, history, horizon=3)
    assert len(shorter.periods) == 3


def test_saved_model_is_never_retrained_for_a_longer_horizon(
    tiny: SyntheticDataset, model: DemandModel, tmp_path: Path
) -> None:
    """The application's GNN forecast with a 7-day checkpoint asked for 14 days fails
    with the reason instead of training another model; for 7 days it uses the checkpoint."""
    history = tiny.demand[tiny.demand["date"] < "2025-06-01"]
    saved = model.checkpoint().to_bytes()
    store = ModelStore(tmp_path)
    with pytest.raises(ValidationFailed, match="trained for 7 periods; got 14"):
        gnn_forecast(tiny.network, history, Horizon(14, "D"), 0, store, checkpoint=saved)
    used = gnn_forecast(tiny.network, history, Horizon(7, "D"), 0, store, checkpoint=saved)
    assert used.frame.equals(forecast_demand(model, tiny.network, history).frame)


def test_training_and_forecasting_clean_alike(tiny: SyntheticDataset, model: DemandModel) -> None:
    """Raw demand with a wild spike forecasts exactly as its cleaned version: forecasting
    applies the same cleaning as training (the spike is capped either way)."""
    history = tiny.demand[tiny.demand["date"] < "2025-06-01"].copy()
    history.loc[history.index[-3], "quantity"] = 1e6
    raw = forecast_demand(model, tiny.network, history).frame
    cleaned = forecast_demand(model, tiny.network, clean_demand(history).frame).frame
    assert raw["mean"].max() < 1e5
    assert np.allclose(raw["mean"], cleaned["mean"])


def test_mean_lies_inside_the_interval(tiny: SyntheticDataset, model: DemandModel) -> None:
    frame = forecast_demand(model, tiny.network, tiny.demand).frame
    assert (frame["mean"] >= frame["p10"] - 1e-6).all()
    assert (frame["mean"] <= frame["p90"] + 1e-6).all()


def test_closed_weekday_is_forecast_as_zero(tiny: SyntheticDataset, model: DemandModel) -> None:
    """A series that never sells on Sundays gets zero on the forecast's Sunday."""
    history = tiny.demand[tiny.demand["date"] < "2025-06-01"].copy()
    first = history[["store_id", "sku_id"]].iloc[0]
    mine = (history["store_id"] == first["store_id"]) & (history["sku_id"] == first["sku_id"])
    history.loc[mine & (history["date"].dt.dayofweek == 6), "quantity"] = 0.0
    frame = forecast_demand(model, tiny.network, history).series(*first)
    sunday = frame[frame["period"].dt.dayofweek == 6]
    assert len(sunday) == 1
    assert float(sunday[["mean", "p10", "p50", "p90"]].to_numpy().max()) == 0.0
    assert frame["mean"].sum() > 0


def test_restarts_keep_the_lowest_validation_loss(tiny: SyntheticDataset) -> None:
    """Of several seeds the kept network is the one that validated best."""
    history = tiny.demand[tiny.demand["date"] < "2025-06-01"]
    alone = [
        train_demand(
            tiny.network,
            history,
            SMALL,
            TrainConfig(epochs=2, batch_size=8, seed=seed),
            stride=28,
            val_origins=2,
            restarts=1,
        )
        for seed in (5, 6)
    ]
    both = train_demand(
        tiny.network,
        history,
        SMALL,
        TrainConfig(epochs=2, batch_size=8, seed=5),
        stride=28,
        val_origins=2,
        restarts=2,
    )
    losses = [m.report.best_val_loss for m in alone if m.report]
    assert both.report is not None
    assert both.report.best_val_loss == min(losses)


def test_panel_adapter_trains_forecasts_and_refuses_a_longer_horizon(
    tiny: SyntheticDataset,
) -> None:
    """``GnnForecaster`` (the accuracy bench's GNN row) trains once, answers every series
    for its horizon, and refuses a longer one instead of retraining."""
    history = tiny.demand[tiny.demand["date"] < "2025-06-01"]
    gnn = GnnForecaster(tiny.network, SMALL, QUICK, stride=21, restarts=1).fit(history)
    frame = gnn.forecast(history).frame
    series = history.groupby(["store_id", "sku_id"]).ngroups
    assert len(frame) == series * SMALL.horizon
    assert set(frame["model"]) == {gnn.model_name}
    with pytest.raises(ValidationFailed, match="horizon"):
        gnn.forecast(history, horizon=SMALL.horizon + 1)

"""Train the demand GNN on a network's history and forecast every series with it.

Training uses forecast origins spread over the history; the last ``val_origins`` of
them validate (early stopping) and are separated from the training origins by a gap of
one horizon, so no training target overlaps a validation target. ``restarts`` networks
from different seeds are trained and the one with the lowest validation loss is kept,
so an unlucky initialisation (one that never improves on its first epoch) does not
decide the model. The model has no series ids: it forecasts any series of any network
from its features and neighbours.

Training and forecasting clean the demand with the same rules (``clean_demand``), and
the forecast is zero on weekdays a series does not trade. A model answers the horizon
it was trained for (or a shorter one); a longer one is an error, never a silent retrain.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Self

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from supplynet.forecasting.cleaning import clean_demand
from supplynet.forecasting.forecast import DemandForecast
from supplynet.forecasting.global_features import closed_weekdays
from supplynet.gnn.demand_model import DemandConfig, DemandNet, quantile_loss
from supplynet.gnn.graph_data import NODE, SeriesGraph, build_graph, snapshot
from supplynet.gnn.panel import SeriesPanel, build_panel
from supplynet.gnn.pyg import HeteroData
from supplynet.gnn.training import (
    Checkpoint,
    Progress,
    TrainConfig,
    TrainReport,
    fit,
    seeded,
)
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.network import Network

MODEL_NAME = "gnn"
CHECKPOINT_KIND = "demand"


@dataclass(frozen=True)
class DemandModel:
    """A trained demand GNN (weights in eval mode) and how it was trained."""

    config: DemandConfig
    net: DemandNet
    report: TrainReport | None = None

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(CHECKPOINT_KIND, self.config.to_dict(), self.net.state_dict())

    @classmethod
    def from_checkpoint(cls, checkpoint: Checkpoint) -> DemandModel:
        """Rebuild the model; raises ``ValidationFailed`` for a checkpoint of another kind."""
        checkpoint.require_kind(CHECKPOINT_KIND)
        config = DemandConfig.from_dict(checkpoint.config)
        net = DemandNet(config)
        net.load_state_dict(checkpoint.state)
        net.eval()
        return cls(config, net)


def training_snapshots(
    panel: SeriesPanel, graph: SeriesGraph, config: DemandConfig, stride: int, val_origins: int
) -> tuple[list[HeteroData], list[HeteroData]]:
    """(train, validation) snapshots split by time with a one-horizon gap between them."""
    last = panel.quantity.shape[1] - config.horizon
    val = list(range(last, last - val_origins * stride, -stride))[::-1]
    first_val = val[0] if val else last + 1
    train = range(config.lags, first_val - config.horizon + 1, stride)
    if len(train) < 1:
        periods = panel.quantity.shape[1]
        needed = periods + config.lags + config.horizon - first_val
        raise ValidationFailed(
            [
                Problem(
                    "demand",
                    f"history too short: {periods} periods, and {config.lags} lags, a "
                    f"{config.horizon}-period target, a {config.horizon}-period gap and "
                    f"{val_origins} validation origins {stride} apart need {needed}",
                )
            ],
            "demand training",
        )

    def make(origins: Iterable[int]) -> list[HeteroData]:
        return [snapshot(panel, graph, o, config.lags, config.horizon) for o in origins]

    return make(train), make(val)


def train_demand(
    network: Network,
    demand: pd.DataFrame,
    config: DemandConfig | None = None,
    training: TrainConfig | None = None,
    *,
    stride: int = 2,
    val_origins: int = 6,
    restarts: int = 2,
    progress: Progress | None = None,
) -> DemandModel:
    """Fit a demand GNN on all of ``demand`` (cut it before calling to hold data out).

    Parameters
    ----------
    stride
        Periods between consecutive training origins (1 uses every period; larger trains faster).
    val_origins
        The latest origins, held out for early stopping and for choosing among restarts.
    restarts
        Networks trained from seeds ``training.seed + k``; the lowest validation loss wins.
    """
    config = config or DemandConfig()
    training = training or TrainConfig()
    panel = _panel(demand, config)
    graph = _graph(network, panel, config)
    train, val = training_snapshots(panel, graph, config, stride, val_origins)
    best: DemandModel | None = None
    for restart in range(max(restarts, 1)):
        attempt = replace(training, seed=training.seed + restart)
        with seeded(attempt.seed):
            net = DemandNet(config)
            report = fit(net, train, val, _loss, attempt, progress)
        net.cpu()
        if best is None or (best.report and report.best_val_loss < best.report.best_val_loss):
            best = DemandModel(config, net, report)
    assert best is not None
    return best


def prepared_demand(demand: pd.DataFrame, freq: str) -> pd.DataFrame:
    """The cleaning both training and forecasting apply (``forecasting.cleaning``'s rules)."""
    return clean_demand(demand, "W" if freq == "W" else "D").frame


def _panel(demand: pd.DataFrame, config: DemandConfig) -> SeriesPanel:
    return build_panel(
        prepared_demand(demand, config.freq),
        config.freq,
        holiday_country=config.holiday_country,
    )


def _loss(net: torch.nn.Module, batch: HeteroData) -> Tensor:
    node = batch[NODE]
    return quantile_loss(net(batch), node.y, node.y_mask & node.active[:, None])


def forecast_demand(
    model: DemandModel,
    network: Network,
    history: pd.DataFrame,
    future: pd.DataFrame | None = None,
    horizon: int | None = None,
) -> DemandForecast:
    """Forecast ``horizon`` periods after the end of ``history`` for every series in it.

    Parameters
    ----------
    history
        DEMAND rows up to the forecast origin (exclusive).
    future
        Planned price and promo per series for the horizon (DEMAND columns; quantity
        ignored). Without it, prices stay at their last value and nothing is on promotion.
    horizon
        Periods to forecast (default: the trained horizon).

    Raises
    ------
    ValidationFailed
        ``horizon`` is longer than the model's (train a model for it: never silently).
    """
    config = model.config
    horizon = horizon or config.horizon
    if not 1 <= horizon <= config.horizon:
        raise ValidationFailed(
            [
                Problem(
                    "horizon",
                    f"the checkpoint was trained for {config.horizon} periods; got {horizon} "
                    "(train and save a model for this horizon)",
                )
            ],
            "gnn forecast",
        )
    panel = _panel(history, config)
    origin = len(panel.periods)
    if future is not None:
        panel = panel.with_future(future)
    panel = panel.padded(origin + config.horizon)
    graph = _graph(network, panel, config)
    data = snapshot(panel, graph, origin, config.lags, config.horizon)
    with torch.no_grad():
        out = model.net(data).numpy()
    scaled = out * data[NODE].scale.numpy()[:, None, None]
    scaled = np.maximum(scaled, 0.0)[:, :horizon]
    if config.freq != "W":
        scaled[closed_weekdays(panel.quantity[:, :origin], horizon)] = 0.0
    periods = [panel.period_at(origin + h) for h in range(horizon)]
    n = panel.n_series
    frame = pd.DataFrame(
        {
            "location_id": np.repeat([k[0] for k in panel.keys], horizon),
            "sku_id": np.repeat([k[1] for k in panel.keys], horizon),
            "period": np.tile(np.array(periods, dtype="datetime64[ns]"), n),
            "mean": scaled[..., 0].ravel(),
            "p10": scaled[..., 1].ravel(),
            "p50": scaled[..., 2].ravel(),
            "p90": scaled[..., 3].ravel(),
            "model": MODEL_NAME,
        }
    )
    return DemandForecast(frame, "W" if config.freq == "W" else "D")


def _graph(network: Network, panel: SeriesPanel, config: DemandConfig) -> SeriesGraph:
    graph = build_graph(network, panel.keys, config.relations)
    return graph if config.message_passing else graph.without_edges()


class GnnForecaster:
    """The demand GNN behind the panel models' ``fit`` / ``forecast`` pair, so the
    accuracy bench scores it beside the global model on the same origins.

    ``fit`` trains on a demand frame (``train_demand``: restarts, early stopping);
    ``forecast`` answers from the trained weights (``forecast_demand``).
    """

    def __init__(
        self,
        network: Network,
        config: DemandConfig,
        training: TrainConfig | None = None,
        *,
        stride: int = 2,
        restarts: int = 2,
    ) -> None:
        self.network = network
        self.config = config
        self.training = training
        self.stride = stride
        self.restarts = restarts
        self.model_: DemandModel | None = None

    @property
    def model_name(self) -> str:
        return MODEL_NAME

    def fit(self, demand: pd.DataFrame) -> Self:
        self.model_ = train_demand(
            self.network,
            demand,
            self.config,
            self.training,
            stride=self.stride,
            restarts=self.restarts,
        )
        return self

    def forecast(
        self,
        history: pd.DataFrame,
        future: pd.DataFrame | None = None,
        horizon: int | None = None,
    ) -> DemandForecast:
        if self.model_ is None:
            raise RuntimeError("the GNN is not fitted")
        return forecast_demand(self.model_, self.network, history, future, horizon)

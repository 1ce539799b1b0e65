"""Use cases of the GNNs: train demand or risk models, score risk, forecast with the GNN.

torch and PyG load only when one of these runs (importing them takes seconds), so the
``gnn`` imports sit inside the functions. Checkpoints go to the ``ModelStore``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from supplynet.graph.errors import Problem
from supplynet.graph.model import CountryCode
from supplynet.graph.network import Network
from supplynet.server.app.horizon import Horizon
from supplynet.server.app.models import ModelStore
from supplynet.server.app.settings import holiday_country
from supplynet.server.app.validation import require

if TYPE_CHECKING:
    from supplynet.forecasting.forecast import DemandForecast
    from supplynet.gnn.demand_forecaster import DemandModel
    from supplynet.gnn.risk_model import RiskModel
    from supplynet.gnn.risk_scores import RiskScores
    from supplynet.gnn.training import Progress

ModelKind = Literal["demand", "risk"]


class TrainRequest(BaseModel):
    """How to train; bounds declared as data."""

    model_config = ConfigDict(frozen=True)

    kind: ModelKind
    epochs: int = Field(default=40, ge=1, le=10_000)
    horizon_days: int = Field(default=28, ge=1, le=366)
    seed: int = 0
    device: str = "cpu"
    message_passing: bool = True
    country: CountryCode | None = None
    """The demand GNN's holiday calendar asked for or configured; ``None``: the network's."""
    max_series: int | None = Field(default=None, ge=1)
    """Demand: train on at most this many series, whole locations in a seeded order
    (``gnn.series_sample``); ``None``: every series in scope."""
    max_cutoffs: int | None = Field(default=None, ge=20)
    """Risk: at most this many training cut-off days, spread evenly over the history;
    ``None``: every day."""

    @field_validator("max_series", "max_cutoffs")
    @classmethod
    def _of_its_kind(cls, value: int | None, info: ValidationInfo) -> int | None:
        """A bound for the other model would be ignored: refuse it instead."""
        kind = {"max_series": "demand", "max_cutoffs": "risk"}[str(info.field_name)]
        if value is not None and info.data.get("kind") != kind:
            raise ValueError(f"only for kind {kind!r}")
        return value


@dataclass(frozen=True)
class Trained:
    """A trained model, where its checkpoint was saved, and what it was trained on (a
    line for people: a bounded training set must say so)."""

    model: DemandModel | RiskModel
    path: str
    trained_on: str


def train_model(
    request: TrainRequest,
    network: Network,
    history: pd.DataFrame,
    models: ModelStore,
    *,
    checkpoint: str | None = None,
    progress: Progress | None = None,
) -> Trained:
    """Train the demand GNN on demand history or the risk GNN on deliveries, and save it."""
    from pathlib import Path

    from supplynet.forecasting.cleaning import infer_freq
    from supplynet.gnn.demand_forecaster import train_demand
    from supplynet.gnn.demand_model import DemandConfig, lag_window
    from supplynet.gnn.risk_model import RiskConfig, train_risk
    from supplynet.gnn.series_sample import location_sample
    from supplynet.gnn.training import TrainConfig

    require([] if not history.empty else [Problem(request.kind, "no history in scope")], "train")
    training = TrainConfig(
        epochs=request.epochs,
        seed=request.seed,
        device=request.device,
        patience=8 if request.kind == "demand" else 10,
    )
    model: DemandModel | RiskModel
    if request.kind == "demand":
        freq = infer_freq(history)
        config = DemandConfig(
            horizon=Horizon(request.horizon_days, freq).periods,
            freq=freq,
            message_passing=request.message_passing,
            lags=lag_window(freq, history["date"].nunique()),
            holiday_country=holiday_country(request.country, network),
        )
        every = _series(history)
        if request.max_series is not None:
            history = location_sample(history, request.max_series, request.seed)
            trained_on = (
                f"{_series(history):,} of {every:,} series (whole locations, at most "
                f"{request.max_series:,}, seed {request.seed})"
            )
        else:
            trained_on = f"all {every:,} series"
        model = train_demand(network, history, config, training, progress=progress)
    else:
        config_risk = RiskConfig(message_passing=request.message_passing)
        model = train_risk(
            network,
            history,
            config_risk,
            training,
            max_cutoffs=request.max_cutoffs,
            progress=progress,
        )
        bound = f" (at most {request.max_cutoffs})" if request.max_cutoffs is not None else ""
        trained_on = (
            f"{len(history):,} deliveries, cut-offs every {model.config.stride_days} days{bound}"
        )
    given = Path(checkpoint) if checkpoint else None
    path = models.save(request.kind, model.checkpoint(), given)
    return Trained(model, str(path), trained_on)


def _series(demand: pd.DataFrame) -> int:
    return int(demand.groupby(["store_id", "sku_id"]).ngroups)


def score_risk(checkpoint: bytes, network: Network, deliveries: pd.DataFrame) -> RiskScores:
    """Late-delivery risk of every supplier and supply lane with a saved risk GNN."""
    from supplynet.gnn.risk_model import RiskModel
    from supplynet.gnn.risk_model import score_risk as score_with
    from supplynet.gnn.training import Checkpoint

    model = RiskModel.from_checkpoint(Checkpoint.from_bytes(checkpoint))
    return score_with(model, network, deliveries)


def gnn_forecast(
    network: Network,
    cleaned: pd.DataFrame,
    horizon: Horizon,
    seed: int,
    models: ModelStore | None = None,
    country: str | None = None,
    checkpoint: bytes | None = None,
) -> DemandForecast:
    """Forecast with ``checkpoint`` (or the saved demand GNN); without either, one
    trained now on ``cleaned`` with the holiday calendar of ``country``.

    Raises ``ValidationFailed`` when the checkpoint's horizon or frequency does not
    cover the request: a model is never retrained silently in its place.
    """
    from supplynet.gnn.demand_forecaster import DemandModel, forecast_demand, train_demand
    from supplynet.gnn.demand_model import DemandConfig, lag_window
    from supplynet.gnn.training import Checkpoint, TrainConfig

    models = models or ModelStore.beside()
    if checkpoint is None and models.exists("demand"):
        checkpoint = models.load_bytes("demand")
    if checkpoint is not None:
        model = DemandModel.from_checkpoint(Checkpoint.from_bytes(checkpoint))
        wrong = f"trained on {model.config.freq} periods, the data is {horizon.freq}"
        require(
            [Problem("checkpoint", wrong)] if model.config.freq != horizon.freq else [],
            "gnn forecast",
        )
        return forecast_demand(model, network, cleaned, horizon=horizon.periods)
    lags = lag_window(horizon.freq, cleaned["date"].nunique())
    config = DemandConfig(
        horizon=horizon.periods, freq=horizon.freq, lags=lags, holiday_country=country
    )
    model = train_demand(network, cleaned, config, TrainConfig(seed=seed, epochs=20))
    return forecast_demand(model, network, cleaned)

"""Use cases of the GNNs: train demand or risk models, score risk, forecast with the GNN.

torch and PyG load only when one of these runs (importing them takes seconds), so the
``gnn`` imports sit inside the functions. Checkpoints go to the ``ModelStore``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

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


@dataclass(frozen=True)
class Trained:
    """A trained model and where its checkpoint was saved."""

    model: DemandModel | RiskModel
    path: str


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
        model = train_demand(network, history, config, training, progress=progress)
    else:
        config_risk = RiskConfig(message_passing=request.message_passing)
        model = train_risk(network, history, config_risk, training, progress=progress)
    given = Path(checkpoint) if checkpoint else None
    path = models.save(request.kind, model.checkpoint(), given)
    return Trained(model, str(path))


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

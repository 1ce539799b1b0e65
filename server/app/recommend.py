"""Use case: graph-aware recommendations (substitutes, listings, alternate suppliers).

``train_recommender`` fits the LightGCN model on the stored sales and saves it in the
model store; ``build_recommender`` turns a checkpoint, the network, the latest
replenishment plan and (for alternate suppliers) risk scores into a ``Recommender``
once per model version, so each request is only numpy over precomputed vectors plus
the stock check. torch loads only when one of these runs, hence the inner imports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from supplynet.graph.errors import Problem
from supplynet.graph.network import Network
from supplynet.graph.plans import StoredPlan
from supplynet.graph.store import GraphStore
from supplynet.optimizer.recommend.result import DATED_USES
from supplynet.server.app.models import ModelStore
from supplynet.server.app.validation import checked, require

if TYPE_CHECKING:
    from supplynet.gnn.risk_scores import RiskScores
    from supplynet.optimizer.recommend.lightgcn import EpochProgress
    from supplynet.optimizer.recommend.model import RecommendModel
    from supplynet.optimizer.recommend.recommender import Recommender
    from supplynet.optimizer.recommend.result import Recommendations

KIND = "recommend"
PLAN_KIND = "replenishment"
UseName = Literal["substitute", "listing", "alternate-supplier"]


class RecommendRequest(BaseModel):
    """One recommendation request; bounds declared as data.

    ``store_id`` is a warehouse or a store for ``alternate-supplier``; ``need_date``
    ``None`` means the network's today (the day after its last sale).
    """

    model_config = ConfigDict(frozen=True)

    use: UseName = "substitute"
    sku_id: str = Field(default="", max_length=128)
    store_id: str = Field(min_length=1, max_length=128)
    need_date: dt.date | None = None
    limit: int = Field(default=10, ge=1, le=1000)


def recommend_request(found: Sequence[Problem] = (), /, **fields: object) -> RecommendRequest:
    """The checked request, with problems a door found (a bad date) reported alongside;
    ``sku_id`` is required except for listings."""
    problems = list(found)
    asked = fields.get("use") or "substitute"
    if asked != "listing" and not fields.get("sku_id"):
        problems.append(Problem("sku_id", f"required for use {asked!r}"))
    return checked(RecommendRequest, "recommendation request", problems, **fields)


class TrainRecommendRequest(BaseModel):
    """How to train the recommender."""

    model_config = ConfigDict(frozen=True)

    epochs: int = Field(default=150, ge=1, le=10_000)
    seed: int = 0


@dataclass(frozen=True)
class TrainedRecommender:
    """A trained recommendation model and where its checkpoint was saved."""

    model: RecommendModel
    path: str
    seconds: float


def train_recommender(
    request: TrainRecommendRequest,
    network: Network,
    demand: pd.DataFrame,
    models: ModelStore,
    *,
    checkpoint: str | None = None,
    progress: EpochProgress | None = None,
) -> TrainedRecommender:
    """Fit the graph blend (LightGCN, item co-occurrence, catalogue links) on the store x
    SKU sales, and save it."""
    import dataclasses
    import time
    from pathlib import Path

    from supplynet.optimizer.recommend.model import DEFAULT_PARAMS, train_recommend_model

    require([] if not demand.empty else [Problem("demand", "no sales history")], "train")
    params = dataclasses.replace(DEFAULT_PARAMS, epochs=request.epochs, seed=request.seed)
    started = time.perf_counter()
    model = train_recommend_model(network, demand, params, progress=progress)
    seconds = time.perf_counter() - started
    path = models.save(KIND, model.checkpoint(), Path(checkpoint) if checkpoint else None)
    return TrainedRecommender(model, str(path), seconds)


def latest_plan(store: GraphStore) -> StoredPlan | None:
    """The newest saved replenishment plan (its arrivals count as stock), if any."""
    plans = store.list_plans(PLAN_KIND)
    if not plans:
        return None
    return store.load_plan(max(plans, key=lambda p: p.created_at).id)


def network_today(demand: pd.DataFrame) -> dt.date:
    """The day after the last sale: the date a forecast or plan of this history starts."""
    if demand.empty:
        return dt.datetime.now(dt.UTC).date()
    last = pd.Timestamp(demand["date"].max()) + pd.Timedelta(days=1)
    return dt.date(last.year, last.month, last.day)


def sourcing_risk(
    models: ModelStore, network: Network, read_deliveries: Callable[[], pd.DataFrame]
) -> RiskScores | None:
    """Risk of every lane from the saved risk GNN, or None when none was trained yet."""
    if not models.exists("risk"):
        return None
    from supplynet.server.app.train import score_risk

    return score_risk(models.load_bytes("risk"), network, read_deliveries())


def build_recommender(
    checkpoint: bytes,
    network: Network,
    plan: StoredPlan | None,
    risk: RiskScores | None = None,
) -> Recommender:
    """A recommender over a saved model, the network's stock and the plan's arrivals."""
    from supplynet.gnn.training import Checkpoint
    from supplynet.optimizer.recommend.model import RecommendModel
    from supplynet.optimizer.recommend.recommender import Recommender
    from supplynet.optimizer.recommend.shelf_stock import ShelfStock

    model = RecommendModel.from_checkpoint(Checkpoint.from_bytes(checkpoint))
    return Recommender(model, network, ShelfStock.build(network, plan), risk)


def answer_key(request: RecommendRequest) -> tuple[object, ...]:
    """What an answer depends on besides the recommender: the request, less its need date
    for the uses whose answer is the same on any date (``DATED_USES``)."""
    need_date = request.need_date if request.use in DATED_USES else None
    return (request.use, request.sku_id, request.store_id, request.limit, need_date)


def recommend(
    recommender: Recommender, request: RecommendRequest, today: dt.date
) -> Recommendations:
    """Answer one request; ``NotFound`` names an unknown ``sku_id`` or ``store_id``."""
    return recommender.recommend(
        request.use, request.sku_id, request.store_id, request.need_date or today, request.limit
    )

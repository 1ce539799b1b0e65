"""``RecommendModel``: the trained store and SKU embeddings a recommender answers from.

Training runs LightGCN over the sales graph once per model version; what requests need
(the propagated vectors, each SKU's units sold, which stores sold what) is kept, so a
request is a few numpy products. Checkpoints follow the GNN package's ``Checkpoint``.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
import torch

from supplynet.gnn.training import Checkpoint
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.network import Network
from supplynet.optimizer.recommend.lightgcn import EpochProgress, GraphRanker, RankerParams
from supplynet.optimizer.recommend.sales_graph import build_sales_graph

CHECKPOINT_KIND = "recommend"
DEFAULT_PARAMS = RankerParams(embedding_dim=32, layers=2, epochs=150, learning_rate=1e-2)
"""Sized for store x SKU graphs: a few hundred to a few thousand nodes."""


@dataclass(frozen=True, eq=False)
class RecommendModel:
    """Propagated vectors per store and SKU, plus the sales they were learned from.

    Shapes
    ------
    store_vectors: ``[S, D]``; sku_vectors: ``[K, D]``
    units_sold: ``[K]`` over the training history; sold: ``[S, K]`` bool
    """

    params: RankerParams
    store_ids: tuple[str, ...]
    sku_ids: tuple[str, ...]
    store_vectors: npt.NDArray[np.float32]
    sku_vectors: npt.NDArray[np.float32]
    units_sold: npt.NDArray[np.float64]
    sold: npt.NDArray[np.bool_]
    losses: tuple[float, ...] = field(default=())

    @property
    def version(self) -> str:
        """A digest of the vectors: equal versions answer identically."""
        digest = hashlib.sha256(self.store_vectors.tobytes())
        digest.update(self.sku_vectors.tobytes())
        digest.update("\0".join(self.store_ids + self.sku_ids).encode())
        return digest.hexdigest()[:12]

    def checkpoint(self) -> Checkpoint:
        config = {**asdict(self.params), "stores": list(self.store_ids), "skus": list(self.sku_ids)}
        state = {
            "store_vectors": torch.from_numpy(self.store_vectors),
            "sku_vectors": torch.from_numpy(self.sku_vectors),
            "units_sold": torch.from_numpy(self.units_sold),
            "sold": torch.from_numpy(self.sold),
        }
        return Checkpoint(CHECKPOINT_KIND, config, state)

    @classmethod
    def from_checkpoint(cls, checkpoint: Checkpoint) -> RecommendModel:
        """Rebuild the model; raises ``ValidationFailed`` for a checkpoint of another kind."""
        if checkpoint.kind != CHECKPOINT_KIND:
            raise ValidationFailed(
                [
                    Problem(
                        "checkpoint.kind", f"expected {CHECKPOINT_KIND!r}, got {checkpoint.kind!r}"
                    )
                ],
                "checkpoint",
            )
        config = dict(checkpoint.config)
        stores, skus = config.pop("stores"), config.pop("skus")
        state = checkpoint.state
        return cls(
            params=RankerParams(**config),
            store_ids=tuple(stores),
            sku_ids=tuple(skus),
            store_vectors=state["store_vectors"].numpy(),
            sku_vectors=state["sku_vectors"].numpy(),
            units_sold=state["units_sold"].numpy(),
            sold=state["sold"].numpy(),
        )


def train_recommend_model(
    network: Network,
    demand: pd.DataFrame,
    params: RankerParams = DEFAULT_PARAMS,
    *,
    until: pd.Timestamp | None = None,
    substitutions: bool = True,
    progress: EpochProgress | None = None,
) -> RecommendModel:
    """Fit LightGCN on the network's sales graph (sales before ``until`` when given).

    Raises
    ------
    ValidationFailed
        When no store sold anything in the history: there is nothing to learn from.
    """
    graph = build_sales_graph(network, demand, until=until, substitutions=substitutions)
    if graph.interactions.shape[1] == 0:
        raise ValidationFailed(
            [Problem("demand", "no store x SKU sales to learn from")], "recommend training"
        )
    ranker = GraphRanker(params).fit(graph, progress)
    sold = np.zeros((len(graph.users), len(graph.items)), dtype=np.bool_)
    sold[graph.interactions[0], graph.interactions[1]] = True
    return RecommendModel(
        params=params,
        store_ids=graph.users,
        sku_ids=graph.items,
        store_vectors=ranker.user_vectors_,
        sku_vectors=ranker.item_vectors_,
        units_sold=graph.popularity(),
        sold=sold,
        losses=tuple(ranker.losses_),
    )

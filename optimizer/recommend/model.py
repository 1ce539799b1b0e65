"""``RecommendModel``: the trained graph blend a recommender answers from.

Training fits the graph blend (LightGCN, item co-occurrence and catalogue links, weighted
on a validation split) over the sales graph once per model version; what requests need
(the propagated vectors, each SKU's nearest SKUs by co-occurrence, the catalogue links,
which stores sold what, each SKU's units sold) is kept, so a request is a few numpy
products. Checkpoints follow the GNN package's ``Checkpoint``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import torch

from supplynet.gnn.training import Checkpoint
from supplynet.graph.errors import Problem, SupplynetError, ValidationFailed
from supplynet.graph.network import Network
from supplynet.optimizer.recommend.blend import GraphBlend, fit_graph_blend
from supplynet.optimizer.recommend.lightgcn import EpochProgress, RankerParams
from supplynet.optimizer.recommend.sales_graph import build_sales_graph

CHECKPOINT_KIND = "recommend"
DEFAULT_PARAMS = RankerParams(
    embedding_dim=32, layers=2, epochs=150, batch_size=1 << 20, learning_rate=1e-2
)
"""Sized for store x SKU graphs: a few hundred to a few thousand nodes, trained full-batch
(one propagation per epoch: on ``large``, 520 stores x 1,050 SKUs, a step costs ~0.1 s
whatever the batch, so mini-batches only multiplied the steps)."""


@dataclass(frozen=True, eq=False)
class RecommendModel:
    """The fitted blend over stores (users) and SKUs (items), plus units sold per SKU.

    Shapes: units_sold ``[K]`` over the training history; the blend's arrays as documented
    on ``GraphBlend`` (``U`` = stores, ``I`` = SKUs).
    """

    params: RankerParams
    store_ids: tuple[str, ...]
    sku_ids: tuple[str, ...]
    blend: GraphBlend
    units_sold: npt.NDArray[np.float64]
    losses: tuple[float, ...] = field(default=())

    @property
    def store_vectors(self) -> npt.NDArray[np.float32]:
        """``[S, D]`` LightGCN store vectors (which stores are alike)."""
        return self.blend.user_vectors

    @property
    def sku_vectors(self) -> npt.NDArray[np.float32]:
        """``[K, D]`` LightGCN SKU vectors."""
        return self.blend.item_vectors

    @property
    def sold(self) -> npt.NDArray[np.bool_]:
        """``[S, K]``: the store sold the SKU in the training history."""
        return self.blend.sold

    @property
    def version(self) -> str:
        """A digest of everything that scores: equal versions answer identically."""
        digest = hashlib.sha256(np.asarray(self.blend.weights).tobytes())
        for array in _blend_state(self.blend).values():
            digest.update(array.numpy().tobytes())
        digest.update("\0".join(self.store_ids + self.sku_ids).encode())
        return digest.hexdigest()[:12]

    def checkpoint(self) -> Checkpoint:
        config = {
            **asdict(self.params),
            "stores": list(self.store_ids),
            "skus": list(self.sku_ids),
            "weights": list(self.blend.weights),
        }
        state = {**_blend_state(self.blend), "units_sold": torch.from_numpy(self.units_sold)}
        return Checkpoint(CHECKPOINT_KIND, config, state)

    @classmethod
    def from_checkpoint(cls, checkpoint: Checkpoint) -> RecommendModel:
        """Rebuild the model; raises ``ValidationFailed`` for a checkpoint of another kind."""
        checkpoint.require_kind(CHECKPOINT_KIND)
        try:
            return cls._from_saved(dict(checkpoint.config), checkpoint.state)
        except KeyError as missing:
            raise SupplynetError(
                f"the recommend checkpoint was saved by an older supplynet (it lacks {missing}); "
                "retrain it: supplynet train recommend"
            ) from None

    @classmethod
    def _from_saved(
        cls, config: dict[str, Any], saved: Mapping[str, torch.Tensor]
    ) -> RecommendModel:
        stores, skus = config.pop("stores"), config.pop("skus")
        lightgcn, cooccurrence, catalogue = (float(w) for w in config.pop("weights"))
        state = {name: tensor.numpy() for name, tensor in saved.items()}
        return cls(
            params=RankerParams(**config),
            store_ids=tuple(stores),
            sku_ids=tuple(skus),
            blend=GraphBlend(
                weights=(lightgcn, cooccurrence, catalogue),
                user_vectors=state["store_vectors"],
                item_vectors=state["sku_vectors"],
                sold=state["sold"],
                neighbours=state["neighbours"],
                neighbour_similarity=state["neighbour_similarity"],
                catalogue=state["catalogue"],
            ),
            units_sold=state["units_sold"],
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
    """Fit the graph blend on the network's sales graph (sales before ``until`` when given).

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
    fitted = fit_graph_blend(graph, params, progress)
    return RecommendModel(
        params=params,
        store_ids=graph.users,
        sku_ids=graph.items,
        blend=fitted.blend,
        units_sold=graph.popularity(),
        losses=fitted.losses,
    )


def _blend_state(blend: GraphBlend) -> dict[str, torch.Tensor]:
    return {
        "store_vectors": torch.from_numpy(blend.user_vectors),
        "sku_vectors": torch.from_numpy(blend.item_vectors),
        "sold": torch.from_numpy(blend.sold),
        "neighbours": torch.from_numpy(blend.neighbours),
        "neighbour_similarity": torch.from_numpy(blend.neighbour_similarity),
        "catalogue": torch.from_numpy(blend.catalogue),
    }

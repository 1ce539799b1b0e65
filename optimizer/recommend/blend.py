"""The graph blend: LightGCN, item co-occurrence and catalogue paths, weighted on validation.

LightGCN alone compresses every store into a few dozen numbers, so it learns what sells
broadly but not a store's own assortment; on synthetic networks whose assortments are
drawn at random it loses to plain item co-occurrence kNN, and neither sees that a store
selling a SKU also lists its declared substitute. The blend scores with three graph
signals, each scaled per row to a largest magnitude of 1:

- ``lightgcn``: the LightGCN inner product (store x SKU) or cosine (SKU x SKU);
- ``cooccurrence``: item kNN, the two-hop store paths between SKUs (cosine of their store
  columns, ``neighbours`` nearest kept);
- ``catalogue``: one hop over the declared SKU-SKU links (substitutes): a store's score
  counts the SKUs it sells that are linked to the candidate.

The weights are picked on a validation split of the interactions (a seeded random tenth
of each store's) from a small grid, by NDCG@10 of the held-out pairs; then every part is
refitted on all interactions. The weights are data: where a signal does not predict
held-out sales it gets 0 (and a part that is empty, e.g. a catalogue without links, is
never weighted).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from supplynet.optimizer.recommend.baselines import ItemKNN
from supplynet.optimizer.recommend.lightgcn import (
    EpochProgress,
    FloatArray,
    GraphRanker,
    RankerParams,
    cosine,
)
from supplynet.optimizer.recommend.metrics import ndcg_of_scores
from supplynet.optimizer.recommend.sales_graph import SalesGraph

PARTS = ("lightgcn", "cooccurrence", "catalogue")
WEIGHT_GRID = (0.0, 0.1, 0.3, 1.0, 3.0, 10.0)
"""Candidate weights of the co-occurrence and catalogue parts (LightGCN's is 0 or 1)."""
VALIDATION_SHARE = 0.1
VALIDATION_K = 10
"""The weights are chosen on NDCG at this cut-off."""
NEIGHBOURS = 50


@dataclass(frozen=True, eq=False)
class GraphBlend:
    """The fitted parts and their weights; answers user x item and item x item scores.

    Shapes
    ------
    user_vectors: ``[U, D]``; item_vectors: ``[I, D]`` (LightGCN, propagated)
    sold: ``[U, I]`` bool, the interactions
    neighbours, neighbour_similarity: ``[I, n]`` each item's nearest items by co-occurrence
    catalogue: ``[2, L]`` item-item links, each listed once
    weights: one per name in ``PARTS``
    """

    weights: tuple[float, float, float]
    user_vectors: npt.NDArray[np.float32]
    item_vectors: npt.NDArray[np.float32]
    sold: npt.NDArray[np.bool_]
    neighbours: npt.NDArray[np.int64]
    neighbour_similarity: npt.NDArray[np.float32]
    catalogue: npt.NDArray[np.int64]

    @cached_property
    def _cooccurrence(self) -> sp.csr_matrix:
        n_items, n = self.neighbours.shape
        rows = np.repeat(np.arange(n_items), n)
        return sp.csr_matrix(
            (self.neighbour_similarity.ravel(), (rows, self.neighbours.ravel())),
            shape=(n_items, n_items),
        )

    @cached_property
    def _links(self) -> sp.csr_matrix:
        n_items = self.item_vectors.shape[0]
        a, b = self.catalogue
        ones = np.ones(2 * a.size, dtype=np.float32)
        matrix = sp.csr_matrix(
            (ones, (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n_items, n_items)
        )
        matrix.data[:] = 1.0  # a link listed twice counts once
        return matrix

    def user_parts(self, users: npt.NDArray[np.int64]) -> list[FloatArray]:
        """Per part in ``PARTS``: ``[len(users), I]`` scores, rows scaled to max |score| 1."""
        sold = sp.csr_matrix(self.sold[users].astype(np.float32))
        return [
            _scaled(self.user_vectors[users] @ self.item_vectors.T),
            _scaled((sold @ self._cooccurrence.T).toarray()),
            _scaled((sold @ self._links).toarray()),
        ]

    def item_parts(self, items: npt.NDArray[np.int64]) -> list[FloatArray]:
        """Per part in ``PARTS``: ``[len(items), I]`` similarities, rows scaled to max 1."""
        return [
            cosine(self.item_vectors[items], self.item_vectors),
            _scaled(self._cooccurrence[items].toarray()),
            _scaled(self._links[items].toarray()),
        ]

    def user_scores(self, users: npt.NDArray[np.int64]) -> FloatArray:
        """Shapes: ``[len(users), I]``, the weighted mean of the parts (in [-1, 1])."""
        return _weighted(self.weights, self.user_parts(users))

    def item_similarity(self, items: npt.NDArray[np.int64]) -> FloatArray:
        """Shapes: ``[len(items), I]``, the weighted mean of the parts (in [-1, 1])."""
        return _weighted(self.weights, self.item_parts(items))


@dataclass(frozen=True)
class BlendFit:
    """A fitted blend with what validation chose, for reports."""

    blend: GraphBlend
    losses: tuple[float, ...]
    validation_ndcg: float


def fit_graph_blend(
    graph: SalesGraph, params: RankerParams, progress: EpochProgress | None = None
) -> BlendFit:
    """Choose the weights on a validation split, then refit every part on all interactions
    (``progress`` follows both LightGCN fits)."""
    train, held_out = validation_split(graph, VALIDATION_SHARE, params.seed)
    if not any(held_out):  # too few sales to hold any out: LightGCN alone, all epochs
        blend, losses = _fit_parts(graph, params, (1.0, 0.0, 0.0), progress)
        return BlendFit(blend, losses, float("nan"))
    trial, _ = _fit_parts(train, params, (1.0, 0.0, 0.0), progress)
    parts = trial.user_parts(np.arange(len(graph.users)))
    best: tuple[float, tuple[float, float, float]] = (-1.0, (1.0, 0.0, 0.0))
    present = [bool(np.any(part)) for part in parts]
    for cooccurrence, catalogue in itertools.product(WEIGHT_GRID, WEIGHT_GRID):
        for lightgcn in (0.0, 1.0) if cooccurrence or catalogue else (1.0,):
            weights = (lightgcn, cooccurrence, catalogue)
            if any(w and not there for w, there in zip(weights, present, strict=True)):
                continue
            score = ndcg_of_scores(_weighted(weights, parts), trial.sold, held_out, VALIDATION_K)
            if score > best[0] + 1e-12:
                best = (score, weights)
    blend, losses = _fit_parts(graph, params, best[1], progress)
    return BlendFit(blend, losses, best[0])


def validation_split(
    graph: SalesGraph, share: float, seed: int
) -> tuple[SalesGraph, list[set[int]]]:
    """Hold out a seeded random ``share`` of each user's interactions (rounded down).

    Returns the graph without them and, per user, the held-out item indices.
    """
    users, items = graph.interactions
    tiebreak = np.random.default_rng(seed).random(users.size)
    order = np.lexsort((tiebreak, users))
    start = np.searchsorted(users[order], np.arange(len(graph.users)))
    counts = np.bincount(users, minlength=len(graph.users))
    hold = np.zeros(users.size, dtype=bool)
    for first, count in zip(start, counts, strict=True):
        hold[order[first : first + int(share * count)]] = True
    held_out: list[set[int]] = [set() for _ in graph.users]
    for user, item in zip(users[hold], items[hold], strict=True):
        held_out[int(user)].add(int(item))
    kept = dataclasses.replace(
        graph, interactions=graph.interactions[:, ~hold], quantity=graph.quantity[~hold]
    )
    return kept, held_out


def _fit_parts(
    graph: SalesGraph,
    params: RankerParams,
    weights: tuple[float, float, float],
    progress: EpochProgress | None,
) -> tuple[GraphBlend, tuple[float, ...]]:
    ranker = GraphRanker(params).fit(graph, progress)
    return _parts_from(graph, ranker, weights), tuple(ranker.losses_)


def _parts_from(
    graph: SalesGraph, ranker: GraphRanker, weights: tuple[float, float, float]
) -> GraphBlend:
    knn = ItemKNN(neighbours=None).fit(graph)
    n = min(NEIGHBOURS, max(len(graph.items) - 1, 1))
    nearest = np.argsort(-knn.similarity_, axis=1, kind="stable")[:, :n]
    similarity = np.take_along_axis(knn.similarity_, nearest, axis=1)
    first_context = len(graph.users) + len(graph.items)
    item_links = graph.links[:, graph.links[1] < first_context]
    sold = np.zeros((len(graph.users), len(graph.items)), dtype=np.bool_)
    sold[graph.interactions[0], graph.interactions[1]] = True
    return GraphBlend(
        weights=weights,
        user_vectors=ranker.user_vectors_,
        item_vectors=ranker.item_vectors_,
        sold=sold,
        neighbours=nearest.astype(np.int64),
        neighbour_similarity=similarity.astype(np.float32),
        catalogue=np.stack([item_links[0], item_links[1] - len(graph.users)]).astype(np.int64),
    )


def _scaled(scores: npt.NDArray[np.floating]) -> FloatArray:
    """Rows divided by their largest magnitude (zero rows stay zero)."""
    top = np.abs(scores).max(axis=1, keepdims=True) if scores.size else scores
    return np.asarray(scores / np.maximum(top, 1e-12), dtype=np.float32)


def _weighted(weights: Sequence[float], parts: Sequence[FloatArray]) -> FloatArray:
    total = sum(weights)
    mixed = sum((w * part for w, part in zip(weights, parts, strict=True) if w), parts[0] * 0.0)
    return np.asarray(mixed / max(total, 1e-12), dtype=np.float32)

"""The baselines a graph recommender must beat: most-popular and item co-occurrence kNN.

Both answer the same questions as ``GraphRanker`` (user x item and item x item scores)
from the same ``SalesGraph``, so a benchmark swaps them in one line.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from supplynet.optimizer.recommend.lightgcn import FloatArray, cosine
from supplynet.optimizer.recommend.sales_graph import SalesGraph


class MostPopular:
    """Every user gets the items most users interacted with; items are alike by popularity."""

    def fit(self, graph: SalesGraph) -> MostPopular:
        self.counts_ = np.bincount(graph.interactions[1], minlength=len(graph.items)).astype(
            np.float32
        )
        return self

    def user_scores(self, users: npt.NDArray[np.int64]) -> FloatArray:
        return np.tile(self.counts_, (len(users), 1))

    def item_similarity(self, items: npt.NDArray[np.int64]) -> FloatArray:
        return np.tile(self.counts_ / max(float(self.counts_.max()), 1.0), (len(items), 1))


class ItemKNN:
    """Item-based collaborative filtering: cosine similarity of the items' user columns.

    A user's score for an item sums its similarity to the ``neighbours`` most similar
    items the user has (the classic item kNN; all of them when ``neighbours`` is None).
    """

    def __init__(self, neighbours: int | None = 50) -> None:
        self.neighbours = neighbours

    def fit(self, graph: SalesGraph) -> ItemKNN:
        matrix = np.zeros((len(graph.users), len(graph.items)), dtype=np.float32)
        matrix[graph.interactions[0], graph.interactions[1]] = 1.0
        similarity = cosine(matrix.T, matrix.T)
        np.fill_diagonal(similarity, 0.0)
        if self.neighbours is not None and self.neighbours < similarity.shape[1]:
            cut = np.partition(similarity, -self.neighbours, axis=1)[:, -self.neighbours][:, None]
            similarity = np.where(similarity >= cut, similarity, 0.0)
        self.matrix_ = matrix
        self.similarity_ = similarity.astype(np.float32)
        return self

    def user_scores(self, users: npt.NDArray[np.int64]) -> FloatArray:
        return np.asarray(self.matrix_[users] @ self.similarity_.T, dtype=np.float32)

    def item_similarity(self, items: npt.NDArray[np.int64]) -> FloatArray:
        return self.similarity_[items]

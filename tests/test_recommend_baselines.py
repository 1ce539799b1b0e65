"""Baselines answer as defined: most-popular ranks by how many users have an item, item kNN
finds items bought by the same users."""

from __future__ import annotations

import numpy as np
import pandas as pd

from supplynet.optimizer.recommend.baselines import ItemKNN, MostPopular
from supplynet.optimizer.recommend.sales_graph import SalesGraph, interaction_graph


def _graph() -> SalesGraph:
    pairs = pd.DataFrame(
        {
            "user": ["u1", "u1", "u2", "u2", "u3", "u3", "u4"],
            "item": ["a", "b", "a", "b", "c", "a", "d"],
        }
    )
    return interaction_graph(["u1", "u2", "u3", "u4"], ["a", "b", "c", "d"], pairs)


def test_most_popular_ranks_items_by_user_count() -> None:
    model = MostPopular().fit(_graph())
    scores = model.user_scores(np.array([3]))[0]
    assert list(np.argsort(-scores, kind="stable")) == [0, 1, 2, 3]


def test_item_knn_pairs_items_with_the_same_buyers() -> None:
    model = ItemKNN(neighbours=None).fit(_graph())
    similarity = model.item_similarity(np.array([1]))[0]
    assert int(np.argmax(similarity)) == 0
    assert similarity[3] == 0.0
    # u3 has a and c: b (bought with a) beats d (bought by nobody else)
    scores = model.user_scores(np.array([2]))[0]
    assert scores[1] > scores[3]

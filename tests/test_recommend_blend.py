"""The graph blend: each part scores as defined on graphs whose answer is known, the
validation split holds out a seeded tenth per store, and empty parts are never weighted."""

from __future__ import annotations

import numpy as np
import pandas as pd

from supplynet.optimizer.recommend.blend import (
    GraphBlend,
    fit_graph_blend,
    validation_split,
)
from supplynet.optimizer.recommend.lightgcn import RankerParams
from supplynet.optimizer.recommend.sales_graph import build_sales_graph, interaction_graph
from tests.recommend_support import known_demand, known_network

PARAMS = RankerParams(embedding_dim=8, layers=2, epochs=30, learning_rate=5e-2, seed=1)


def _blend(weights: tuple[float, float, float]) -> GraphBlend:
    """3 users x 4 items: u0 sold i0, u1 sold i0 and i1, u2 sold i2; i0 is linked to i3."""
    sold = np.zeros((3, 4), dtype=np.bool_)
    sold[0, 0] = sold[1, 0] = sold[1, 1] = sold[2, 2] = True
    neighbours = np.array([[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]])
    similarity = np.array([[0.7, 0, 0], [0.7, 0, 0], [0, 0, 0], [0, 0, 0]], dtype=np.float32)
    return GraphBlend(
        weights=weights,
        user_vectors=np.zeros((3, 2), dtype=np.float32),
        item_vectors=np.eye(4, 2, dtype=np.float32),
        sold=sold,
        neighbours=neighbours,
        neighbour_similarity=similarity,
        catalogue=np.array([[0], [3]]),
    )


def test_cooccurrence_offers_what_buyers_of_the_same_items_bought() -> None:
    scores = _blend((0.0, 1.0, 0.0)).user_scores(np.array([0]))[0]
    assert int(np.argmax(np.where([False, True, True, True], scores, -np.inf))) == 1
    assert scores[1] == 1.0 and scores[3] == 0.0


def test_catalogue_offers_the_linked_sku_both_ways() -> None:
    blend = _blend((0.0, 0.0, 1.0))
    assert blend.user_scores(np.array([0]))[0].tolist() == [0.0, 0.0, 0.0, 1.0]
    assert blend.item_similarity(np.array([3]))[0].tolist() == [1.0, 0.0, 0.0, 0.0]


def test_weighted_mean_stays_within_one() -> None:
    scores = _blend((1.0, 3.0, 10.0)).item_similarity(np.arange(4))
    assert np.all(np.abs(scores) <= 1.0 + 1e-6)
    # item 0: LightGCN cosine 1 with itself, co-occurrence 1 with item 1, link 1 with item 3
    np.testing.assert_allclose(scores[0], [1 / 14, 3 / 14, 0.0, 10 / 14], atol=1e-6)


def test_validation_holds_out_a_seeded_tenth_of_each_store() -> None:
    users = [f"u{u}" for u in range(3)]
    items = [f"i{i}" for i in range(30)]
    pairs = pd.DataFrame(
        [(u, i) for u in users for i in items[: 10 * (int(u[1]) + 1)]], columns=["user", "item"]
    )
    graph = interaction_graph(users, items, pairs)
    kept, held = validation_split(graph, 0.1, seed=4)
    assert [len(h) for h in held] == [1, 2, 3]
    assert kept.interactions.shape[1] == graph.interactions.shape[1] - 6
    seen = kept.seen()
    assert all(not (h & s) for h, s in zip(held, seen, strict=True))
    assert validation_split(graph, 0.1, seed=4)[1] == held
    assert validation_split(graph, 0.1, seed=5)[1] != held


def test_known_network_blend_offers_the_store_group_item() -> None:
    graph = build_sales_graph(known_network(), known_demand(days=2))
    fitted = fit_graph_blend(graph, PARAMS)
    scores = fitted.blend.user_scores(np.arange(len(graph.users)))
    s3 = graph.users.index("s3")
    unseen = [i for i in range(len(graph.items)) if i not in graph.seen()[s3]]
    assert graph.items[unseen[int(np.argmax(scores[s3, unseen]))]] == "b1"
    # 2-3 SKUs per store: a tenth of them is none, so LightGCN answers alone
    assert fitted.blend.weights == (1.0, 0.0, 0.0) and np.isnan(fitted.validation_ndcg)


def test_weights_come_from_validation_and_skip_empty_parts() -> None:
    users = [f"u{u}" for u in range(8)]
    items = [f"i{i}" for i in range(24)]
    pairs = pd.DataFrame(
        [(u, items[i + 12 * (n % 2)]) for n, u in enumerate(users) for i in range(12)],
        columns=["user", "item"],
    )
    fitted = fit_graph_blend(interaction_graph(users, items, pairs), PARAMS)
    assert np.isfinite(fitted.validation_ndcg)
    assert fitted.blend.weights[2] == 0.0  # no catalogue links: that part is empty
    assert fitted.blend.weights[:2] != (0.0, 0.0)

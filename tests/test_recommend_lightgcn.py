"""BPR training of the LightGCN ranker lowers its loss and ranks a user's own items first."""

from __future__ import annotations

import numpy as np

from supplynet.optimizer.recommend.lightgcn import GraphRanker, RankerParams
from supplynet.optimizer.recommend.sales_graph import build_sales_graph
from tests.recommend_support import known_demand, known_network


def test_training_lowers_the_loss_and_learns_the_two_store_groups() -> None:
    graph = build_sales_graph(known_network(), known_demand(days=2))
    ranker = GraphRanker(RankerParams(embedding_dim=8, layers=2, epochs=40, learning_rate=5e-2))
    ranker.fit(graph)
    assert ranker.losses_[-1] < 0.5 * ranker.losses_[0]
    scores = ranker.user_scores(np.arange(len(graph.users)))
    for user, items in enumerate(graph.seen()):
        unseen = [i for i in range(len(graph.items)) if i not in items]
        best_unseen = unseen[int(np.argmax(scores[user, unseen]))]
        if graph.users[user] == "s3":  # its group sells b1, it does not: b1 is its next item
            assert graph.items[best_unseen] == "b1"
        else:
            assert scores[user, sorted(items)].min() > scores[user, best_unseen]
    similarity = ranker.item_similarity(np.array([graph.items.index("a1")]))[0]
    assert graph.items[int(np.argsort(-similarity)[1])] == "a2"

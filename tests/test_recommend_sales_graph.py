"""The sales graph counts only units sold before the cut-off, links SKUs to their category,
suppliers and declared substitutes once, and propagates both ways."""

from __future__ import annotations

import pandas as pd

from supplynet.optimizer.recommend.sales_graph import build_sales_graph
from tests.recommend_support import known_demand, known_network


def test_interactions_are_pairs_that_sold_before_the_cutoff() -> None:
    demand = known_demand(days=4)
    late = (demand["store_id"] == "s1") & (demand["sku_id"] == "b1")
    demand.loc[late & (demand["date"] < "2024-01-03"), "quantity"] = 0.0
    graph = build_sales_graph(known_network(), demand, until=pd.Timestamp("2024-01-03"))
    pairs = {(graph.users[u], graph.items[i]) for u, i in graph.interactions.T}
    assert ("s1", "b1") not in pairs
    assert ("s2", "b1") in pairs
    assert len(pairs) == 3 * 3 + 3 * 3 - 1 - 1  # s3 never sold b1
    full = build_sales_graph(known_network(), demand)
    assert ("s1", "b1") in {(full.users[u], full.items[i]) for u, i in full.interactions.T}


def test_links_join_skus_to_categories_suppliers_and_substitutes() -> None:
    graph = build_sales_graph(known_network(), known_demand(days=2))
    names = [*graph.users, *graph.items, *graph.context]
    links = {(graph.items[a], names[b]) for a, b in graph.links.T}
    assert ("a1", "category:C1") in links and ("b3", "category:C2") in links
    assert ("a1", "supplier:p1") in links and ("a2", "supplier:p3") in links
    assert ("a1", "a2") in links and ("a2", "a1") not in links
    without = build_sales_graph(known_network(), known_demand(days=2), substitutions=False)
    assert without.links.shape[1] == graph.links.shape[1] - 1
    edges = graph.edge_index()
    assert edges.shape[1] == 2 * (graph.interactions.shape[1] + graph.links.shape[1])
    assert {tuple(e) for e in edges.T.tolist()} == {tuple(e) for e in edges.flip(0).T.tolist()}

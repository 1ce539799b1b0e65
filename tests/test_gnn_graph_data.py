"""Series panel, series graph and demand snapshots: shapes, masks, edges, no leakage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from supplynet.gnn.graph_data import (
    FUTURE_FEATURES,
    HIST_FEATURES,
    NODE,
    RELATIONS,
    build_graph,
    snapshot,
)
from supplynet.gnn.panel import SeriesPanel, build_panel
from supplynet.graph.errors import ValidationFailed
from supplynet.graph.synthetic import SyntheticDataset

LAGS, HORIZON = 14, 7


@pytest.fixture(scope="module")
def panel(tiny: SyntheticDataset) -> SeriesPanel:
    return build_panel(tiny.demand)


def test_panel_matches_the_long_frame(tiny: SyntheticDataset, panel: SeriesPanel) -> None:
    """Every demand row lands in its (series, period) cell, in float32 like the tensors."""
    n_series = tiny.demand.groupby(["store_id", "sku_id"]).ngroups
    assert panel.quantity.shape == (n_series, 730)
    assert {panel.quantity.dtype, panel.price.dtype, panel.promo.dtype} == {np.dtype(np.float32)}
    assert panel.quantity.sum() == pytest.approx(tiny.demand["quantity"].sum())
    row = tiny.demand.iloc[1234]
    i = panel.keys.index((row["store_id"], row["sku_id"]))
    t = panel.index_of(row["date"])
    assert panel.quantity[i, t] == row["quantity"]
    assert panel.price[i, t] == pytest.approx(row["price"], rel=1e-6)


def test_graph_edges_follow_the_network(tiny: SyntheticDataset, panel: SeriesPanel) -> None:
    """Substitute edges join a store's substitutes; category edges stay in one category."""
    graph = build_graph(tiny.network, panel.keys)
    assert set(graph.edges) == set(RELATIONS)
    subs = {(s.sku_id, s.substitute_id) for s in tiny.network.substitutions}
    category = {s.id: s.category for s in tiny.network.skus}
    for src, dst in graph.edges["substitute"].T.tolist():
        a, b = panel.keys[src], panel.keys[dst]
        assert a[0] == b[0] and (a[1], b[1]) in subs
    for src, dst in graph.edges["category"].T.tolist():
        a, b = panel.keys[src], panel.keys[dst]
        assert a[0] == b[0] and a[1] != b[1] and category[a[1]] == category[b[1]]
    assert all(count > 0 for count in graph.edge_counts().values())
    assert graph.without_edges().edge_counts() == dict.fromkeys(RELATIONS, 0)


def test_unknown_relation_is_rejected(tiny: SyntheticDataset, panel: SeriesPanel) -> None:
    with pytest.raises(ValidationFailed, match="unknown relation 'friends'"):
        build_graph(tiny.network, panel.keys, ("category", "friends"))


def test_snapshot_shapes_and_masks(tiny: SyntheticDataset, panel: SeriesPanel) -> None:
    """Shapes as documented; targets past the history are masked out."""
    graph = build_graph(tiny.network, panel.keys)
    n = panel.n_series
    data = snapshot(panel, graph, 100, LAGS, HORIZON)
    node = data[NODE]
    assert node.x_hist.shape == (n, LAGS, HIST_FEATURES)
    assert node.x_future.shape == (n, HORIZON, FUTURE_FEATURES)
    assert node.y.shape == node.y_mask.shape == (n, HORIZON)
    assert bool(node.y_mask.all())
    for relation in RELATIONS:
        index = data[NODE, relation, NODE].edge_index
        assert index.shape[0] == 2 and int(index.max()) < n
    live = snapshot(panel.padded(730 + HORIZON), graph, 727, LAGS, HORIZON)
    assert live[NODE].y_mask.sum(dim=1).tolist() == [3] * n
    with pytest.raises(ValidationFailed, match="history"):
        snapshot(panel, graph, LAGS - 1, LAGS, HORIZON)


def test_features_ignore_the_future(tiny: SyntheticDataset, panel: SeriesPanel) -> None:
    """Changing demand from the origin on, or plans past the horizon, leaves features alone."""
    graph = build_graph(tiny.network, panel.keys)
    origin = 300
    before = snapshot(panel, graph, origin, LAGS, HORIZON)
    rng = np.random.default_rng(0)
    quantity, price, promo = panel.quantity.copy(), panel.price.copy(), panel.promo.copy()
    quantity[:, origin:] = rng.poisson(50, quantity[:, origin:].shape)
    price[:, origin + HORIZON :] *= 3
    promo[:, origin + HORIZON :] = 1 - promo[:, origin + HORIZON :]
    changed = SeriesPanel(
        panel.keys, panel.periods, panel.freq, quantity, price, promo, panel.calendar
    )
    after = snapshot(changed, graph, origin, LAGS, HORIZON)
    for name in ("x_hist", "x_future", "x_static", "scale", "active"):
        assert torch.equal(before[NODE][name], after[NODE][name]), name
    assert not torch.equal(before[NODE].y, after[NODE].y)


def test_planned_promotions_reach_future_features(
    tiny: SyntheticDataset, panel: SeriesPanel
) -> None:
    """``with_future`` writes planned promos into the periods after the history."""
    last = tiny.demand["date"].max()
    key = panel.keys[0]
    plan = pd.DataFrame(
        {
            "date": [last + pd.Timedelta(days=2)],
            "store_id": [key[0]],
            "sku_id": [key[1]],
            "quantity": [0.0],
            "price": [1.0],
            "promo": [True],
        }
    )
    extended = panel.with_future(plan)
    assert extended.promo.shape == (panel.n_series, 732)
    assert extended.promo[0, 731] == 1.0 and extended.promo[1:, 730:].sum() == 0


def test_long_memory_features(tiny: SyntheticDataset, panel: SeriesPanel) -> None:
    """Promotions lift demand in the generator, so the lift learned from the history is
    positive for most series; last year's shape is there only once a year is known."""
    graph = build_graph(tiny.network, panel.keys)
    late = snapshot(panel, graph, 500, LAGS, HORIZON)[NODE]
    lift, depth, seen = late.x_static[:, 2], late.x_static[:, 3], late.x_static[:, 4]
    promoted = seen > 0
    assert bool(promoted.all())
    assert float((lift[promoted] > 0).float().mean()) > 0.8
    assert bool((depth[promoted] < 0).all())
    assert bool((late.x_future[:, :, 3] == 1).all())
    early = snapshot(panel, graph, 100, LAGS, HORIZON)[NODE]
    assert bool((early.x_future[:, :, 2:4] == 0).all())
